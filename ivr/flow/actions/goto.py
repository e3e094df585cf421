"""`goto`: on to another step."""

from __future__ import annotations

from dataclasses import dataclass

from ivr.flow.actions.base import Action, Lead


@dataclass(frozen=True)
class Goto(Action):
    step: str

    keyword = "goto"

    @classmethod
    def read(cls, f, refs) -> Goto:
        target = f.text("goto")
        refs.steps.append((f.line("goto"), target))
        return cls(target)

    def perform(self, flow, line, state):
        return state.go(self.step)

    def leads(self) -> tuple[Lead, ...]:
        return (Lead(step=self.step),)
