"""What the caller chooses with their keys: the language, then a line's menus.

Each function takes the `CallFlow` answering the request as `flow`.
"""

from __future__ import annotations

from dataclasses import replace

from ivr import model
from ivr.flow.instructions import Gather, Redirect, Speak, clean_digits
from ivr.flow.state import CallState
from ivr.flow.wording import say, text

# Silences or wrong keys at the language choice before the default language is taken.
LANGUAGE_TRIES = 2


def language_menu(flow, line: model.Line, state: CallState) -> None:
    """Each option in its own language and voice: "Pour le français, tapez 1. Voor
    Nederlands, druk 2."."""
    options = []
    for key, lang in enumerate(line.languages, start=1):
        prompt = flow.config.prompt(lang, line.id, "language_option")
        if prompt is not None:
            options.append(Speak(prompt.text.format(key=key), lang, prompt.audio))
    flow.out.append(Gather(tuple(options), state.expecting("digits"), 1, 5))
    flow.out.append(Redirect(state.expecting("silence")))


def language_choice(flow, line: model.Line, state: CallState, digits: str | None) -> CallState:
    if state.event == "digits":
        key = clean_digits(digits)
        if key.isdigit() and 1 <= int(key) <= len(line.languages):
            return flow.entry_state(line, line.languages[int(key) - 1])
    tries = state.silence + state.invalid + 1
    if tries >= LANGUAGE_TRIES:
        return flow.entry_state(line, line.default_language)
    return replace(state, silence=tries, invalid=0, event="go")


def ask(flow, line: model.Line, menu: model.Menu, state: CallState) -> None:
    """A `menu` action: its prompt, then the call waits for the caller's keys."""
    _offer(flow, line, menu, state, menu.prompt)


def _offer(flow, line, menu: model.Menu, state: CallState, prompt: str) -> None:
    speech = tuple(text(flow, line, state, prompt))
    flow.out.append(Gather(speech, state.expecting("digits"), menu.num_digits, menu.timeout))
    # Twilio runs what follows a <Gather> when the caller presses nothing.
    flow.out.append(Redirect(state.expecting("silence")))


def menu_choice(flow, line, menu: model.Menu, state: CallState, digits: str):
    target = menu.options.get(digits)
    if target is not None:
        return state.go(target)
    invalid = state.invalid + 1
    say(flow, line, state, "invalid_choice")
    if invalid >= menu.max_invalid:
        flow.menu_failures.append((line.id, "invalid"))
        return state.go(menu.on_failure)
    _offer(flow, line, menu, replace(state, invalid=invalid), menu.retry_prompt)
    return None


def menu_silence(flow, line, menu: model.Menu, state: CallState):
    silence = state.silence + 1
    if silence >= menu.max_silence:
        flow.menu_failures.append((line.id, "silence"))
        return state.go(menu.on_failure)
    _offer(flow, line, menu, replace(state, silence=silence), menu.retry_prompt)
    return None
