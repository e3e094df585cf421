"""`say`: prompts, one after the other, then on to the next action."""

from __future__ import annotations

from dataclasses import dataclass

from ivr.flow.actions.base import Action, Lead
from ivr.flow.wording import LINE_PLACEHOLDERS, say


@dataclass(frozen=True)
class Say(Action):
    prompts: tuple[str, ...]

    keyword = "say"

    @classmethod
    def read(cls, f, refs) -> Say | None:
        seq = f.sequence("say")
        if not seq:
            return None
        for key, ln in zip(seq, seq.item_lines, strict=True):
            refs.prompts.append((ln, str(key), LINE_PLACEHOLDERS))
        return cls(tuple(str(k) for k in seq))

    def perform(self, flow, line, state):
        for key in self.prompts:
            say(flow, line, state, key)
        return state.next_action()

    def leads(self) -> tuple[Lead, ...]:
        return (Lead(heard=self.prompts),)
