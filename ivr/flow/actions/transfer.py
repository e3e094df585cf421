"""`transfer`: puts the caller through to a contact of the line (one phone, or a ring group),
to a partner service, or into one of our own lines; when nobody takes the call, `on_failure`
(or the next action), after saying a service's number to dial.

The helpers here (`put_through`, `dial_ended`, `whisper_and_screen`) serve the referral's
"press 1" and the built-in `redirect` step too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from ivr.domain import model, speech
from ivr.flow.actions.base import Action, Lead
from ivr.flow.instructions import Dial, DialResult, Gather, Hangup, Instruction, Speak
from ivr.flow.state import CallState
from ivr.flow.wording import say_service

# Records keep the logger name `ivr.flow` they had before the call flow became a package.
log = logging.getLogger("ivr.flow")

# Seconds the person who answers a screened transfer has to press a key, after the whisper.
SCREEN_SECONDS = 6
# What a transfer's failure is, for the probe: the outcome that `on_failure` follows.
NOT_ANSWERED = DialResult("no-answer", False)


@dataclass(frozen=True)
class Transfer(Action):
    to: str  # a contact of the line or a partner service
    timeout: int = 25
    on_failure: str | None = None  # None: go on with the next action of the step

    keyword = "transfer"
    settings = frozenset({"timeout", "on_failure"})
    waits = True

    @classmethod
    def read(cls, f, refs) -> Transfer:
        to = f.text("transfer") or ""
        refs.transfers.append((f.line("transfer"), to))
        refs.put_through.append((f.line("transfer"), "transfer", to))
        on_failure = f.text("on_failure", required=False)
        if on_failure:
            refs.steps.append((f.line("on_failure"), on_failure))
        return cls(to, f.number("timeout", 25, 5, 600), on_failure)

    def perform(self, flow, line, state):
        return put_through(flow, line, state, self.to, self.timeout, self.on_failure)

    def answer(self, flow, line, state, digits, dial):
        if state.event != "dial":
            return state
        return dial_ended(flow, line, state, dial, self.to, self.on_failure)

    def leads(self) -> tuple[Lead, ...]:
        ends = f"be put through to '{self.to}'"
        return (Lead(ends=ends, to=self.to), Lead(step=self.on_failure))

    def describe(self, probe, line, state, out):
        """Whom the call's own `<Dial>` rings (every phone of a ring group rung in order),
        and where the call goes when nobody takes it."""
        dialled = [item for item in out if isinstance(item, Dial)]
        if not dialled:  # into another of our lines, which the probe names
            return probe.stop("transfer", state)
        routes = list(dialled[-1].targets)
        after = probe.run(state.expecting("dial"), dial=NOT_ANSWERED)
        # The next phone of a group rung in order: the same action, another <Dial>.
        while probe.same_place(after, state) and len(routes) < 10:
            more = [item for item in after[0] if isinstance(item, Dial)]
            if not more:
                break
            routes += [r for r in more[-1].targets if r not in routes]
            after = probe.run(after[1].expecting("dial"), dial=NOT_ANSWERED)
        contact = self.to if self.to in line.contacts else None
        places, forwarded = probe.places(line, routes, contact_id=contact)
        return probe.stop(
            "transfer",
            state,
            places=places,
            choices=[(probe.NOBODY, probe.follow(after))],
            forwarded=contact if forwarded else None,
        )


def put_through(flow, line, state: CallState, to: str, timeout: int, on_failure):
    """To a contact of the line, a partner service by its id, or (only where an override sends
    calls: the built-in `redirect` step) a number, dialled as it is."""
    contact = line.contacts.get(to)
    if contact is not None:
        targets, event = _contact_targets(flow, line, contact, state.attempt)
        whisper = replace(state, event=event) if event else None
    elif to not in flow.config.services:
        route = flow.config.override_route(to) if to else None  # "": the override ended
        if route is None:
            if to:
                log.error("line=%s an override sends calls where nothing can dial", line.id)
            return failed(state, on_failure)
        # A partner service answers with its own system; a person's phone is screened.
        service = flow.config.service_by_number(route.number)
        targets, whisper = (route,), None if service else replace(state, event="screen")
    else:
        service = flow.config.service_for(to, state.lang)
        if service.line and service.line in flow.config.lines:
            # One of our own lines: straight into its flow, no second phone call.
            target = flow.config.lines[service.line]
            lang = state.lang if state.lang in target.languages else target.default_language
            return CallState(target.id, "", 0, lang, event="enter")
        if not service.answers(flow.now):
            return failed(state, on_failure)
        targets, whisper = (service.route,), None
    caller_id = flow.config.caller_id(line, targets, flow.dialled)
    flow.out.append(Dial(targets, caller_id, timeout, state.expecting("dial"), whisper=whisper))
    return None


def _contact_targets(flow, line, contact: model.Contact, attempt: int):
    """The phones to ring now, and what the person who answers hears first: the whisper
    and the key that takes the call ("screen"), the whisper alone, or nothing."""
    event = "screen" if contact.screening else "whisper"
    override = flow.override_for(line)
    if override is not None and override.forward_to:
        route = flow.config.override_route(override.forward_to)
        if route is not None:
            # A partner service answers with its own system; a person's phone is screened.
            service = flow.config.service_by_number(route.number)
            return (route,), None if service is not None else event
        log.error("line=%s override sends calls to a number with no route", line.id)
    if contact.ring == model.IN_ORDER:
        return (contact.routes[min(attempt, len(contact.routes) - 1)],), event
    return contact.routes, event


def whisper_and_screen(flow, state: CallState) -> list[Instruction]:
    """What the person who answers a transfer hears (see `CallFlow.whisper`)."""
    line = flow.config.lines[state.line]
    lang = line.default_language
    if state.event == "taken":
        return []  # the end of this document connects the two
    values = {"line": line.name, "language": speech.language_name(state.lang, lang)}
    said = [
        Speak(prompt.text.format_map(values), lang)
        for key in ("whisper", "screen" if state.event == "screen" else None)
        if key and (prompt := flow.config.prompt(lang, line.id, key)) is not None
    ]
    if state.event != "screen":
        return said
    taken = replace(state, event="taken")
    return [Gather(tuple(said), taken, 1, SCREEN_SECONDS), Hangup()]


def dial_ended(flow, line, state: CallState, result: DialResult, to: str, on_failure):
    """How a transfer to `to` ended: the caller talked to someone (the call is over once they
    hang up), the next phone of a group rung in order, or on to `on_failure` (a service's
    number said first, to dial themselves)."""
    result = result or DialResult("", False)
    flow.transfers.append((line.id, result.label))
    to_team = to in line.contacts
    if result.bridged:
        # The caller talked to someone; when the counsellor hangs up, so do we.
        flow.ended(line, state, "connected" if to_team else "referred")
        flow.out.append(Hangup())
        return None
    if to_team:
        contact = line.contacts[to]
        override = flow.override_for(line)
        forwarded = override is not None and override.forward_to
        if contact.ring == model.IN_ORDER and not forwarded:
            if state.attempt + 1 < len(contact.routes):
                # The next phone of the group; the caller hears it ring on.
                return replace(state, event="go", attempt=state.attempt + 1)
        flow.failed_transfers.append((line.id, to))
        return failed(state, on_failure)
    # A partner service we could not reach: the caller is told its number and when it
    # answers, to dial it themselves, before the step goes on.
    if to in flow.config.services:
        service = flow.config.service_for(to, state.lang)
    else:  # a number an override sends calls to: named if it is a service's
        service = flow.config.service_by_number(to)
        if service is None:
            flow.failed_transfers.append((line.id, "override"))
            return failed(state, on_failure)
    flow.failed_transfers.append((line.id, service.id))
    say_service(flow, line, state, service, "transfer_failed")
    return failed(state, on_failure)


def failed(state: CallState, on_failure: str | None) -> CallState:
    return state.go(on_failure) if on_failure else state.next_action()
