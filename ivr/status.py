"""The operators' status report: whether a line is open, why, where a call goes, until when.

Open or closed, and where a call starts, are the call flow's own answers (`CallFlow.is_open`,
`CallFlow.entry_state`, overrides included), so the report can never disagree with what a
caller meets. Pure: no I/O; the overrides and the instant are given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ivr import model, speech
from ivr.flow import MAX_STEPS_PER_REQUEST, CallFlow
from ivr.model import END, REDIRECT

# How deep the description of a path goes into what follows a menu or a failed transfer.
DEPTH = 2


@dataclass(frozen=True)
class LineStatus:
    line: str
    open: bool
    reason: str  # weekly hours, a holiday, an exception, an override
    # Where a call goes now, in an operator's words: "Télé-Accueil 107", "the team (02 000 00
    # 01); if nobody takes the call → voicemail", "the language choice, then a menu: …".
    destination: str
    changes_at: datetime | None  # when the override in force ends, or the schedule next changes
    overridden: bool
    override: model.Override | None = None  # the one in force
    planned: tuple[model.Override, ...] = ()  # the line's overrides to come, by start


def line_status(
    config: model.Config,
    line: model.Line,
    now: datetime,
    overrides: Iterable[model.Override] | Mapping[str, model.Override] | None = None,
) -> LineStatus:
    """`overrides`: those in force and planned, of any lines (as `CallFlow` takes them)."""
    flow = CallFlow(config, now, overrides)
    override = flow.override_for(line)
    is_open = flow.is_open(line)
    if override is not None:
        reason = f"override by {override.operator or 'an operator'}: {override.reason}"
        # What the operator decided lasts until they said; the schedule applies after.
        changes_at = override.until
    else:
        scheduled = line.schedule.status(now)
        reason, changes_at = scheduled.reason, scheduled.changes_at
    step = flow.entry_state(line, line.default_language).step
    destination = describe_path(config, line, step, override)
    return LineStatus(
        line.id,
        is_open,
        reason,
        destination,
        changes_at,
        override is not None,
        override,
        flow.overrides.planned(line.id),
    )


def describe_path(config, line: model.Line, step: str, override=None) -> str:
    """Where a call goes from `step`, in an operator's words: the first place it waits (a
    transfer, a menu and where its keys lead, voicemail), and where a transfer to the team
    goes on when nobody takes the call. `override`: the one in force (its `--to`)."""
    before = "the language choice, then " if len(line.languages) > 1 else ""
    return before + _Path(config, line, override).describe(step, 0, 0)


def target_name(config: model.Config, line: model.Line, to: str) -> str:
    """What an override's `--to` names, for operators: 'Tele-Onthaal 106', '0470 11 22 33' (a
    service by its name in the line's languages, any number as Belgians write it)."""
    service = config.services.get(to) or config.service_by_number(to)
    if service is None:
        return speech.written_number(to)
    return service_name(config, line, service)


def service_name(config: model.Config, line: model.Line, service: model.Service) -> str:
    """'Télé-Accueil 107', 'the line 1712': a partner service's name from the prompts, in the
    line's languages first, and its number."""
    if service.line in config.lines:
        return f"the line {config.lines[service.line].name}"
    languages = (*line.languages, *sorted(config.prompts))
    name = next(
        (n for lang in languages if (n := config.service_text(lang, service.id, "name"))),
        service.id,
    )
    return f"{name} {speech.written_number(service.number)}"


class _Path:
    """The walk of `describe_path`, along a line's steps."""

    def __init__(self, config, line: model.Line, override):
        self.config, self.line, self.override = config, line, override

    def settle(self, step: str, pc: int) -> tuple[str, int] | None:
        """The first action from (step, pc) that the call waits at, or the built-in step it
        comes to (pc 0); None for a loop."""
        for _ in range(MAX_STEPS_PER_REQUEST):
            actions = self.line.steps.get(step, ())
            if step in (END, REDIRECT) or pc >= len(actions):
                return (step if step == REDIRECT else END), 0
            action = actions[pc]
            if isinstance(action, model.Goto):
                step, pc = action.step, 0
            elif isinstance(action, model.Say):
                pc += 1
            else:
                return step, pc
        return None

    def describe(self, step: str, pc: int, depth: int) -> str:
        line = self.line
        where = self.settle(step, pc)
        if where is None:
            return "a loop of steps"
        step, pc = where
        if step == REDIRECT:
            to = self.override.forward_to
            # A service named by its id is transferred to as a step would: by language.
            to = (
                self.service(to)
                if to in self.config.services
                else target_name(self.config, line, to)
            )
            if depth >= DEPTH:
                return to
            return f"{to}; if that fails → {self.describe(line.when_closed, 0, depth + 1)}"
        if step == END:
            return "told where to turn (107, 112, 101), then the call ends"
        return self.action(line.steps[step][pc], step, pc, depth)

    def action(self, action, step: str, pc: int, depth: int) -> str:
        if isinstance(action, model.Transfer):
            if action.to not in self.line.contacts:
                return self.service(action.to)
            where = self.team(action.to)
            if depth >= DEPTH:
                return where
            if action.on_failure:
                then = self.describe(action.on_failure, 0, depth + 1)
            else:
                then = self.describe(step, pc + 1, depth + 1)
            return f"{where}; if nobody takes the call → {then}"
        if isinstance(action, model.Menu):
            if depth >= DEPTH:
                return "a menu"
            here, choices = (step, pc), []
            for key, target in action.options.items():
                again = self.settle(target, 0) == here
                choices.append((key, "hear it again" if again else self.describe(target, 0, DEPTH)))
            otherwise = self.describe(action.on_failure, 0, DEPTH)
            text = "a menu: " + ", ".join(f"{key} → {then}" for key, then in choices)
            if all(then != otherwise for _, then in choices):
                text += f", otherwise → {otherwise}"
            return text
        if isinstance(action, model.Voicemail):
            return "voicemail"
        if isinstance(action, model.Referral):
            return "told about " + self.service(action.service)
        return type(action).__name__.lower()

    def team(self, contact_id: str) -> str:
        o = self.override
        if o is not None and o.open and o.forward_to:
            where = target_name(self.config, self.line, o.forward_to)
            return f"the {contact_id}, forwarded to {where}"
        contact = self.line.contacts[contact_id]
        numbers = ", ".join(speech.written_number(n) for n in contact.numbers)
        return f"the {contact_id} ({numbers})"

    def service(self, service_id: str) -> str:
        """'Télé-Accueil 107 (in Dutch: Tele-Onthaal 106)': the service, and the ones callers
        speaking another of the line's languages are sent to instead."""
        config, line = self.config, self.line
        service = config.services[service_id]
        text = service_name(config, line, service)
        instead = []
        for lang in line.languages:
            other = config.service_for(service_id, lang)
            if other.id != service.id:
                language = speech.language_name(lang, "en")
                instead.append(f"in {language}: {service_name(config, line, other)}")
        return text + (f" ({'; '.join(instead)})" if instead else "")
