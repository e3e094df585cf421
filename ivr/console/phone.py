"""The coordinators' phone console, as a call flow: a coordinator calls the console's number
from a phone `console.yaml` lists, enters a PIN, and closes, opens or sends elsewhere a line
until a time, or hears how the lines stand. Pure: no Flask, no I/O; the webhooks
(`ivr.console.phone_calls`) check the PIN and set the override it asks for, then say how it went.

It runs on the lines' engine: its words are the `console:` section of `prompts/<lang>.yaml`,
said through `ivr.flow.wording` as a line's prompts are (and checked by `ivr check` as they
are); it answers with the same instructions, rendered by the same TwiML; its state
(`ivr.flow.ConsoleState`) travels signed by the same codec (`ivr.twilio.links.StateCodec`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ivr.domain import model, speech
from ivr.domain.schedule import next_time_of_day
from ivr.flow import ConsoleState, Gather, Hangup, Speak, clean_digits, wording
from ivr.flow.status import line_status

# Wrong PINs in a row on one call before it ends (the webhooks also count them per account).
PIN_TRIES = 3
MAX_LINES = 9  # one key each
MINUTE = "%Y%m%d%H%M"  # how the end travels in the state
# The kinds of override, as `ivr.console.overrides` names them.
CLOSE, OPEN, REDIRECT, CLEAR = "closed", "open", "redirect", "clear"
# What a counsellor on duty asks by phone (the webhooks do it, then `after_duty`).
START, RENEW, STOP, READY = "start", "renew", "stop", "ready"
DUTY_KEYS = {"1": RENEW, "2": STOP, "3": READY}  # on duty; off duty, 1 starts a shift
__all__ = [
    "CLEAR",
    "CLOSE",
    "OPEN",
    "REDIRECT",
    "ConsoleFlow",
    "ConsoleState",
    "DutyView",
    "Wanted",
]


@dataclass(frozen=True)
class Wanted:
    """An override a coordinator confirmed: its line, kind (CLOSE, OPEN, REDIRECT), where it
    sends calls (a service id, for REDIRECT) and its end."""

    line: str
    kind: str
    to: str
    until: datetime


@dataclass(frozen=True)
class DutyView:
    """What the duty menu says, read by the webhooks: whether the caller is a coordinator (a
    counsellor's PIN opens the duty menu alone), their shift now (`store.duty`'s dict, or
    None), the lines a shift started by phone takes, and, when the phone they call from
    cannot take a shift, the console prompt that says why."""

    coordinator: bool
    shift: dict | None
    lines: tuple[str, ...]
    refused: str | None = None
    hours: int = 8


class ConsoleFlow:
    """Answers one request of a console call, at one instant."""

    def __init__(
        self, console: model.PhoneConsole, config: model.Config, now, overrides, lines=None
    ):
        """`lines`: the ids of the lines the coordinator may hear and change (their grants,
        `ivr.console.access`); None: every line."""
        self.console = console
        self.mine = lines
        self.config = config
        self.now = now
        self.overrides = overrides
        self.lang = console.language
        self.out: list = []

    # -- the steps -----------------------------------------------------------------------

    def answer(self, operator: str) -> list:
        return self._ask(ConsoleState("pin", operator), ["pin"], digits=None)

    def after_pin(self, state: ConsoleState, outcome: str, duty: DutyView | None = None) -> list:
        """`outcome`: right, wrong, locked (too many tries), away (the database). Right, a
        counsellor (`duty` says so) hears the duty menu, a coordinator the lines."""
        if outcome == "right":
            if duty is not None and not duty.coordinator:
                return self.duty(state, duty)
            return self.lines(state)
        if outcome in ("locked", "away"):
            return self._end(outcome)
        if state.tries + 1 >= PIN_TRIES:
            return self._end("tries")
        self._say("wrong_pin")
        return self._ask(replace(state, tries=state.tries + 1), ["pin"], digits=None)

    def lines(self, state: ConsoleState) -> list:
        keys = [
            self._text("line", name=line.name, key=key)
            for key, line in enumerate(self._lines(), start=1)
        ]
        keys.append(self._text("all"))
        keys.append(self._text("duty_key"))
        return self._ask(replace(state, step="line", line="", action=""), keys, digits=1)

    def on_line(self, state: ConsoleState, digits: str) -> list:
        key = clean_digits(digits)
        choices = self._lines()
        if key == "0":
            for line in choices:
                self._line_status(line)
            return self.lines(state)
        if not key.isdigit() or not 1 <= int(key) <= len(choices):
            return self.lines(state)
        return self.actions(replace(state, line=choices[int(key) - 1].id))

    def actions(self, state: ConsoleState) -> list:
        if state.line not in {line.id for line in self._lines()}:
            return self.lines(state)
        line = self.config.lines[state.line]
        self._line_status(line)
        keys = [self._text("actions")]
        if self._redirect_service():
            keys.append(self._text("redirect", service=self._service_name()))
        keys.append(self._text("clear"))
        return self._ask(replace(state, step="action"), keys, digits=1)

    def on_action(self, state: ConsoleState, digits: str) -> tuple[list, str | None]:
        """The next instructions, and CLEAR when the webhooks must end the override first."""
        key = clean_digits(digits)
        chosen = {"1": CLOSE, "2": OPEN}
        if self._redirect_service():
            chosen["3"] = REDIRECT
        if key == "*":
            return self.lines(state), None
        if key == "9":
            return [], CLEAR
        if key not in chosen:
            return self.actions(state), None
        return self._ask(replace(state, step="until", action=chosen[key]), ["until"], None), None

    def on_until(self, state: ConsoleState, digits: str) -> list:
        at = self.until(state, clean_digits(digits))
        if at is None:
            self._say("not_a_time")
            return self._ask(state, ["until"], digits=None)
        state = replace(state, step="confirm", until=at.astimezone(UTC).strftime(MINUTE))
        line = self.config.lines[state.line]
        spoken = self._spoken_until(line, at)
        what = {CLOSE: "confirm_close", OPEN: "confirm_open", REDIRECT: "confirm_redirect"}
        self._say(what[state.action], name=line.name, until=spoken, service=self._service_name())
        return self._ask(state, ["confirm"], digits=1)

    def on_confirm(self, state: ConsoleState, digits: str) -> tuple[list, Wanted | None]:
        """The override the webhooks must set, once the coordinator pressed 1."""
        try:
            until = datetime.strptime(state.until, MINUTE).replace(tzinfo=UTC)
        except ValueError:
            until = None
        if clean_digits(digits) != "1" or until is None:
            return self.actions(replace(state, step="action", action="", until="")), None
        if until <= self.now:
            self._say("past")
            return self.actions(replace(state, step="action", action="", until="")), None
        to = self._redirect_service() if state.action == REDIRECT else ""
        return [], Wanted(state.line, state.action, to or "", until)

    def after(self, state: ConsoleState, outcome: str) -> list:
        """What the coordinator hears once the webhooks did what was asked: done, cleared,
        nothing_to_clear, overlap, refused, away (the database): each is a console prompt."""
        if outcome == "away":
            return self._end("away")
        self._say(outcome)
        return self.actions(replace(state, step="action", action="", until=""))

    # -- on duty -------------------------------------------------------------------------

    def duty(self, state: ConsoleState, view: DutyView) -> list:
        """Where the caller's shift stands, and what they may do: start one on this phone,
        or renew it, end it, be ready again after a call."""
        state = replace(state, step="duty", line="", action="", until="")
        keys = []
        shift = view.shift
        if shift is None:
            self._say("off_duty")
            if view.refused:
                self._say(view.refused)
            elif view.lines:
                keys.append(self._text("duty_start", lines=self._line_names(view.lines)))
        else:
            lines = tuple(line for line in shift["lines"] if line in self.config.lines)
            self._say(
                "on_duty",
                lines=self._line_names(lines),
                until=self._spoken(lines, shift["ends_at"]),
            )
            if shift["state"] == "not ready" and shift.get("ready_at"):
                self._say("not_ready", until=self._spoken(lines, shift["ready_at"]))
            keys.append(self._text("duty_actions", hours=str(view.hours)))
            if shift["state"] == "not ready":
                keys.append(self._text("duty_ready"))
        if view.coordinator:
            keys.append(self._text("duty_back"))
        if not keys:
            return self._end("goodbye")
        return self._ask(state, keys, digits=1)

    def on_duty_key(self, state: ConsoleState, digits: str, view: DutyView):
        """(instructions, what the webhooks must do: START, RENEW, STOP, READY or None)."""
        key = clean_digits(digits)
        if key == "*" and view.coordinator:
            return self.lines(state), None
        if view.shift is None:
            if key == "1" and view.lines and not view.refused:
                return [], START
        elif key in DUTY_KEYS:
            if DUTY_KEYS[key] != READY or view.shift["state"] == "not ready":
                return [], DUTY_KEYS[key]
        return self.duty(state, view), None

    def after_duty(self, state: ConsoleState, outcome: str, view: DutyView) -> list:
        """What the caller hears once the webhooks did what was asked: duty_started,
        duty_renewed, duty_stopped, duty_is_ready, duty_over, phone_refused, away."""
        if outcome == "away":
            return self._end("away")
        self._say(outcome)
        if outcome == "duty_stopped" and not view.coordinator:
            return self._end("goodbye")
        return self.duty(state, view)

    def withheld(self) -> list:
        """A call to the console with its caller ID withheld: why it cannot go on (the
        webhooks follow it with the safe answer: the emergency numbers, 107)."""
        self._say("withheld")
        return self.out

    def _line_names(self, lines) -> str:
        names = [self.config.lines[line].name for line in lines if line in self.config.lines]
        return ", ".join(names)

    def _spoken(self, lines, at: datetime) -> str:
        line = self.config.lines.get(lines[0]) if lines else None
        line = line or next(iter(self.config.lines.values()))
        return self._spoken_until(line, at)

    # -- how it is said ----------------------------------------------------------------------

    def until(self, state: ConsoleState, hhmm: str) -> datetime | None:
        """The next time it is `hhmm` at the line (today, or tomorrow if that is past):
        0000 is the coming midnight. (Not '#' alone: Twilio does not call back for it.)"""
        if len(hhmm) != 4 or not hhmm.isdigit():
            return None
        hours, minutes = int(hhmm[:2]), int(hhmm[2:])
        if hours > 23 or minutes > 59:
            return None
        timezone = self.config.lines[state.line].schedule.timezone
        return next_time_of_day(self.now, timezone, hours, minutes)

    def _spoken_until(self, line: model.Line, at: datetime) -> str:
        return speech.spoken_moment(at, self.now, line.schedule, self.lang)

    def _line_status(self, line: model.Line) -> None:
        s = line_status(self.config, line, self.now, self.overrides)
        self._say("open" if s.open else "closed", name=line.name)
        if s.overridden and s.changes_at is not None:
            self._say("override", until=self._spoken_until(line, s.changes_at))

    def _lines(self) -> list[model.Line]:
        lines = [li for li in self.config.lines.values() if self.mine is None or li.id in self.mine]
        return sorted(lines, key=lambda li: li.name.lower())[:MAX_LINES]

    def _redirect_service(self) -> str | None:
        return self.console.redirect_to

    def _service_name(self) -> str:
        sid = self.console.redirect_to or ""
        return self.config.service_text(self.lang, sid, "name") or sid

    def _text(self, said: str, **values) -> list[Speak]:
        return wording.console_text(self, said, **values)

    def _say(self, said: str, **values) -> None:
        self.out.extend(self._text(said, **values))

    def _ask(self, state: ConsoleState, keys: list, digits: int | None) -> list:
        """`keys`: the prompts asking, each a console prompt's name or what `_text` made."""
        said = [s for k in keys for s in (self._text(k) if isinstance(k, str) else k)]
        self.out.append(Gather(tuple(said), state, digits, 10 if digits is None else 6))
        self._say("goodbye")
        self.out.append(Hangup())
        return self.out

    def _end(self, key: str) -> list:
        self._say(key)
        self.out.append(Hangup())
        return self.out
