"""`menu`: a prompt, then the caller's keys lead to other steps; wrong keys and silence are
asked again, up to a limit, then `on_failure`."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ivr.flow.actions.base import Action, Lead
from ivr.flow.instructions import Gather, Redirect
from ivr.flow.wording import LINE_PLACEHOLDERS, say, text

MENU_KEYS = frozenset(
    {"prompt", "retry_prompt", "options", "on_failure", "timeout", "max_invalid", "max_silence"}
)


@dataclass(frozen=True)
class Menu(Action):
    prompt: str
    retry_prompt: str
    options: dict[str, str]  # keys pressed -> step
    on_failure: str  # step taken when a limit is reached
    timeout: int = 6
    max_invalid: int = 3
    max_silence: int = 2

    keyword = "menu"
    waits = True

    @property
    def num_digits(self) -> int | None:
        """Gather stops by itself when every key has the same length; else on '#' or timeout."""
        lengths = {len(key) for key in self.options}
        return lengths.pop() if len(lengths) == 1 else None

    @classmethod
    def read(cls, f, refs) -> Menu | None:
        f = f.within("menu", "the menu", MENU_KEYS)
        if f is None:
            return None
        prompt = f.text("prompt") or ""
        retry = f.text("retry_prompt", required=False) or prompt
        for key in ("prompt", "retry_prompt"):
            if f.has(key):
                refs.prompts.append((f.line(key), str(f.m[key]), LINE_PLACEHOLDERS))
        options = _read_options(f, refs)
        on_failure = f.text("on_failure")
        if on_failure:
            refs.steps.append((f.line("on_failure"), on_failure))
        if not (prompt and options and on_failure):
            return None
        return cls(
            prompt=prompt,
            retry_prompt=retry,
            options=options,
            on_failure=on_failure,
            timeout=f.number("timeout", 6, 2, 30),
            max_invalid=f.number("max_invalid", 3, 1, 10),
            max_silence=f.number("max_silence", 2, 1, 10),
        )

    def perform(self, flow, line, state):
        self._offer(flow, line, state, self.prompt)
        return None

    def _offer(self, flow, line, state, prompt: str) -> None:
        speech = tuple(text(flow, line, state, prompt))
        flow.out.append(Gather(speech, state.expecting("digits"), self.num_digits, self.timeout))
        # Twilio runs what follows a <Gather> when the caller presses nothing.
        flow.out.append(Redirect(state.expecting("silence")))

    def answer(self, flow, line, state, digits, dial):
        if state.event == "digits":
            return self._choice(flow, line, state, digits)
        if state.event == "silence":
            return self._silence(flow, line, state)
        return state

    def _choice(self, flow, line, state, digits: str):
        target = self.options.get(digits)
        if target is not None:
            return state.go(target)
        invalid = state.invalid + 1
        say(flow, line, state, "invalid_choice")
        if invalid >= self.max_invalid:
            flow.menu_failures.append((line.id, "invalid"))
            return state.go(self.on_failure)
        self._offer(flow, line, replace(state, invalid=invalid), self.retry_prompt)
        return None

    def _silence(self, flow, line, state):
        silence = state.silence + 1
        if silence >= self.max_silence:
            flow.menu_failures.append((line.id, "silence"))
            return state.go(self.on_failure)
        self._offer(flow, line, replace(state, silence=silence), self.retry_prompt)
        return None

    def leads(self) -> tuple[Lead, ...]:
        heard = (self.prompt, self.retry_prompt)
        targets = (*self.options.values(), self.on_failure)
        return tuple(Lead(step=target, heard=heard) for target in dict.fromkeys(targets))

    def describe(self, probe, line, state, out):
        """Each key, and what silence comes to once the caller has been asked enough."""
        choices = [
            (key, probe.after(state.expecting("digits"), digits=key)) for key in self.options
        ]
        last_try = replace(state, silence=self.max_silence - 1)
        choices.append((probe.NO_KEY, probe.after(last_try.expecting("silence"))))
        return probe.stop("menu", state, choices=choices)


def _read_options(f, refs) -> dict[str, str]:
    """The keys of a menu and the step each leads to."""
    options = {}
    opts = f.mapping("options")
    for key, target in (opts or {}).items():
        ln = f.line_in(opts, key)
        if not re.fullmatch(r"[0-9*]{1,6}", key):
            f.r.error(ln, f"'{key}' is not a key on a phone keypad; use digits and *")
            continue
        if not isinstance(target, str):
            f.r.error(ln, f"key {key} must lead to a step name")
            continue
        options[key] = target
        refs.steps.append((ln, target))
    keys = sorted(options)
    for a in keys:
        for b in keys:
            if a != b and b.startswith(a) and len({len(k) for k in keys}) > 1:
                f.r.error(
                    f.line_in(opts, b),
                    f"key {b} starts with key {a}; the caller could never reach {b}",
                )
    return options
