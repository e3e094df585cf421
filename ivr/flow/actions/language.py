"""The built-in `language` step of a line that speaks several: each option in its own
language and voice ("Pour le français, tapez 1. Voor Nederlands, druk 2."); silence or a wrong
key asks again, once, then the line's first language is taken."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ivr.flow.actions.base import Action
from ivr.flow.instructions import Gather, Redirect, Speak

# Silences or wrong keys at the language choice before the default language is taken.
LANGUAGE_TRIES = 2


@dataclass(frozen=True)
class LanguageChoice(Action):
    waits = True

    def perform(self, flow, line, state):
        options = []
        for key, lang in enumerate(line.languages, start=1):
            prompt = flow.config.prompt(lang, line.id, "language_option")
            if prompt is not None:
                options.append(Speak(prompt.text.format(key=key), lang, prompt.audio))
        flow.out.append(Gather(tuple(options), state.expecting("digits"), 1, 5))
        flow.out.append(Redirect(state.expecting("silence")))
        return None

    def answer(self, flow, line, state, digits, dial):
        if state.event == "digits":
            if digits.isdigit() and 1 <= int(digits) <= len(line.languages):
                return flow.entry_state(line, line.languages[int(digits) - 1])
        tries = state.silence + state.invalid + 1
        if tries >= LANGUAGE_TRIES:
            return flow.entry_state(line, line.default_language)
        return replace(state, silence=tries, invalid=0, event="go")

    def leads(self):
        return ()

    def describe(self, probe, line, state, out):
        choices = [
            (str(key), probe.after(state.expecting("digits"), digits=str(key)))
            for key in range(1, len(line.languages) + 1)
        ]
        return probe.stop("language", state, choices=choices)
