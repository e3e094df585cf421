"""Reads a line's `steps:`, each action through its type in the registry of
`ivr.flow.actions`, and checks where they lead: each step named exists, no loop of steps goes
round without waiting for the caller, and callers reach every step."""

from __future__ import annotations

from dataclasses import dataclass, field

from ivr.config.fields import Fields, closest, or_list
from ivr.config.reading import Mapping, Reader, Sequence, line_of
from ivr.domain import model
from ivr.flow.actions import REGISTRY

Steps = dict[str, tuple[model.Action, ...]]


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


def read_action(r: Reader, item, line: int, refs: References) -> model.Action | None:
    if not isinstance(item, Mapping) or not item:
        r.error(line, "an action is written '- say: welcome', '- transfer: team', ...")
        return None
    kind = next((k for k in item if k in REGISTRY), None)
    if kind is None:
        r.error(
            line,
            f"'{next(iter(item))}' is not an action; "
            + or_list(next(iter(item)), REGISTRY, "the actions are"),
        )
        return None
    action = REGISTRY[kind]
    return action.read(Fields(r, item, f"'{kind}'", {kind} | action.settings), refs)


def read_steps(r: Reader, f: Fields, refs: References) -> Steps | None:
    m = f.mapping("steps")
    if m is None:
        return None
    steps = {}
    for step_id, actions in m.items():
        line = line_of(m, step_id)
        if step_id == model.END:
            r.error(line, "'end' is built in (it says where to turn and hangs up)")
            continue
        if step_id == model.REDIRECT:
            r.error(line, "'redirect' is built in (where an override sends calls); rename it")
            continue
        if not isinstance(actions, Sequence) or not actions:
            r.error(line, f"step '{step_id}' must be a list of actions, '- say: ...'")
            continue
        compiled = [
            read_action(r, a, ln, refs) for a, ln in zip(actions, actions.item_lines, strict=True)
        ]
        steps[step_id] = tuple(a for a in compiled if a is not None)
    return steps


def check_steps(r: Reader, written: Mapping | None, steps: Steps | None, refs: References) -> None:
    """`written` is the `steps:` of the file, where a step's problem is reported."""
    known = set(steps or {}) | {model.END}
    # A step written but not read has its own error: naming it is not one more.
    written_names = set(written) if isinstance(written, Mapping) else set()
    meant = set()  # steps a misspelled name was likely meant for
    for line, target in refs.steps:
        if target and target not in known | written_names:
            r.error(
                line, f"there is no step '{target}'; " + or_list(target, known, "the steps are")
            )
            meant.add(closest(target, known))
    if not steps:
        return
    # A loop of steps that never waits for the caller would redirect forever.
    for start in steps:
        seen, current = set(), start
        while current in steps and current not in seen:
            seen.add(current)
            actions = steps[current]
            if any(action.waits for action in actions):
                break
            jumps = [step for action in actions for step in action.next_steps()]
            if not jumps:
                break
            current = jumps[0]
        else:
            if current in seen:
                r.error(
                    line_of(written, start),
                    f"step '{start}' goes round in a loop that never waits for the caller; "
                    "add a menu, a transfer or a voicemail, or end the call",
                )
    reachable, todo = set(), [t for t in refs.entries if t in steps]
    while todo:
        step = todo.pop()
        if step in reachable:
            continue
        reachable.add(step)
        for action in steps[step]:
            todo += [t for t in action.next_steps() if t in steps]
    for step in steps:
        if step not in reachable and step not in meant:
            r.warn(line_of(written, step), f"no caller ever reaches step '{step}'", "unreached")
