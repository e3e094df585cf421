"""Where a call goes next: the routing decisions, with no Flask and no I/O.

A call's whole state travels in the URLs Twilio requests (`CallState`, signed by the web layer),
so any worker can serve any request. Each request names the action the call is waiting at
(`step`, `pc`) and what happened there (`event`); `CallFlow` answers with the instructions
Twilio should follow next, up to the next point where the call waits for the caller or for a
dialled line.

No path ends in silence: a step that runs out of actions goes to the built-in `end`, which says
where to turn (the `goodbye` prompt: 107, 112, 101) before hanging up.

One module a concern: `state` (`CallState`), `instructions` (what Twilio is told, and what it
reports back), `interpreter` (`CallFlow`), `actions` (the action types, one module each, in
one registry), `wording` (the prompts, their placeholders filled), `overrides` (the operators'
overrides at the call's instant) and `describe` (where a call goes, in an operator's words,
worked out by running the call flow itself).
"""

from ivr.flow.actions import LANGUAGE_TRIES, REFERRAL_RING, REGISTRY, SCREEN_SECONDS
from ivr.flow.instructions import (
    DIAL_CONNECTED,
    DIAL_STATUSES,
    NOT_KEYPAD,
    Dial,
    DialResult,
    Enqueue,
    Gather,
    Hangup,
    Instruction,
    Leave,
    Pause,
    Record,
    Redirect,
    Speak,
    clean_digits,
)
from ivr.flow.interpreter import MAX_STEPS_PER_REQUEST, CallFlow, FlowError
from ivr.flow.state import ANSWERING_EVENTS, WAITING_EVENTS, CallState, ConsoleState

__all__ = [
    "ANSWERING_EVENTS",
    "DIAL_CONNECTED",
    "DIAL_STATUSES",
    "LANGUAGE_TRIES",
    "MAX_STEPS_PER_REQUEST",
    "NOT_KEYPAD",
    "REFERRAL_RING",
    "REGISTRY",
    "SCREEN_SECONDS",
    "WAITING_EVENTS",
    "CallFlow",
    "CallState",
    "ConsoleState",
    "Dial",
    "DialResult",
    "Enqueue",
    "FlowError",
    "Gather",
    "Hangup",
    "Instruction",
    "Leave",
    "Pause",
    "Record",
    "Redirect",
    "Speak",
    "clean_digits",
]
