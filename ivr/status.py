"""The operators' status report: whether a line is open, why, where a call goes, until when.

Open or closed is the call flow's own answer (`CallFlow.is_open`, overrides included), so the
report can never disagree with what a caller meets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ivr import model
from ivr.flow import MAX_STEPS_PER_REQUEST, CallFlow
from ivr.model import END


@dataclass(frozen=True)
class LineStatus:
    line: str
    open: bool
    reason: str  # weekly hours, a holiday, an exception, an override
    destination: str  # where a call would go now
    changes_at: datetime | None  # when an override ends, or the schedule next changes
    overridden: bool


def line_status(
    config: model.Config,
    line: model.Line,
    now: datetime,
    overrides: dict[str, model.Override] | None = None,
) -> LineStatus:
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
    step = line.when_open if is_open else line.when_closed
    destination = describe_path(config, line, step, override)
    return LineStatus(line.id, is_open, reason, destination, changes_at, override is not None)


def describe_path(config, line: model.Line, step: str, override=None) -> str:
    """The first place a call waits on from `step`, in an operator's words."""
    before = "language choice, then " if len(line.languages) > 1 else ""
    for _ in range(MAX_STEPS_PER_REQUEST):
        if step == END:
            return before + "says where to turn (107, 112, 101) and hangs up"
        for action in line.steps.get(step, ()):
            if isinstance(action, model.Goto):
                step = action.step
                break
            if isinstance(action, model.Transfer):
                if action.to in line.contacts:
                    number = ", ".join(line.contacts[action.to].numbers)
                    if override is not None and override.forward_to:
                        number = override.forward_to
                    return f"{before}transfer to {action.to} ({number}), step '{step}'"
                service = config.services[action.to]
                where = f"line {service.line}" if service.line else service.number
                return f"{before}transfer to {action.to} ({where}), step '{step}'"
            if isinstance(action, model.Menu):
                keys = ", ".join(f"{k} {t}" for k, t in action.options.items())
                return f"{before}menu in step '{step}' ({keys})"
            if isinstance(action, model.Voicemail):
                return f"{before}voicemail, step '{step}'"
            if isinstance(action, model.Referral):
                return f"{before}referral to {action.service}, step '{step}'"
        else:
            step = END
    return before + "a loop of steps"
