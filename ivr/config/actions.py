"""Reads each action of a step through one table, action keyword -> its reader and settings.

A new type of action is: its dataclass in `ivr.model` (with `next_steps` and `waits`), a reader
and a row in `ACTIONS` here, and what it does in `ivr.flow`'s interpreter (a row of `PERFORM`,
and of `ANSWERS` if it waits for the caller's keys).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ivr import model
from ivr.config.fields import Fields, or_list
from ivr.config.prompts import LINE_PLACEHOLDERS
from ivr.config.reading import Mapping, Reader, line_of


@dataclass
class References:
    """What a line's file names, with the line that names it: checked once all its steps are
    read (steps), or the whole configuration (the rest)."""

    prompts: list[tuple[int, str, set[str]]] = field(default_factory=list)  # and placeholders
    steps: list[tuple[int, str]] = field(default_factory=list)
    transfers: list[tuple[int, str]] = field(default_factory=list)  # contacts or services
    services: list[tuple[int, str]] = field(default_factory=list)
    # Where a caller may be put through: (line, kind, target) of each transfer, and of each
    # referral that offers one (press 1).
    put_through: list[tuple[int, str, str]] = field(default_factory=list)
    entries: list[str] = field(default_factory=list)  # where calls start: when_open, when_closed


def read_say(f: Fields, refs: References) -> model.Say | None:
    seq = f.sequence("say")
    if not seq:
        return None
    for key, ln in zip(seq, seq.item_lines, strict=True):
        refs.prompts.append((ln, str(key), LINE_PLACEHOLDERS))
    return model.Say(tuple(str(k) for k in seq))


def read_goto(f: Fields, refs: References) -> model.Goto:
    target = f.text("goto")
    refs.steps.append((f.line("goto"), target))
    return model.Goto(target)


MENU_KEYS = {
    "prompt",
    "retry_prompt",
    "options",
    "on_failure",
    "timeout",
    "max_invalid",
    "max_silence",
}


def read_menu(f: Fields, refs: References) -> model.Menu | None:
    m = f.mapping("menu")
    if m is None:
        return None
    r = f.r
    f = Fields(r, m, "the menu", MENU_KEYS)
    prompt = f.text("prompt") or ""
    retry = f.text("retry_prompt", required=False) or prompt
    for key in ("prompt", "retry_prompt"):
        if f.has(key):
            refs.prompts.append((f.line(key), str(m[key]), LINE_PLACEHOLDERS))
    options = _read_options(f, refs)
    on_failure = f.text("on_failure")
    if on_failure:
        refs.steps.append((f.line("on_failure"), on_failure))
    if not (prompt and options and on_failure):
        return None
    return model.Menu(
        prompt=prompt,
        retry_prompt=retry,
        options=options,
        on_failure=on_failure,
        timeout=f.number("timeout", 6, 2, 30),
        max_invalid=f.number("max_invalid", 3, 1, 10),
        max_silence=f.number("max_silence", 2, 1, 10),
    )


def _read_options(f: Fields, refs: References) -> dict[str, str]:
    """The keys of a menu and the step each leads to."""
    r, options = f.r, {}
    opts = f.mapping("options")
    for key, target in (opts or {}).items():
        ln = line_of(opts, key)
        if not re.fullmatch(r"[0-9*]{1,6}", key):
            r.error(ln, f"'{key}' is not a key on a phone keypad; use digits and *")
            continue
        if not isinstance(target, str):
            r.error(ln, f"key {key} must lead to a step name")
            continue
        options[key] = target
        refs.steps.append((ln, target))
    keys = sorted(options)
    for a in keys:
        for b in keys:
            if a != b and b.startswith(a) and len({len(k) for k in keys}) > 1:
                r.error(
                    line_of(opts, b),
                    f"key {b} starts with key {a}; the caller could never reach {b}",
                )
    return options


def read_transfer(f: Fields, refs: References) -> model.Transfer:
    to = f.text("transfer") or ""
    refs.transfers.append((f.line("transfer"), to))
    refs.put_through.append((f.line("transfer"), "transfer", to))
    on_failure = f.text("on_failure", required=False)
    if on_failure:
        refs.steps.append((f.line("on_failure"), on_failure))
    return model.Transfer(to, f.number("timeout", 25, 5, 600), on_failure)


def read_voicemail(f: Fields, refs: References) -> model.Voicemail:
    prompt = f.text("voicemail") or ""
    refs.prompts.append((f.line("voicemail"), prompt, LINE_PLACEHOLDERS))
    return model.Voicemail(prompt, f.number("max_length", 180, 10, 600))


def read_referral(f: Fields, refs: References) -> model.Referral:
    service = f.text("referral") or ""
    refs.services.append((f.line("referral"), service))
    referral = model.Referral(service, f.flag("offer_transfer", True))
    if referral.offer_transfer:
        refs.put_through.append((f.line("referral"), "referral", service))
    return referral


# Each action keyword: how the action is read, and the settings written beside the keyword.
ACTIONS: dict[str, tuple[Callable[[Fields, References], model.Action | None], set[str]]] = {
    "say": (read_say, set()),
    "menu": (read_menu, set()),
    "transfer": (read_transfer, {"timeout", "on_failure"}),
    "voicemail": (read_voicemail, {"max_length"}),
    "referral": (read_referral, {"offer_transfer"}),
    "goto": (read_goto, set()),
}


def read_action(r: Reader, item, line: int, refs: References) -> model.Action | None:
    if not isinstance(item, Mapping) or not item:
        r.error(line, "an action is written '- say: welcome', '- transfer: team', ...")
        return None
    kind = next((k for k in item if k in ACTIONS), None)
    if kind is None:
        r.error(
            line,
            f"'{next(iter(item))}' is not an action; "
            + or_list(next(iter(item)), ACTIONS, "the actions are"),
        )
        return None
    read, settings = ACTIONS[kind]
    return read(Fields(r, item, f"'{kind}'", {kind} | settings), refs)
