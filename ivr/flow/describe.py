"""Where a call goes, in an operator's words, worked out by the call flow itself.

What the board, `ivr status`, the week and the phone console say of a line is never read off
its steps by another walker: a `Probe` runs `CallFlow` from where a call starts, as Twilio
would drive it, and at each place the call waits asks that action to describe itself
(`Action.describe`), from what the call was just told to do (the numbers its `<Dial>` rings)
and from what follows each report back (a key, silence, a transfer nobody takes). So the
description changes with the overrides, the hours and the caller's language exactly as calls
do. Pure: no I/O; `Words` puts a description into sentences, in any language the caller of
it translates into.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from ivr.domain import model, speech
from ivr.flow.actions import End
from ivr.flow.instructions import Dial, Enqueue, Gather, Hangup, Record
from ivr.flow.interpreter import CallFlow, FlowError
from ivr.flow.state import CallState

# How far a description follows what comes after a wait: the first place, and what each key
# or a failed transfer leads to from there.
DEPTH = 2


@dataclass(frozen=True)
class Place:
    """Who a caller is put through to or told of, as the call itself reaches them."""

    kind: str  # contact, service, number, line
    id: str  # the contact's or service's id, the number, the line's id
    number: str | None = None  # the number rung or said


@dataclass(frozen=True)
class Stop:
    """A place where a call waits, and what follows it."""

    kind: str  # the action's: transfer, queue, menu, voicemail, referral, language, end; line, loop
    at: tuple[str, str, int]  # the line, step and action the call waits at
    places: tuple[Place, ...] = ()
    # What follows each report back: a key (`Probe.NO_KEY`: none, once asked enough) or
    # `Probe.NOBODY` (the transfer was not taken); None where the description stops.
    choices: tuple[tuple[str, Stop | None], ...] = ()
    # The contact whose transfer an override sends elsewhere (its phones do not ring).
    forwarded: str | None = None
    told: tuple[Place, ...] = ()  # the services the caller was told of on the way


class Probe:
    """Runs the call flow of one line from a state, and describes where it waits."""

    NO_KEY = "no key"
    NOBODY = "nobody"

    def __init__(self, config: model.Config, now: datetime, overrides, line: model.Line, duty=None):
        """`duty`: who is on duty, as `CallFlow` takes it; None: nobody (a queue step is
        described as the transfer to its team's numbers it then is)."""
        self.config, self.now, self.overrides, self.line = config, now, overrides, line
        self.duty = duty
        self.depth = 0

    def start(self, lang: str) -> Stop:
        """Where a call on the line, in `lang`, goes now: from its entry (the language
        chosen), open, closed or redirected as the call flow decides."""
        flow = CallFlow(self.config, self.now, self.overrides, duty=self.duty)
        return self.describe_from(flow.entry_state(self.line, lang))

    def describe_from(self, state: CallState) -> Stop:
        return self._described(self.run(state))

    # -- for the actions' `describe` ----------------------------------------------------------

    def run(self, state: CallState, digits: str | None = None, dial=None):
        """The call from `state` (as Twilio comes back with a report), up to its next wait:
        (what it was told, the state it waits at or None once it ended, the flow)."""
        flow = CallFlow(self.config, self.now, self.overrides, duty=self.duty)
        try:
            if state.event == "go" and digits is None and dial is None:
                out = flow.run(state)
            else:
                out = flow.resume(state, digits=digits, dial=dial)
        except FlowError:
            return (), None, None
        return tuple(out), waiting_at(out), flow

    def after(self, state: CallState, digits: str | None = None, dial=None) -> Stop | None:
        """What follows a report back (`digits`, `dial`) to the action at `state`."""
        return self.follow(self.run(state, digits, dial))

    def follow(self, ran) -> Stop | None:
        """The next place's description, None past `DEPTH`."""
        if self.depth >= DEPTH:
            return None
        self.depth += 1
        try:
            return self._described(ran)
        finally:
            self.depth -= 1

    def same_place(self, ran, state: CallState) -> bool:
        waiting = ran[1]
        return waiting is not None and _at(waiting) == _at(state)

    def places(self, line: model.Line, routes, contact_id: str | None = None):
        """Who the routes a `<Dial>` rings are: the contact's own phones, a partner service,
        or a number; and whether a contact's transfer goes elsewhere (an override)."""
        contact = line.contacts.get(contact_id) if contact_id else None
        own = set(contact.numbers) if contact else set()
        found, forwarded = [], False
        for route in routes:
            if route.number in own:
                found.append(Place("contact", contact_id, route.number))
                continue
            forwarded = forwarded or contact is not None
            service = self.config.service_by_number(route.number)
            if service is not None:
                found.append(Place("service", service.id, route.number))
            else:
                found.append(Place("number", route.number, route.number))
        return tuple(found), forwarded

    def service(self, service_id: str, lang: str) -> Place:
        service = self.config.service_for(service_id, lang)
        return Place("service", service.id, service.number)

    def stop(self, kind: str, state: CallState, **fields) -> Stop:
        fields["choices"] = tuple(fields.get("choices", ()))
        return Stop(kind, _at(state), **fields)

    # -- inside --------------------------------------------------------------------------------

    def _described(self, ran) -> Stop:
        out, waiting, flow = ran
        if flow is None:
            return Stop("loop", (self.line.id, "", 0))
        told = tuple(
            Place("service", s, self.config.services[s].number)
            for s in flow.referred
            if s in self.config.services
        )
        if waiting is None:
            end = CallState(self.line.id, model.END, 0)
            return replace(End().describe(self, self.line, end, out), told=told)
        if waiting.line != self.line.id:
            into = self.config.lines[waiting.line]
            return Stop("line", _at(waiting), (Place("line", into.id),), told=told)
        line = self.config.lines[waiting.line]
        actions = flow.actions(line, waiting.step)
        if not 0 <= waiting.pc < len(actions):
            return Stop("loop", _at(waiting))
        stop = actions[waiting.pc].describe(self, line, waiting, out)
        return replace(stop, told=told)


def waiting_at(out) -> CallState | None:
    """Where the call waits after these instructions: the state its `<Gather>`, `<Dial>` or
    `<Record>` comes back with; None when it was hung up."""
    for item in reversed(out):
        if isinstance(item, Gather | Dial | Record | Enqueue):
            return item.next
        if isinstance(item, Hangup):
            return None
    return None


def _at(state: CallState) -> tuple[str, str, int]:
    return (state.line, state.step, state.pc)


def route(config, line: model.Line, now: datetime, overrides=None, duty=None) -> dict[str, Stop]:
    """Where a call on `line` goes at `now`, in each of its languages (`duty`: who is on duty,
    `ivr.runtime.queue_work.QueueWork.duty`)."""
    probe = Probe(config, now, overrides, line, duty)
    return {lang: probe.start(lang) for lang in line.languages}


def route_from(config, line: model.Line, now: datetime, step: str, overrides=None, duty=None):
    """Where a call goes from `step` (the closed path, for the week), in each language."""
    probe = Probe(config, now, overrides, line, duty)
    return {lang: probe.describe_from(CallState(line.id, step, 0, lang)) for lang in line.languages}


def _deeper(stop: Stop, depth: int) -> int:
    """How deep what follows a stop is said: a menu's keys in brief, a transfer's failure
    one level further."""
    return DEPTH if stop.kind in ("menu", "language") else depth + 1


def english(text: str, **values) -> str:
    return text % values if values else text


class Words:
    """A description in an operator's words. `tr` translates the English texts (the console
    passes its catalogues', into which Babel extracts every `tr("…")` here: each text is
    written in such a call); `names` are the languages a service's name is looked up in, in
    order; `number` writes a number as operators read it. Without a line, it only names
    places (`place`, `service_name`)."""

    def __init__(
        self,
        config: model.Config,
        line: model.Line | None,
        tr: Callable[..., str] = english,
        names: tuple[str, ...] = (),
        number: Callable[[str], str] = speech.written_number,
        language_name: Callable[[str], str] | None = None,
    ):
        self.config, self.line, self.tr, self.number = config, line, tr, number
        self.names = (*names, *(line.languages if line else ()), *sorted(config.prompts))
        self.language_name = language_name or (lambda code: speech.language_name(code, "en"))

    # -- one language, or all of them ----------------------------------------------------------

    def route(self, stops: dict[str, Stop]) -> str:
        """Where a call goes, in every language: what most callers meet, and in brackets
        what callers of another language meet instead ("Télé-Accueil 107 (in Dutch:
        Tele-Onthaal 106)")."""
        text = self._merged(stops, 0)
        if len(self.line.languages) > 1:
            return self.tr("the language choice, then %(route)s", route=text)
        return text

    def outline(self, stops: dict[str, Stop]) -> tuple[str, list[str]]:
        """For a board: where a call goes, and when that is a menu, what each key does
        ('1 → Télé-Accueil 107 (in Dutch: Tele-Onthaal 106)', 'no key → …')."""
        first = next(iter(stops.values()))
        keys = [key for key, _ in first.choices]
        if first.kind != "menu" or any(
            s.kind != "menu" or [k for k, _ in s.choices] != keys for s in stops.values()
        ):
            return self._merged(stops, 0), []
        options = []
        for i, key in enumerate(keys):
            after = {lang: s.choices[i][1] for lang, s in stops.items()}
            if all(then is not None and then.at == first.at for then in after.values()):
                text = self.tr("hear it again")
            else:
                text = self._merged(after, DEPTH)
            label = self.tr("no key") if key == Probe.NO_KEY else key
            options.append(f"{label} → {text}")
        return self.tr("menu"), options

    def _merged(self, stops: dict[str, Stop | None], depth: int) -> str:
        texts = {lang: self.stop(stop, depth) for lang, stop in stops.items()}
        if len(set(texts.values())) == 1:
            return next(iter(texts.values()))
        first = next(iter(stops.values()))
        alike = all(
            s is not None
            and first is not None
            and (s.kind, s.forwarded, [k for k, _ in s.choices])
            == (first.kind, first.forwarded, [k for k, _ in first.choices])
            for s in stops.values()
        )
        if not alike:
            return self._by_language(texts)
        places = self._by_language({lang: self.places(s) for lang, s in stops.items()})
        told = self._by_language({lang: self._told_names(s) for lang, s in stops.items()})
        deeper = _deeper(first, depth)
        children = [
            self._merged({lang: s.choices[i][1] for lang, s in stops.items()}, deeper)
            for i in range(len(first.choices))
        ]
        return self._node(first, places, children, depth, told)

    def _by_language(self, texts: dict[str, str]) -> str:
        """The text most languages share (the line's first language's, on a tie), and the
        others by language."""
        counts = {}
        for lang, text in texts.items():
            counts.setdefault(text, []).append(lang)
        main = max(
            counts, key=lambda text: (len(counts[text]), text == texts[self.line.languages[0]])
        )
        others = [
            self.tr("in %(language)s: %(route)s", language=self.language_name(lang), route=text)
            for lang, text in texts.items()
            if text != main
        ]
        return main + (f" ({'; '.join(others)})" if others else "")

    # -- one description -----------------------------------------------------------------------

    def stop(self, stop: Stop | None, depth: int = 0) -> str:
        """A stop's words: in full at the top, what follows it only down to `DEPTH` (a menu's
        keys are said one level deep, a transfer's failure two)."""
        if stop is None:
            return ""
        children = [self.stop(then, _deeper(stop, depth)) for _, then in stop.choices]
        return self._node(stop, self.places(stop), children, depth, self._told_names(stop))

    def _node(self, stop: Stop, places: str, children: list[str], depth: int, told: str) -> str:
        """`places`, `children` and `told`: the words of whom the stop rings, of what follows
        each choice, of the services the caller was told of (each perhaps by language)."""
        tr, kind = self.tr, stop.kind

        def after_told(text: str) -> str:
            if not told:
                return text
            return tr("told about %(services)s, then %(then)s", services=told, then=text)

        if kind == "end":
            return tr("told where to turn (107, 112, 101), then the call ends")
        if kind == "voicemail":
            return after_told(tr("voicemail"))
        if kind == "loop":
            return tr("a loop of steps")
        if kind == "line":
            return tr("the line %(name)s", name=places)
        if kind == "referral":
            return tr("told about %(services)s", services=told)
        if kind == "transfer":
            text = places
            person = stop.forwarded or (stop.places and stop.places[0].kind == "contact")
            # What follows a transfer to a service is said only at the top (an override's
            # `--to`, where the line's closed path follows); after a person, down to DEPTH.
            if children and children[0] and depth < (DEPTH if person else 1):
                if person:
                    then = tr("if nobody takes the call → %(then)s", then=children[0])
                else:
                    then = tr("if that fails → %(then)s", then=children[0])
                text = f"{text}; {then}"
            return after_told(text)
        if kind == "queue":
            text = tr("waiting in line for the counsellors on duty")
            if depth >= DEPTH:
                return after_told(text)
            parts = []
            for (key, _then), words in zip(stop.choices, children, strict=True):
                if not words:
                    continue
                if key == Probe.NOBODY:
                    parts.append(tr("if nobody takes the call → %(then)s", then=words))
                else:
                    parts.append(f"{key} → {words}")
            return after_told("; ".join([text, *parts]))
        if kind in ("menu", "language"):
            name = tr("a menu") if kind == "menu" else tr("the language choice")
            if depth >= DEPTH:
                return after_told(name)
            keys, otherwise = [], ""
            for (key, then), words in zip(stop.choices, children, strict=True):
                if key == Probe.NO_KEY:
                    otherwise = words
                elif then is not None and then.at == stop.at:
                    keys.append((key, tr("hear it again")))
                else:
                    keys.append((key, words))
            text = f"{name}: " + ", ".join(f"{key} → {words}" for key, words in keys)
            if otherwise and all(words != otherwise for _, words in keys):
                text += ", " + tr("otherwise → %(then)s", then=otherwise)
            return after_told(text)
        return kind

    def _told_names(self, stop: Stop | None) -> str:
        if stop is None:
            return ""
        return ", ".join(dict.fromkeys(self.place(p) for p in stop.told))

    def places(self, stop: Stop | None) -> str:
        """Whom a stop rings: 'the team (+32 2 000 00 01)', 'the team, forwarded to
        Tele-Onthaal 106', 'Télé-Accueil 107', the line's name."""
        if stop is None or not stop.places:
            return ""
        contacts = [p for p in stop.places if p.kind == "contact"]
        others = [self.place(p) for p in stop.places if p.kind != "contact"]
        if stop.forwarded:
            return self.tr(
                "the %(contact)s, forwarded to %(where)s",
                contact=stop.forwarded,
                where=", ".join(others),
            )
        if contacts:
            numbers = ", ".join(self.number(p.number) for p in contacts if p.number)
            return self.tr("the %(contact)s (%(numbers)s)", contact=contacts[0].id, numbers=numbers)
        return ", ".join(others)

    def place(self, place: Place) -> str:
        if place.kind == "line":
            line = self.config.lines.get(place.id)
            return line.name if line else place.id
        if place.kind == "service":
            return self.service_name(place.id)
        return self.number(place.id)

    def service_name(self, service_id: str) -> str:
        """'Télé-Accueil 107': a partner service by its name in the prompts, and its number;
        one of our own lines by its name."""
        service = self.config.services.get(service_id)
        if service is None:
            return service_id
        if service.line in self.config.lines:
            return self.tr("the line %(name)s", name=self.config.lines[service.line].name)
        name = next(
            (n for lang in self.names if (n := self.config.service_text(lang, service_id, "name"))),
            service_id,
        )
        return f"{name} {self.number(service.number)}"
