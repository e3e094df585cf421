"""What the caller hears: a line's prompts, with their placeholders filled for this call.

Each function takes the `CallFlow` answering the request as `flow`, and adds what it says to
the instructions of its answer.
"""

from __future__ import annotations

import logging

from ivr.domain import model, speech
from ivr.flow.instructions import Speak
from ivr.flow.state import CallState

# Records keep the logger name `ivr.flow` they had before the call flow became a package.
log = logging.getLogger(__package__)

# What a line's prompts may hold in braces, filled for each call (`_Values`) ...
LINE_PLACEHOLDERS = frozenset({"line", "hours", "next_open", "number"})
# ... and a prompt about a partner service (`service_text`).
REFERRAL_PLACEHOLDERS = frozenset({"name", "about", "number", "hours", "next_open"})


def say(flow, line: model.Line, state: CallState, key: str) -> None:
    flow.out.extend(text(flow, line, state, key))


def say_service(flow, line, state: CallState, service: model.Service, key: str) -> None:
    flow.out.extend(service_text(flow, line, state, service, key))


def text(flow, line: model.Line, state: CallState, key: str) -> list[Speak]:
    prompt = flow.config.prompt(state.lang, line.id, key)
    if prompt is None:
        log.error("line=%s lang=%s prompt %r is missing", line.id, state.lang, key)
        return []
    values = _Values(flow, line.schedule, state.lang, line)
    return [Speak(prompt.text.format_map(values), state.lang, prompt.audio)]


def service_text(flow, line, state: CallState, service: model.Service, key: str) -> list[Speak]:
    """A prompt about a partner service: its name, what it does, its number and hours."""
    prompt = flow.config.prompt(state.lang, line.id, key)
    if prompt is None:
        return []
    values = _Values(flow, service.schedule, state.lang, line)
    values.update(
        name=flow.config.service_text(state.lang, service.id, "name") or service.id,
        about=flow.config.service_text(state.lang, service.id, "about") or "",
        number=speech.spoken_number(service.number, state.lang),
    )
    # A recording cannot say a service's number or hours: always speech here.
    return [Speak(prompt.text.format_map(values), state.lang)]


class _Values(dict):
    """Placeholder values, computed only when a prompt uses them."""

    def __init__(self, flow, schedule, lang: str, line: model.Line):
        super().__init__()
        self.flow, self.schedule, self.lang, self.line = flow, schedule, lang, line

    def __missing__(self, key: str) -> str:
        if key == "line":
            value = self.line.name
        elif key == "hours":
            value = speech.spoken_hours(self.schedule, self.lang, self.flow.now)
        elif key == "next_open":
            if self.schedule is self.line.schedule:
                at = self.flow.next_opening(self.line)
            else:
                at = self.schedule.next_opening(self.flow.now)
            value = speech.spoken_moment(at, self.flow.now, self.schedule, self.lang)
        elif key == "number":
            value = speech.spoken_number(self.line.numbers[0], self.lang)
        else:
            value = ""
        self[key] = value
        return value
