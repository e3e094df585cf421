"""Puts the caller through: to a line's contacts and ring groups, to a partner service or one of
our own lines, and when a transfer fails or a referral only gives a number, says where to turn.

Each function takes the `CallFlow` answering the request as `flow`.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from ivr import model, speech
from ivr.flow.instructions import Dial, DialResult, Gather, Hangup, Instruction, Redirect, Speak
from ivr.flow.state import CallState
from ivr.flow.wording import say_service, service_text

# Records keep the logger name `ivr.flow` they had before the call flow became a package.
log = logging.getLogger(__package__)

# Seconds the person who answers a screened transfer has to press a key, after the whisper.
SCREEN_SECONDS = 6
# Seconds a referral's "press 1 to be put through" lets the service ring.
REFERRAL_RING = 20


def transfer(flow, line, state: CallState, to: str, timeout: int, on_failure):
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
            return _dial_failed(state, on_failure)
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
            return _dial_failed(state, on_failure)
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


def dial_result(flow, line, action, state: CallState, result: DialResult):
    flow.transfers.append((line.id, result.label))
    if result.bridged:
        # The caller talked to someone; when the counsellor hangs up, so do we.
        to_team = isinstance(action, model.Transfer) and action.to in line.contacts
        flow.ended(line, state, "connected" if to_team else "referred")
        flow.out.append(Hangup())
        return None
    if isinstance(action, model.Transfer) and action.to in line.contacts:
        contact = line.contacts[action.to]
        override = flow.override_for(line)
        forwarded = override is not None and override.forward_to
        if contact.ring == model.IN_ORDER and not forwarded:
            if state.attempt + 1 < len(contact.routes):
                # The next phone of the group; the caller hears it ring on.
                return replace(state, event="go", attempt=state.attempt + 1)
        flow.failed_transfers.append((line.id, action.to))
        return _dial_failed(state, action.on_failure)
    # A partner service we could not reach: the caller is told its number and when it
    # answers, to dial it themselves, before the step goes on.
    service_id = action.to if isinstance(action, model.Transfer) else action.service
    on_failure = action.on_failure if isinstance(action, model.Transfer) else None
    if service_id in flow.config.services:
        service = flow.config.service_for(service_id, state.lang)
    else:  # a number an override sends calls to: named if it is a service's
        service = flow.config.service_by_number(service_id)
        if service is None:
            flow.failed_transfers.append((line.id, "override"))
            return _dial_failed(state, on_failure)
    flow.failed_transfers.append((line.id, service.id))
    say_service(flow, line, state, service, "transfer_failed")
    return _dial_failed(state, on_failure)


def _dial_failed(state: CallState, on_failure: str | None) -> CallState:
    return state.go(on_failure) if on_failure else state.next_action()


def refer(flow, line, action: model.Referral, state: CallState):
    """A `referral` action: the service's number and hours, and while it answers, when
    the line offers it, a key that puts the caller through."""
    service = flow.config.service_for(action.service, state.lang)
    schedule = service.schedule
    open_now = service.answers(flow.now)
    key = "referral_always" if schedule.always_open and not schedule.exceptions else "referral"
    said = service_text(flow, line, state, service, key)
    if not open_now:
        said += service_text(flow, line, state, service, "referral_closed")
    if action.offer_transfer and open_now:
        said += service_text(flow, line, state, service, "referral_offer")
        flow.out.append(Gather(tuple(said), state.expecting("digits"), 1, 5))
        flow.out.append(Redirect(state.next_action()))
        return None
    flow.out.extend(said)
    return state.next_action()


def referral_choice(flow, line, referral: model.Referral, state: CallState, digits: str):
    """1 puts the caller through to the service; any other key goes on."""
    if digits == "1":
        service = flow.config.service_for(referral.service, state.lang)
        return transfer(flow, line, state, service.id, REFERRAL_RING, None)
    return state.next_action()
