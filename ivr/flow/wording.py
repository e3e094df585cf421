"""What the caller hears: a line's prompts, with their placeholders filled for this call; and
what a coordinator hears on the phone console, from the `console:` section of the same files.

Each function takes the flow answering the request as `flow` (a `CallFlow`, or the console's
`ConsoleFlow`), and adds what it says to the instructions of its answer.
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
# The phone console's prompts, and what each may hold: {name} a line's name, {key} the key
# that chooses it, {until} when an override ends, {service} where a line's calls may be sent.
_NAME, _UNTIL, _SERVICE = frozenset({"name"}), frozenset({"until"}), frozenset({"service"})
CONSOLE_PROMPTS = {
    "pin": frozenset(),
    "wrong_pin": frozenset(),
    "locked": frozenset(),
    "tries": frozenset(),
    "past": frozenset(),
    "away": frozenset(),
    "line": _NAME | {"key"},
    "all": frozenset(),
    "open": _NAME,
    "closed": _NAME,
    "override": _UNTIL,
    "actions": frozenset(),
    "redirect": _SERVICE,
    "clear": frozenset(),
    "until": frozenset(),
    "not_a_time": frozenset(),
    "confirm_close": _NAME | _UNTIL,
    "confirm_open": _NAME | _UNTIL,
    "confirm_redirect": _NAME | _UNTIL | _SERVICE,
    "confirm": frozenset(),
    "done": frozenset(),
    "cleared": frozenset(),
    "nothing_to_clear": frozenset(),
    "overlap": frozenset(),
    "refused": frozenset(),
    "goodbye": frozenset(),
    # On duty (issue 21): {lines} the lines' names, {until} when the shift (or the rest after
    # a call) ends, {hours} how long a shift lasts.
    "duty_key": frozenset(),
    "on_duty": frozenset({"lines"}) | _UNTIL,
    "not_ready": _UNTIL,
    "off_duty": frozenset(),
    "duty_start": frozenset({"lines"}),
    "duty_actions": frozenset({"hours"}),
    "duty_ready": frozenset(),
    "duty_back": frozenset(),
    "duty_started": frozenset(),
    "duty_renewed": frozenset(),
    "duty_stopped": frozenset(),
    "duty_is_ready": frozenset(),
    "duty_over": frozenset(),
    "phone_refused": frozenset(),
    "withheld": frozenset(),
}


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


def console_text(flow, said: str, /, **values: str) -> list[Speak]:
    """The phone console's prompt `said`, in its language, filled with `values` ({key} is one
    of them: positional only)."""
    prompt = flow.config.console_prompt(flow.lang, said)
    if prompt is None:
        log.error("phone console lang=%s prompt %r is missing", flow.lang, said)
        return []
    return [Speak(prompt.text.format_map(_Given(values)), flow.lang, prompt.audio)]


class _Given(dict):
    """Values given; a placeholder `ivr check` lets through but nothing gives says nothing."""

    def __missing__(self, key: str) -> str:
        return ""


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
