"""Answers one request of a call: runs the line's steps, action after action, up to where the
call waits, by one table a type of action."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime

from ivr import model
from ivr.flow.instructions import DialResult, Hangup, Instruction, clean_digits
from ivr.flow.menus import ask, language_choice, language_menu, menu_choice, menu_silence
from ivr.flow.overrides import Overrides
from ivr.flow.state import CallState
from ivr.flow.transfers import dial_result, refer, referral_choice, transfer, whisper_and_screen
from ivr.flow.voicemail import not_kept, record, recorded
from ivr.flow.wording import say, speak
from ivr.model import END, LANGUAGE, REDIRECT

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
        self.out: list[Instruction] = []
        # What happened, for metrics and the anonymous statistics: how the call ended (on
        # the request that ends it), transfers by dial status, menus that gave up.
        self.outcome: tuple[str, str, str] | None = None  # line, outcome, language
        self.transfers: list[tuple[str, str]] = []  # line, dial status
        self.failed_transfers: list[tuple[str, str]] = []  # line, target (contact or service)
        self.menu_failures: list[tuple[str, str]] = []  # line, invalid|silence

    def ended(self, line: model.Line, state: CallState, outcome: str) -> None:
        if self.outcome is None:
            self.outcome = (line.id, outcome, state.lang)

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
        """The actions of a step of `line`. The built-in `redirect` is one transfer to where
        the override in force sends calls, and if it fails, the line's closed path (if the
        override ended meanwhile, that path at once)."""
        if step != REDIRECT:
            return line.steps.get(step, ())
        override = self.override_for(line)
        to = override.forward_to if override is not None and not override.open else None
        return (model.Transfer(to or "", REDIRECT_RING, line.when_closed),)

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
        if state.step == LANGUAGE:
            return self._run(language_choice(self, line, state, digits))
        if state.step not in (END, REDIRECT) and state.step not in line.steps:
            # The configuration changed under this call: start the line again.
            log.warning("line=%s has no step %r any more; starting over", line.id, state.step)
            return self.answer(line, state.lang)
        action = self._action_at(line, state)
        answer = ANSWERS.get((state.event, type(action)))
        if answer is not None:
            return self._run(answer(self, line, action, state, clean_digits(digits)))
        if state.event == "dial":
            result = dial or DialResult("", False)
            return self._run(dial_result(self, line, action, state, result))
        if state.event == "recorded":
            return self._run(recorded(self, line, state))
        if state.event == "not kept":
            return self._run(not_kept(self, line, state))
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
            if state.step == END:
                say(self, line, state, "goodbye")
                self.out.append(Hangup())
                self.ended(line, state, "ended after message")
                return self.out
            if state.step == LANGUAGE:
                language_menu(self, line, state)
                return self.out
            actions = self.actions(line, state.step)
            if state.pc >= len(actions):
                state = state.go(END)
                continue
            state = self._perform(line, actions[state.pc], replace(state, event="go"))
        raise FlowError(f"more than {MAX_STEPS_PER_REQUEST} steps in one request")

    def _action_at(self, line: model.Line, state: CallState):
        actions = self.actions(line, state.step)
        return actions[state.pc] if 0 <= state.pc < len(actions) else None

    def _perform(self, line: model.Line, action, state: CallState) -> CallState | None:
        """Does one action (by `PERFORM`); returns where to continue, or None when the call
        now waits."""
        perform = PERFORM.get(type(action))
        if perform is None:
            raise FlowError(f"unknown action {action!r}")
        return perform(self, line, action, state)


# The interpreter, one row a type of action of `ivr.model`: what the call does on reaching the
# action, returning where it goes on (None: it now waits there) ...
PERFORM = {
    model.Say: speak,
    model.Goto: lambda flow, line, goto, state: state.go(goto.step),
    model.Menu: ask,
    model.Transfer: lambda flow, line, action, state: transfer(
        flow, line, state, action.to, action.timeout, action.on_failure
    ),
    model.Voicemail: record,
    model.Referral: refer,
}
# ... and, at an action that waits for the caller's keys, what their keys or silence lead to.
ANSWERS = {
    ("digits", model.Menu): menu_choice,
    ("silence", model.Menu): lambda flow, line, menu, state, _: menu_silence(
        flow, line, menu, state
    ),
    ("digits", model.Referral): referral_choice,
}
