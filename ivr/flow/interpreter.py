"""Answers one request of a call: runs the line's steps, action after action, up to where the
call waits. What each action does is its own type's (`ivr.flow.actions`): nothing here knows
one kind of action from another."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime

from ivr.domain import model
from ivr.domain.model import END, LANGUAGE, REDIRECT
from ivr.flow.actions import (
    End,
    LanguageChoice,
    Transfer,
    not_kept,
    recorded,
    whisper_and_screen,
)
from ivr.flow.instructions import DialResult, Instruction, Leave, clean_digits
from ivr.flow.overrides import Overrides
from ivr.flow.state import CallState

# Records keep the logger name `ivr.flow` they had before the call flow became a package.
log = logging.getLogger(__package__)

# More steps than this in one request means a loop the checker did not catch.
MAX_STEPS_PER_REQUEST = 50
# Seconds the number or service an override sends calls to rings (`redirect`).
REDIRECT_RING = 30


class FlowError(RuntimeError):
    pass


class CallFlow:
    """Answers one request of one call, at one instant."""

    def __init__(
        self,
        config: model.Config,
        now: datetime,
        overrides: Iterable[model.Override] | Mapping[str, model.Override] | None = None,
        dialled: str | None = None,
        duty=None,
    ):
        """`overrides`: the operators' overrides, those in force and those planned, any
        number a line (a mapping is read as its values): the one of each line in force at
        `now` decides (`override_for`); the others wait for their time or are over."""
        self.config = config
        self.now = now
        # The number the caller dialled (Twilio's `To`): what a transferred leg shows, so
        # nobody sees the caller's own number. Twilio allows the called number as callerId.
        self.dialled = dialled if dialled in config.line_by_number else None
        self.overrides = Overrides(overrides, now)
        # Who is on duty (issue 21): `duty(line_id, language)` -> whether a counsellor on duty
        # can be offered the call; None: nobody (a queue step rings the line's numbers).
        self.duty = duty
        # Whether the answer depends on more than the minute and the overrides (who is on
        # duty): then it is not kept (`ivr.twilio.answers`).
        self.volatile = False
        self.out: list[Instruction] = []
        # What happened, for metrics and the anonymous statistics: how the call ended (on
        # the request that ends it), transfers by dial status, menus that gave up.
        self.outcome: tuple[str, str, str] | None = None  # line, outcome, language
        self.transfers: list[tuple[str, str]] = []  # line, dial status
        self.failed_transfers: list[tuple[str, str]] = []  # line, target (contact or service)
        self.menu_failures: list[tuple[str, str]] = []  # line, invalid|silence
        self.referred: list[str] = []  # the services the caller was told of, by id
        self.queue_results: list[tuple[str, str, str]] = []  # line, language, how a wait ended

    def ended(self, line: model.Line, state: CallState, outcome: str) -> None:
        if self.outcome is None:
            if outcome == "ended after message" and self.failed_transfers:
                outcome = "transfer failed"  # told where to turn instead, then it ended
            self.outcome = (line.id, outcome, state.lang)

    def someone_on_duty(self, line: model.Line, lang: str) -> bool:
        if self.duty is None:
            return False
        self.volatile = True
        return bool(self.duty(line.id, lang))

    # -- what operators decided, over the schedule -----------------------------------------

    def override_for(self, line: model.Line) -> model.Override | None:
        """The operators' override of `line` in force now (in [starts_at, until)), if any."""
        return self.overrides.in_force(line.id)

    def is_open(self, line: model.Line) -> bool:
        override = self.override_for(line)
        if override is not None:
            return override.open
        return line.schedule.is_open(self.now)

    def next_opening(self, line: model.Line) -> datetime | None:
        """When the line is next open (now, if it is), overrides planned later included."""
        return self.overrides.next_opening(line)

    def entry_state(self, line: model.Line, lang: str) -> CallState:
        """Where a call on `line` starts once its language is known: the open or the closed
        path; on a line an operator closed with `--to`, straight to the transfer there."""
        if self.is_open(line):
            return CallState(line.id, line.when_open, 0, lang)
        override = self.override_for(line)
        if override is not None and override.forward_to:
            return CallState(line.id, REDIRECT, 0, lang)
        return CallState(line.id, line.when_closed, 0, lang)

    def actions(self, line: model.Line, step: str) -> tuple[model.Action, ...]:
        """The actions of a step of `line`, the built-in ones included: `end` (where to turn,
        then the call is hung up), `language` (the caller's choice), and `redirect`, one
        transfer to where the override in force sends calls, and if it fails, the line's
        closed path (if the override ended meanwhile, that path at once)."""
        if step in line.steps:
            return line.steps[step]
        if step == END:
            return BUILT_IN_END
        if step == LANGUAGE:
            return BUILT_IN_LANGUAGE
        if step != REDIRECT:
            return ()
        override = self.override_for(line)
        to = override.forward_to if override is not None and not override.open else None
        return (Transfer(to or "", REDIRECT_RING, line.when_closed),)

    # -- entry points ----------------------------------------------------------------------

    def answer(self, line: model.Line, lang: str | None = None) -> list[Instruction]:
        """A new call on `line`: the caller chooses a language if the line speaks several,
        then the open or the closed path, by the line's schedule."""
        if lang not in line.languages and len(line.languages) > 1:
            return self._run(CallState(line.id, LANGUAGE, 0, line.default_language))
        lang = lang if lang in line.languages else line.default_language
        return self._run(self.entry_state(line, lang))

    def whisper(self, state: CallState) -> list[Instruction]:
        """For the person who answers a transfer, before the caller is connected: which line,
        which language, said in the line's own language. When screening, they are asked to
        press a key to take the call; no key in time hangs up their phone, and the caller's
        transfer goes on as not answered."""
        return whisper_and_screen(self, state)

    def resume(
        self, state: CallState, digits: str | None = None, dial: DialResult | None = None
    ) -> list[Instruction]:
        """A call coming back with `state`: what Twilio reports (the keys pressed, how a
        transfer ended) is answered by the action the call waits at."""
        line = self.config.lines.get(state.line)
        if line is None:
            raise FlowError(f"unknown line {state.line!r}")
        if state.lang not in line.languages:
            # A state signed before the line's languages changed (or by hand): in a language
            # the line has no prompts for, each Gather and Record would wait in silence.
            log.warning(
                "line=%s does not speak %r; answering in %s",
                line.id,
                state.lang,
                line.default_language,
            )
            state = replace(state, lang=line.default_language)
        if state.event == "enter":
            return self.answer(line, state.lang)
        if state.step not in (END, REDIRECT, LANGUAGE) and state.step not in line.steps:
            # The configuration changed under this call: start the line again.
            log.warning("line=%s has no step %r any more; starting over", line.id, state.step)
            return self.answer(line, state.lang)
        if state.event == "recorded":
            return self._run(recorded(self, line, state))
        if state.event == "not kept":
            return self._run(not_kept(self, line, state))
        action = self._action_at(line, state)
        if action is None:
            return self._run(state)
        return self._run(action.answer(self, line, state, clean_digits(digits), dial))

    def wait_document(
        self, state: CallState, position: int, queue_time: int, average: int
    ) -> list[Instruction]:
        """What a caller waiting in a queue hears now (Twilio's waitUrl, `state.event`
        "wait"): the queue action's short document."""
        line, action = self._queue_action(state)
        if action is None:
            return [Leave()]  # the step changed under the call: on with the <Enqueue>'s action
        return action.wait(self, line, state, position, queue_time, average)

    def wait_key(
        self, state: CallState, digits: str | None
    ) -> tuple[list[Instruction], str | None]:
        """A key pressed while waiting: what the caller hears, and the choice to carry."""
        line, action = self._queue_action(state)
        if action is None:
            return [Leave()], None
        return action.key(self, line, state, clean_digits(digits))

    def _queue_action(self, state: CallState):
        line = self.config.lines.get(state.line)
        if line is None:
            raise FlowError(f"unknown line {state.line!r}")
        action = self._action_at(line, state)
        return line, action if hasattr(action, "wait") else None

    def run(self, state: CallState) -> list[Instruction]:
        """From `state` on, up to where the call waits (what `ivr.flow.describe` follows)."""
        return self._run(state)

    # -- the interpreter -------------------------------------------------------------------

    def _run(self, state: CallState | None) -> list[Instruction]:
        for _ in range(MAX_STEPS_PER_REQUEST):
            if state is None:
                return self.out
            line = self.config.lines[state.line]
            if state.event == "enter":
                state = self.entry_state(line, state.lang)
                continue
            actions = self.actions(line, state.step)
            if state.pc >= len(actions):
                state = state.go(END)
                continue
            state = actions[state.pc].perform(self, line, replace(state, event="go"))
        raise FlowError(f"more than {MAX_STEPS_PER_REQUEST} steps in one request")

    def _action_at(self, line: model.Line, state: CallState):
        actions = self.actions(line, state.step)
        return actions[state.pc] if 0 <= state.pc < len(actions) else None


# The built-in steps' actions.
BUILT_IN_END = (End(),)
BUILT_IN_LANGUAGE = (LanguageChoice(),)
