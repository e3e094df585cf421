"""The overrides as the console uses them, on the store's API of today: one override a line,
which starts when it is set (`store.overrides.set/clear/active/history`, `model.Override`).

Everything the console does with overrides goes through this module, so that moving it to
planned overrides (a start time, several a line, cleared by id) changes this file only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ivr import model, phone
from ivr.status import LineStatus, line_status

# Today's store starts an override when it is set: a later start cannot be kept, and is
# refused rather than silently started now.
CAN_PLAN = False
MAX_REASON = 500  # what the database's column holds
CLOSED, OPEN, REDIRECT = "closed", "open", "redirect"
KINDS = (CLOSED, OPEN, REDIRECT)


class Refused(ValueError):
    """An override that cannot be set as asked; `text` (to translate) and its `values`."""

    def __init__(self, text: str, **values):
        super().__init__(text % values if values else text)
        self.text = text
        self.values = values


@dataclass(frozen=True)
class Shown:
    """An override as the console shows it."""

    key: str  # what `clear` takes: the line's id today, an override's id later
    line: str
    kind: str  # closed, open, redirect
    to: str | None
    starts: datetime | None
    until: datetime
    reason: str
    operator: str


def in_force(store, now: datetime) -> dict[str, model.Override]:
    """The overrides in force, by line, as the call flow and `ivr status` read them."""
    return store.overrides.active(now)


def status(config, line, now: datetime, overrides: dict) -> LineStatus:
    return line_status(config, line, now, overrides)


def listed(store, now: datetime) -> list[Shown]:
    """The overrides in force and those planned (today: none can be planned), by line."""
    started = {}
    for row in store.overrides.history():
        if row["action"] == "set":
            started[row["line"]] = row["at"]
    return [
        Shown(
            key=line,
            line=line,
            kind=CLOSED if not o.open else (REDIRECT if o.forward_to else OPEN),
            to=o.forward_to,
            starts=started.get(line),
            until=o.until,
            reason=o.reason,
            operator=o.operator,
        )
        for line, o in sorted(in_force(store, now).items())
    ]


def history(store, limit: int = 200) -> list[dict]:
    """Who set and cleared which override, newest first."""
    return list(reversed(store.overrides.history()))[:limit]


def set_override(
    store,
    config,
    *,
    line_id: str,
    kind: str,
    to: str,
    starts: datetime | None,
    until: datetime,
    reason: str,
    operator: str,
    now: datetime,
) -> model.Override:
    """Sets an override after the checks `ivr override` makes; Refused says why not."""
    line = config.lines.get(line_id)
    if line is None:
        raise Refused("There is no line %(line)s.", line=line_id)
    if kind not in KINDS:
        raise Refused("Choose close, open or send calls elsewhere.")
    reason = reason.strip()
    if not reason:
        raise Refused("Give a reason: it goes into the log with your name.")
    if len(reason) > MAX_REASON:
        raise Refused("Keep the reason to %(most)s characters.", most=MAX_REASON)
    if starts is not None and starts > now + timedelta(minutes=1) and not CAN_PLAN:
        raise Refused("Starting later is not possible yet: leave the start empty to start now.")
    if until <= now:
        raise Refused("The end is already past.")
    if until > now + timedelta(days=365):
        raise Refused("An override lasts a year at most: change the schedule instead.")
    forward_to = None
    if kind == REDIRECT:
        forward_to = phone.dial_string((to or "").replace(" ", "").replace(".", ""))
        if not forward_to or phone.is_emergency(forward_to) or not config.route_for(forward_to):
            raise Refused(
                "%(to)s is not a number the router can dial: give one as +32470112233, "
                "or a service's number such as 106.",
                to=to or "—",
            )
        if not line.contacts:
            raise Refused("%(line)s has no team to send elsewhere.", line=line.name)
    override = model.Override(line.id, kind != CLOSED, until, forward_to, reason)
    store.overrides.set(override, operator=operator, now=now)
    _audit(store, now, operator, "override set", line.id, f"{kind} until {until:%Y-%m-%d %H:%M}")
    return override


def clear(store, key: str, *, operator: str, now: datetime) -> bool:
    """Ends an override now; False when there was none."""
    removed = store.overrides.clear(key, operator=operator, reason="cleared", now=now)
    if removed:
        _audit(store, now, operator, "override cleared", key, "")
    return removed


def _audit(store, now, operator, action, line_id, detail) -> None:
    # The store's overrides write their own log (override_log) in their own transaction;
    # the console's audit log gets its line right after.
    with store.engine.begin() as conn:
        store.audit.add(
            conn, at=now, operator=operator, action=action, subject=f"line {line_id}", detail=detail
        )
