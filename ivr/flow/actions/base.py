"""What every action type answers, and the defaults of those that need no answer of their own.

An action type is a frozen dataclass, subclass of `Action`, in a module of its own beside this
one, listed once in the registry (`ivr.flow.actions.REGISTRY`). Everything else asks it:
`ivr.config` reads it through `read`, the interpreter calls `perform` and `answer`, the
configuration's graph checks follow its `leads`, and what operators are told of a call (the
board, `ivr status`, the week, the phone console) comes from its `describe`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ivr.domain import model


@dataclass(frozen=True)
class Lead:
    """One way out of an action, for the graph checks: the step it goes to (None: the next
    action of the same step), the prompts the caller hears on the way, and whether the call
    ends there for the caller (`ends`, in an operator's words; `to`, who they are put through
    to, when the end is a transfer)."""

    step: str | None = None
    heard: tuple[str, ...] = ()
    ends: str | None = None
    to: str | None = None


class Action(model.Action):
    """The defaults: an action that does nothing after Twilio's report but go on."""

    # The keyword that writes it in a line's steps (`- menu: ...`); None for a built-in one.
    keyword: ClassVar[str | None] = None
    # The settings written beside the keyword (`- transfer: team` + `timeout: 20`).
    settings: ClassVar[frozenset[str]] = frozenset()
    # Whether the call waits there (for the caller or a dialled line): a loop of steps with
    # no action that waits would redirect forever.
    waits: ClassVar[bool] = False
    # Whether a caller can leave a message there (then `ivr check` asks who is mailed).
    takes_messages: ClassVar[bool] = False
    # Whether callers wait there for counsellors on duty (the wallboard's "nobody on duty").
    waits_for_duty: ClassVar[bool] = False

    @classmethod
    def read(cls, f, refs) -> Action | None:
        """The action from its YAML (`f`: a `ivr.config.fields.Fields` of its mapping),
        noting in `refs` what it names: prompts, steps, contacts, services."""
        raise NotImplementedError

    def perform(self, flow, line: model.Line, state):
        """What the call does on reaching it: adds to `flow.out`, and returns where the call
        goes on, or None when it now waits there."""
        raise NotImplementedError

    def answer(self, flow, line: model.Line, state, digits: str, dial):
        """What Twilio's report back to it leads to (`state.event`: digits, silence, dial;
        `digits` cleaned, `dial` a `DialResult`): where the call goes on, or None."""
        return state

    def leads(self) -> tuple[Lead, ...]:
        return (Lead(),)

    def next_steps(self) -> tuple[str, ...]:
        """The steps it can lead to (the graph checks: steps nobody reaches, loops)."""
        return tuple(dict.fromkeys(lead.step for lead in self.leads() if lead.step))

    def describe(self, probe, line: model.Line, state, out):
        """Where the call stands, waiting here (`out`: what it was just told, `state`: where
        it waits), in `ivr.flow.describe`'s terms: a `Stop`."""
        raise NotImplementedError
