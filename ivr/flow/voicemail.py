"""Takes a message: the prompt, the recording, and the thanks once it is kept, or the truth
when it could not be.

Each function takes the `CallFlow` answering the request as `flow`.
"""

from __future__ import annotations

from ivr import model
from ivr.flow.instructions import Hangup, Record, Redirect
from ivr.flow.state import CallState
from ivr.flow.wording import say
from ivr.model import END


def record(flow, line: model.Line, voicemail: model.Voicemail, state: CallState) -> None:
    """A `voicemail` action: its prompt, then the call waits while the caller speaks."""
    say(flow, line, state, voicemail.prompt)
    flow.out.append(Record(voicemail.max_length, state.expecting("recorded")))
    # Twilio skips the action URL when nothing was recorded and goes on here.
    flow.out.append(Redirect(state.next_action()))


def recorded(flow, line: model.Line, state: CallState) -> CallState:
    """The message is kept: the caller is thanked, and told where to turn, before goodbye."""
    flow.ended(line, state, "voicemail")
    say(flow, line, state, "voicemail_thanks")
    return state.go(END)


def not_kept(flow, line: model.Line, state: CallState) -> None:
    """The message could not be kept (neither the disk nor the database took it): the caller
    hears so plainly, with where to turn now and the emergency numbers, instead of thanks for
    a message nobody may hear. (Twilio keeps the recording: the reconcile round may still take
    it in, and someone call back; a caller told otherwise would wait for a call.)"""
    flow.ended(line, state, "voicemail not kept")
    say(flow, line, state, "voicemail_not_kept")
    flow.out.append(Hangup())
