"""`voicemail`: the prompt, the recording; the caller is thanked once it is kept."""

from __future__ import annotations

from dataclasses import dataclass

from ivr.domain.model import END
from ivr.flow.actions.base import Action, Lead
from ivr.flow.instructions import Hangup, Record, Redirect
from ivr.flow.wording import LINE_PLACEHOLDERS, say


@dataclass(frozen=True)
class Voicemail(Action):
    prompt: str
    max_length: int = 180

    keyword = "voicemail"
    takes_messages = True
    settings = frozenset({"max_length"})
    waits = True

    @classmethod
    def read(cls, f, refs) -> Voicemail:
        prompt = f.text("voicemail") or ""
        refs.prompts.append((f.line("voicemail"), prompt, LINE_PLACEHOLDERS))
        return cls(prompt, f.number("max_length", 180, 10, 600))

    def perform(self, flow, line, state):
        say(flow, line, state, self.prompt)
        flow.out.append(Record(self.max_length, state.expecting("recorded")))
        # Twilio skips the action URL when nothing was recorded and goes on here.
        flow.out.append(Redirect(state.next_action()))
        return None

    def leads(self) -> tuple[Lead, ...]:
        not_kept = "hear that their message could not be kept ('voicemail_not_kept', then it ends)"
        return (
            Lead(heard=(self.prompt, "voicemail_not_kept"), ends=not_kept),
            Lead(step=END, heard=(self.prompt, "voicemail_thanks")),
            Lead(heard=(self.prompt,)),
        )

    def describe(self, probe, line, state, out):
        return probe.stop("voicemail", state)


def recorded(flow, line, state):
    """The message is kept: the caller is thanked, and told where to turn, before goodbye."""
    flow.ended(line, state, "voicemail")
    say(flow, line, state, "voicemail_thanks")
    return state.go(END)


def not_kept(flow, line, state) -> None:
    """The message could not be kept (neither the disk nor the database took it): the caller
    hears so plainly, with where to turn now and the emergency numbers, instead of thanks for
    a message nobody may hear. (Twilio keeps the recording: the reconcile round may still take
    it in, and someone call back; a caller told otherwise would wait for a call.)"""
    flow.ended(line, state, "voicemail not kept")
    say(flow, line, state, "voicemail_not_kept")
    flow.out.append(Hangup())
