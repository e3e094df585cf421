"""The built-in `end` step: says where to turn (the `goodbye` prompt: 107, 112, 101), then
hangs up. Every way through a line's steps comes to it, so no call ends in silence."""

from __future__ import annotations

from dataclasses import dataclass

from ivr.flow.actions.base import Action, Lead
from ivr.flow.instructions import Hangup
from ivr.flow.wording import say


@dataclass(frozen=True)
class End(Action):
    def perform(self, flow, line, state):
        say(flow, line, state, "goodbye")
        flow.out.append(Hangup())
        flow.ended(line, state, "ended after message")
        return None

    def leads(self) -> tuple[Lead, ...]:
        return (
            Lead(heard=("goodbye",), ends="reach the end of the call ('goodbye', then it ends)"),
        )

    def describe(self, probe, line, state, out):
        return probe.stop("end", state)
