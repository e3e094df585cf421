"""Takes a message: the prompt, the recording, and the thanks once it is kept.

Each function takes the `CallFlow` answering the request as `flow`.
"""

from __future__ import annotations

from ivr import model
from ivr.flow.instructions import Record, Redirect
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
