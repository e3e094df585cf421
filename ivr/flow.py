"""Where a call goes next: the routing decisions, with no Flask and no I/O.

A call's whole state travels in the URLs Twilio requests (`CallState`, signed by the web layer),
so any worker can serve any request. Each request names the action the call is waiting at
(`step`, `pc`) and what happened there (`event`); `CallFlow` answers with the instructions
Twilio should follow next, up to the next point where the call waits for the caller or for a
dialled line.

No path ends in silence: a step that runs out of actions goes to the built-in `end`, which says
where to turn (the `goodbye` prompt: 107, 112, 101) before hanging up.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime

from ivr import model, speech
from ivr.model import DEFAULT_LANGUAGE, END, LANGUAGE

log = logging.getLogger(__name__)

# More steps than this in one request means a loop the checker did not catch.
MAX_STEPS_PER_REQUEST = 50
# Silences or wrong keys at the language choice before the default language is taken.
LANGUAGE_TRIES = 2
DIAL_CONNECTED = {"completed", "answered"}
# Seconds the person who answers a screened transfer has to press a key, after the whisper.
SCREEN_SECONDS = 6
# Seconds a referral's "press 1 to be put through" lets the service ring.
REFERRAL_RING = 20
DIAL_STATUSES = ("completed", "answered", "busy", "no-answer", "failed", "canceled")


class FlowError(RuntimeError):
    pass


# Events of the documents run on the phone that answers a transfer, not on the caller's call.
ANSWERING_EVENTS = frozenset({"whisper", "screen", "taken"})


@dataclass(frozen=True)
class CallState:
    line: str
    step: str
    pc: int = 0
    lang: str = DEFAULT_LANGUAGE
    invalid: int = 0
    silence: int = 0
    # What the request carrying this state reports: go (just continue), digits (a menu was
    # answered), silence (nothing was pressed), dial (a transfer ended), recorded, enter;
    # to the person who answers a transfer: whisper, screen (asked to take the call), taken.
    event: str = "go"
    # Which phone of a ring group rung in order is being tried.
    attempt: int = 0

    def go(self, step: str) -> CallState:
        """Into another step; the menu counters start again."""
        return CallState(self.line, step, 0, self.lang)

    def next_action(self) -> CallState:
        return replace(self, pc=self.pc + 1, event="go", invalid=0, silence=0, attempt=0)

    def expecting(self, event: str, **changes) -> CallState:
        return replace(self, event=event, **changes)


# -- instructions for Twilio (rendered to TwiML by ivr.twiml) --------------------------------


@dataclass(frozen=True)
class Speak:
    text: str
    lang: str
    audio: str | None = None  # a recording to play instead of speech synthesis


@dataclass(frozen=True)
class Gather:
    speech: tuple[Speak, ...]
    next: CallState
    num_digits: int | None
    timeout: int


@dataclass(frozen=True)
class Dial:
    targets: tuple[model.Route, ...]  # rung at once; the first to take the call is bridged
    caller_id: str
    timeout: int
    next: CallState | None
    # What the person who answers hears before being connected (and, when screening, the
    # key that takes the call).
    whisper: CallState | None = None

    @property
    def numbers(self) -> tuple[str, ...]:
        return tuple(target.number for target in self.targets)


@dataclass(frozen=True)
class Record:
    max_length: int
    next: CallState


@dataclass(frozen=True)
class Redirect:
    next: CallState


@dataclass(frozen=True)
class Hangup:
    pass


Instruction = Speak | Gather | Dial | Record | Redirect | Hangup


@dataclass(frozen=True)
class DialResult:
    """How a transfer ended, from the fields of Twilio's `<Dial>` action request.

    `DialCallStatus` alone cannot tell: a phone that diverts to its own voicemail, or a
    counsellor who does not take a screened call, both leave it `completed`. `DialBridged`
    says whether the caller was connected (docs/transfers.md), so it decides when present;
    without it (older requests), the status does."""

    status: str  # DialCallStatus, one of DIAL_STATUSES, or "unknown"
    bridged: bool

    @classmethod
    def from_twilio(cls, status: str | None, bridged: str | None = None) -> DialResult:
        status = (status or "").strip().lower()[:16]
        status = status if status in DIAL_STATUSES else "unknown"
        flag = (bridged or "").strip().lower()
        if flag in ("true", "false"):
            return cls(status, flag == "true")
        return cls(status, status in DIAL_CONNECTED)

    @property
    def label(self) -> str:
        """For the metrics: Twilio's status, or `not taken` for a leg that was answered
        (by a voicemail, or by someone who did not press the key) but never connected."""
        if not self.bridged and self.status in DIAL_CONNECTED:
            return "not taken"
        return self.status


NOT_KEYPAD = re.compile(r"[^0-9*#]")


def clean_digits(raw: str | None) -> str:
    """Keypad input as Twilio may send it, or junk: keep keypad symbols, drop a final '#'."""
    digits = NOT_KEYPAD.sub("", raw or "")[:12]
    return digits.rstrip("#")


class CallFlow:
    """Answers one request of one call, at one instant."""

    def __init__(
        self,
        config: model.Config,
        now: datetime,
        overrides: dict[str, model.Override] | None = None,
        dialled: str | None = None,
    ):
        self.config = config
        self.now = now
        # The number the caller dialled (Twilio's `To`): what a transferred leg shows, so
        # nobody sees the caller's own number. Twilio allows the called number as callerId.
        self.dialled = dialled if dialled in config.line_by_number else None
        # Only those still in force: an override expires by itself.
        self.overrides = {k: o for k, o in (overrides or {}).items() if o.until > now}
        self.out: list[Instruction] = []
        # What happened, for metrics and the anonymous statistics: how the call ended (on
        # the request that ends it), transfers by dial status, menus that gave up.
        self.outcome: tuple[str, str, str] | None = None  # line, outcome, language
        self.transfers: list[tuple[str, str]] = []  # line, dial status
        self.failed_transfers: list[tuple[str, str]] = []  # line, target (contact or service)
        self.menu_failures: list[tuple[str, str]] = []  # line, invalid|silence

    def _ended(self, line: model.Line, state: CallState, outcome: str) -> None:
        if self.outcome is None:
            self.outcome = (line.id, outcome, state.lang)

    # -- what operators decided, over the schedule -----------------------------------------

    def override_for(self, line: model.Line) -> model.Override | None:
        """The operators' override of `line` still in force now, if any."""
        return self.overrides.get(line.id)

    def is_open(self, line: model.Line) -> bool:
        override = self.override_for(line)
        if override is not None:
            return override.open
        return line.schedule.is_open(self.now)

    def next_opening(self, line: model.Line) -> datetime | None:
        override = self.override_for(line)
        if override is not None and not override.open:
            return line.schedule.next_opening(override.until)
        if override is not None:
            return self.now
        return line.schedule.next_opening(self.now)

    # -- entry points ----------------------------------------------------------------------

    def answer(self, line: model.Line, lang: str | None = None) -> list[Instruction]:
        """A new call on `line`: the caller chooses a language if the line speaks several,
        then the open or the closed path, by the line's schedule."""
        if lang not in line.languages and len(line.languages) > 1:
            return self._run(CallState(line.id, LANGUAGE, 0, line.default_language))
        lang = lang if lang in line.languages else line.default_language
        return self._run(self._entry_state(line, lang))

    def whisper(self, state: CallState) -> list[Instruction]:
        """For the person who answers a transfer, before the caller is connected: which line,
        which language, said in the line's own language. When screening, they are asked to
        press a key to take the call; no key in time hangs up their phone, and the caller's
        transfer goes on as not answered."""
        line = self.config.lines[state.line]
        lang = line.default_language
        if state.event == "taken":
            return []  # the end of this document connects the two
        values = {"line": line.name, "language": speech.language_name(state.lang, lang)}
        said = [
            Speak(prompt.text.format_map(values), lang)
            for key in ("whisper", "screen" if state.event == "screen" else None)
            if key and (prompt := self.config.prompt(lang, line.id, key)) is not None
        ]
        if state.event != "screen":
            return said
        taken = replace(state, event="taken")
        return [Gather(tuple(said), taken, 1, SCREEN_SECONDS), Hangup()]

    def resume(
        self, state: CallState, digits: str | None = None, dial: DialResult | None = None
    ) -> list[Instruction]:
        line = self.config.lines.get(state.line)
        if line is None:
            raise FlowError(f"unknown line {state.line!r}")
        if state.event == "enter":
            return self.answer(line, state.lang)
        if state.step == LANGUAGE:
            return self._run(self._language_choice(line, state, digits))
        if state.step != END and state.step not in line.steps:
            # The configuration changed under this call: start the line again.
            log.warning("line=%s has no step %r any more; starting over", line.id, state.step)
            return self.answer(line, state.lang)
        action = self._action(line, state)
        answer = ANSWERS.get((state.event, type(action)))
        if answer is not None:
            return self._run(answer(self, line, action, state, clean_digits(digits)))
        if state.event == "dial":
            return self._run(self._dial_result(line, action, state, dial or DialResult("", False)))
        if state.event == "recorded":
            self._ended(line, state, "voicemail")
            self._say(line, state, "voicemail_thanks")
            return self._run(state.go(END))
        return self._run(state)

    # -- the interpreter -------------------------------------------------------------------

    def _run(self, state: CallState | None) -> list[Instruction]:
        for _ in range(MAX_STEPS_PER_REQUEST):
            if state is None:
                return self.out
            line = self.config.lines[state.line]
            if state.event == "enter":
                state = self._entry_state(line, state.lang)
                continue
            if state.step == END:
                self._say(line, state, "goodbye")
                self.out.append(Hangup())
                self._ended(line, state, "ended after message")
                return self.out
            if state.step == LANGUAGE:
                self._language_menu(line, state)
                return self.out
            actions = line.steps[state.step]
            if state.pc >= len(actions):
                state = state.go(END)
                continue
            state = self._perform(line, actions[state.pc], replace(state, event="go"))
        raise FlowError(f"more than {MAX_STEPS_PER_REQUEST} steps in one request")

    def _perform(self, line: model.Line, action, state: CallState) -> CallState | None:
        """Does one action (by `PERFORM`); returns where to continue, or None when the call
        now waits."""
        perform = PERFORM.get(type(action))
        if perform is None:
            raise FlowError(f"unknown action {action!r}")
        return perform(self, line, action, state)

    def _speak(self, line: model.Line, say: model.Say, state: CallState) -> CallState:
        for key in say.prompts:
            self._say(line, state, key)
        return state.next_action()

    def _ask(self, line: model.Line, menu: model.Menu, state: CallState) -> None:
        self._menu(line, menu, state, menu.prompt)

    def _record(self, line: model.Line, voicemail: model.Voicemail, state: CallState) -> None:
        self._say(line, state, voicemail.prompt)
        self.out.append(Record(voicemail.max_length, state.expecting("recorded")))
        # Twilio skips the action URL when nothing was recorded and goes on here.
        self.out.append(Redirect(state.next_action()))

    def _referral_choice(self, line, referral: model.Referral, state: CallState, digits: str):
        """1 puts the caller through to the service; any other key goes on."""
        if digits == "1":
            service = self.config.service_for(referral.service, state.lang)
            return self._transfer(line, state, service.id, REFERRAL_RING, None)
        return state.next_action()

    def _entry_state(self, line: model.Line, lang: str) -> CallState:
        step = line.when_open if self.is_open(line) else line.when_closed
        return CallState(line.id, step, 0, lang)

    @staticmethod
    def _action(line: model.Line, state: CallState):
        actions = line.steps.get(state.step, ())
        return actions[state.pc] if 0 <= state.pc < len(actions) else None

    # -- the language choice ---------------------------------------------------------------

    def _language_menu(self, line: model.Line, state: CallState) -> None:
        """Each option in its own language and voice: "Pour le français, tapez 1. Voor
        Nederlands, druk 2."."""
        options = []
        for key, lang in enumerate(line.languages, start=1):
            prompt = self.config.prompt(lang, line.id, "language_option")
            if prompt is not None:
                options.append(Speak(prompt.text.format(key=key), lang, prompt.audio))
        self.out.append(Gather(tuple(options), state.expecting("digits"), 1, 5))
        self.out.append(Redirect(state.expecting("silence")))

    def _language_choice(self, line: model.Line, state: CallState, digits: str | None):
        if state.event == "digits":
            key = clean_digits(digits)
            if key.isdigit() and 1 <= int(key) <= len(line.languages):
                return self._entry_state(line, line.languages[int(key) - 1])
        tries = state.silence + state.invalid + 1
        if tries >= LANGUAGE_TRIES:
            return self._entry_state(line, line.default_language)
        return replace(state, silence=tries, invalid=0, event="go")

    # -- menus -----------------------------------------------------------------------------

    def _menu(self, line, menu: model.Menu, state: CallState, prompt: str) -> None:
        speech_ = tuple(self._text(line, state, prompt))
        self.out.append(Gather(speech_, state.expecting("digits"), menu.num_digits, menu.timeout))
        # Twilio runs what follows a <Gather> when the caller presses nothing.
        self.out.append(Redirect(state.expecting("silence")))

    def _menu_choice(self, line, menu: model.Menu, state: CallState, digits: str):
        target = menu.options.get(digits)
        if target is not None:
            return state.go(target)
        invalid = state.invalid + 1
        self._say(line, state, "invalid_choice")
        if invalid >= menu.max_invalid:
            self.menu_failures.append((line.id, "invalid"))
            return state.go(menu.on_failure)
        self._menu(line, menu, replace(state, invalid=invalid), menu.retry_prompt)
        return None

    def _menu_silence(self, line, menu: model.Menu, state: CallState):
        silence = state.silence + 1
        if silence >= menu.max_silence:
            self.menu_failures.append((line.id, "silence"))
            return state.go(menu.on_failure)
        self._menu(line, menu, replace(state, silence=silence), menu.retry_prompt)
        return None

    # -- transfers and referrals -----------------------------------------------------------

    def _transfer(self, line, state: CallState, to: str, timeout: int, on_failure):
        contact = line.contacts.get(to)
        if contact is not None:
            targets, event = self._contact_targets(line, contact, state.attempt)
            whisper = replace(state, event=event) if event else None
        else:
            service = self.config.service_for(to, state.lang)
            if service.line and service.line in self.config.lines:
                # One of our own lines: straight into its flow, no second phone call.
                target = self.config.lines[service.line]
                lang = state.lang if state.lang in target.languages else target.default_language
                return CallState(target.id, "", 0, lang, event="enter")
            if not service.answers(self.now):
                return self._dial_failed(line, state, on_failure)
            targets, whisper = (service.route,), None
        self.out.append(
            Dial(targets, self._caller_id(line), timeout, state.expecting("dial"), whisper=whisper)
        )
        return None

    def _contact_targets(self, line, contact: model.Contact, attempt: int):
        """The phones to ring now, and what the person who answers hears first: the whisper
        and the key that takes the call ("screen"), the whisper alone, or nothing."""
        event = "screen" if contact.screening else "whisper"
        override = self.overrides.get(line.id)
        if override is not None and override.forward_to:
            route = self.config.route_for(override.forward_to)
            if route is not None:
                # A partner service answers with its own system; a person's phone is screened.
                service = self.config.service_by_number(route.number)
                return (route,), None if service is not None else event
            log.error("line=%s override sends calls to a number with no route", line.id)
        if contact.ring == model.IN_ORDER:
            return (contact.routes[min(attempt, len(contact.routes) - 1)],), event
        return contact.routes, event

    def _caller_id(self, line: model.Line) -> str:
        return self.dialled or line.caller_id

    def _dial_result(self, line, action, state: CallState, result: DialResult):
        self.transfers.append((line.id, result.label))
        if result.bridged:
            # The caller talked to someone; when the counsellor hangs up, so do we.
            to_team = isinstance(action, model.Transfer) and action.to in line.contacts
            self._ended(line, state, "connected" if to_team else "referred")
            self.out.append(Hangup())
            return None
        if isinstance(action, model.Transfer) and action.to in line.contacts:
            contact = line.contacts[action.to]
            override = self.overrides.get(line.id)
            forwarded = override is not None and override.forward_to
            if contact.ring == model.IN_ORDER and not forwarded:
                if state.attempt + 1 < len(contact.routes):
                    # The next phone of the group; the caller hears it ring on.
                    return replace(state, event="go", attempt=state.attempt + 1)
            self.failed_transfers.append((line.id, action.to))
            return self._dial_failed(line, state, action.on_failure)
        # A partner service we could not reach: the caller is told its number and when it
        # answers, to dial it themselves, before the step goes on.
        service_id = action.to if isinstance(action, model.Transfer) else action.service
        service = self.config.service_for(service_id, state.lang)
        self.failed_transfers.append((line.id, service.id))
        self._say_service(line, state, service, "transfer_failed")
        on_failure = action.on_failure if isinstance(action, model.Transfer) else None
        return self._dial_failed(line, state, on_failure)

    @staticmethod
    def _dial_failed(line, state: CallState, on_failure: str | None) -> CallState:
        return state.go(on_failure) if on_failure else state.next_action()

    def _referral(self, line, action: model.Referral, state: CallState):
        service = self.config.service_for(action.service, state.lang)
        schedule = service.schedule
        open_now = service.answers(self.now)
        key = "referral_always" if schedule.always_open and not schedule.exceptions else "referral"
        speech_ = self._service_text(line, state, service, key)
        if not open_now:
            speech_ += self._service_text(line, state, service, "referral_closed")
        if action.offer_transfer and open_now:
            speech_ += self._service_text(line, state, service, "referral_offer")
            self.out.append(Gather(tuple(speech_), state.expecting("digits"), 1, 5))
            self.out.append(Redirect(state.next_action()))
            return None
        self.out.extend(speech_)
        return state.next_action()

    # -- what the caller hears -------------------------------------------------------------

    def _say(self, line, state: CallState, key: str) -> None:
        self.out.extend(self._text(line, state, key))

    def _say_service(self, line, state, service: model.Service, key: str) -> None:
        self.out.extend(self._service_text(line, state, service, key))

    def _text(self, line: model.Line, state: CallState, key: str) -> list[Speak]:
        prompt = self.config.prompt(state.lang, line.id, key)
        if prompt is None:
            log.error("line=%s lang=%s prompt %r is missing", line.id, state.lang, key)
            return []
        values = _Values(self, line.schedule, state.lang, line)
        return [Speak(prompt.text.format_map(values), state.lang, prompt.audio)]

    def _service_text(self, line, state: CallState, service: model.Service, key: str):
        prompt = self.config.prompt(state.lang, line.id, key)
        if prompt is None:
            return []
        values = _Values(self, service.schedule, state.lang, line)
        values.update(
            name=self.config.service_text(state.lang, service.id, "name") or service.id,
            about=self.config.service_text(state.lang, service.id, "about") or "",
            number=speech.spoken_number(service.number, state.lang),
        )
        # A recording cannot say a service's number or hours: always speech here.
        return [Speak(prompt.text.format_map(values), state.lang)]


# The interpreter, one row a type of action of `ivr.model`: what the call does on reaching the
# action, returning where it goes on (None: it now waits there) ...
PERFORM = {
    model.Say: CallFlow._speak,
    model.Goto: lambda flow, line, goto, state: state.go(goto.step),
    model.Menu: CallFlow._ask,
    model.Transfer: lambda flow, line, transfer, state: flow._transfer(
        line, state, transfer.to, transfer.timeout, transfer.on_failure
    ),
    model.Voicemail: CallFlow._record,
    model.Referral: CallFlow._referral,
}
# ... and, at an action that waits for the caller's keys, what their keys or silence lead to.
ANSWERS = {
    ("digits", model.Menu): CallFlow._menu_choice,
    ("silence", model.Menu): lambda flow, line, menu, state, _: flow._menu_silence(
        line, menu, state
    ),
    ("digits", model.Referral): CallFlow._referral_choice,
}


class _Values(dict):
    """Placeholder values, computed only when a prompt uses them."""

    def __init__(self, flow: CallFlow, schedule, lang: str, line: model.Line):
        super().__init__()
        self.flow, self.schedule, self.lang, self.line = flow, schedule, lang, line

    def __missing__(self, key: str) -> str:
        if key == "line":
            value = self.line.name
        elif key == "hours":
            value = speech.spoken_hours(self.schedule, self.lang)
        elif key == "next_open":
            if self.schedule is self.line.schedule:
                at = self.flow.next_opening(self.line)
            else:
                at = self.schedule.next_opening(self.flow.now)
            value = speech.spoken_moment(at, self.flow.now, self.schedule, self.lang)
        elif key == "number":
            value = speech.spoken_number(self.line.numbers[0], self.lang)
        else:
            value = ""
        self[key] = value
        return value
