"""The operators' status report: whether a line is open, why, where a call goes, until when.

Open or closed is the call flow's own answer (`CallFlow.is_open`, overrides included), and
where a call goes is worked out by running the call flow (`ivr.flow.describe`), so the report
can never disagree with what a caller meets. Pure: no I/O; the overrides and the instant are
given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ivr.domain import model, speech
from ivr.flow import CallFlow, describe


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
    # Where a call goes in each of the line's languages (`ivr.flow.describe.route`), which
    # `destination` puts into words: for a page that says it in another language.
    route: dict = field(default_factory=dict, compare=False)


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
    route = describe.route(config, line, now, overrides)
    destination = describe.Words(config, line).route(route)
    return LineStatus(
        line.id,
        is_open,
        reason,
        destination,
        changes_at,
        override is not None,
        override,
        flow.overrides.planned(line.id),
        route,
    )


def target_name(config: model.Config, line: model.Line, to: str) -> str:
    """What an override's `--to` names, for operators: 'Tele-Onthaal 106', '0470 11 22 33' (a
    service by its name in the line's languages, any number as Belgians write it)."""
    service = config.services.get(to) or config.service_by_number(to)
    if service is None:
        return speech.written_number(to)
    return describe.Words(config, line).service_name(service.id)
