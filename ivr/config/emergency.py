"""Warns when a line's callers can reach the end of a call without having heard 112 and 101.

Twilio cannot dial Belgian emergency services: a caller in danger must hear the numbers to
dial themselves. Every way through a line's steps is followed, in each of its languages, as
the call flow runs them (`ivr.flow`): what each prompt says, where keys, silence and each
outcome of a transfer lead. A call ends when the caller is put through to someone (the call
is theirs from then on), at the built-in `end` (the `goodbye` prompt, then the call is hung
up), or after a message that could not be kept (`voicemail_not_kept`, then hung up). Each
such end reached without 112 or 101 is said once, at the action that leads to it.
"""

from __future__ import annotations

import re

from ivr.config.reading import Mapping, Sequence, line_of
from ivr.domain import model
from ivr.flow.actions import End

END = End()

EMERGENCY = {"112": re.compile(r"(?<!\d)112(?!\d)"), "101": re.compile(r"(?<!\d)101(?!\d)")}
HEARD_ALL = frozenset(EMERGENCY)


def check_emergency_numbers(readers, services, prompts, unreadable) -> None:
    for lr, line in readers:
        if lr.r.errors:
            continue  # actions not read would put the file's lines out of step
        ends: dict[int, tuple[str, set[str], list[str]]] = {}  # line -> how, unheard, languages
        for lang in line.languages:
            if lang not in prompts or lang in unreadable:
                continue
            walk = Walk(line, prompts[lang], services, lr.data.get("steps"))
            for at, how, unheard in walk.ends_without_numbers():
                _, missing, langs = ends.setdefault(at, (how, set(), []))
                missing |= unheard
                langs.append(lang)
        for at, (how, missing, langs) in sorted(ends.items()):
            numbers = " and ".join(n for n in EMERGENCY if n in missing)
            lr.r.warn(
                at,
                f"callers in {', '.join(langs)} can {how} without having heard {numbers}, "
                "which Twilio cannot dial for them; say a prompt that names them before, such "
                "as 'emergency' or 'not_emergency' (shared)",
                kind="emergency",
            )


class Walk:
    """Every way through one line's steps in one language, with what the caller has heard."""

    def __init__(self, line: model.Line, texts, services, written):
        self.line, self.texts, self.services, self.written = line, texts, services, written
        self.ends: dict[int, tuple[str, frozenset]] = {}

    def ends_without_numbers(self):
        """(file line, how the call ends there, the numbers not heard) of each such end."""
        todo = [
            (entry, 0, frozenset(), 0) for entry in (self.line.when_open, self.line.when_closed)
        ]
        seen = set()
        while todo:
            state = todo.pop()
            # Where the call came from matters only at the end, where it is said.
            key = state if state[0] == model.END else state[:3]
            if key in seen:
                continue
            seen.add(key)
            todo += self._next(*state)
        for at, (how, heard) in self.ends.items():
            if heard != HEARD_ALL:
                yield at, how, HEARD_ALL - heard

    def _end(self, at: int, how: str, heard: frozenset) -> list:
        known = self.ends.get(at)
        # Said for the way that hears least: one that misses a number is enough.
        if known is None or len(heard) < len(known[1]):
            self.ends[at] = (how, heard)
        return []

    def _next(self, step: str, pc: int, heard: frozenset, came_from: int) -> list:
        """The states that follow `step`'s action number `pc` (`came_from`: the file line
        that led here, where the built-in end is said), by the action's own `leads`."""
        if step == model.END:
            (lead,) = END.leads()
            return self._end(came_from, lead.ends, self._hear_all(heard, lead.heard))
        actions = self.line.steps.get(step, ())
        if pc >= len(actions):
            return [(model.END, 0, heard, came_from)]
        action, at = actions[pc], self._line_of(step, pc)
        following = []
        for lead in action.leads():
            now_heard = self._hear_all(heard, lead.heard)
            if lead.ends is not None:
                if lead.to is None:
                    self._end(at, lead.ends, now_heard)
                else:
                    self._put_through(lead.to, now_heard, at)
            elif lead.step is not None:
                following.append((lead.step, 0, now_heard, at))
            else:
                following.append((step, pc + 1, now_heard, at))
        return following

    def _hear_all(self, heard: frozenset, keys) -> frozenset:
        for key in keys:
            heard = self._hear(heard, key)
        return heard

    def _put_through(self, to: str, heard: frozenset, at: int) -> list:
        service = self.services.get(to)
        if to not in self.line.contacts and service is not None and service.line:
            return []  # into one of our own lines, which is checked on its own
        return self._end(at, f"be put through to '{to}'", heard)

    def _hear(self, heard: frozenset, key: str) -> frozenset:
        prompt = model.line_prompt(self.texts, self.line.id, key)
        if prompt is None:
            return heard
        return heard | {n for n, pattern in EMERGENCY.items() if pattern.search(prompt.text)}

    def _line_of(self, step: str, pc: int) -> int:
        steps = self.written
        if isinstance(steps, Mapping) and isinstance(steps.get(step), Sequence):
            lines = steps[step].item_lines
            if pc < len(lines):
                return lines[pc]
        return line_of(steps, step)
