"""The overrides as the console uses them, on the store's planned overrides: several a line,
each from a start to an end, cleared by its number (`store.overrides`, `model.Override`).

Everything the console does with overrides goes through this module; the rules of what an
override may send calls to are the CLI's too (`ivr.flow.overrides.target`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ivr.domain import model
from ivr.flow import overrides as rules
from ivr.flow.status import LineStatus, line_status
from ivr.store.overrides import OverrideOverlap
from ivr.store.tables import MAX_ROW_ID

BRUSSELS = ZoneInfo("Europe/Brussels")  # the time the audit log writes
MAX_REASON = 500  # what the database's column holds
CLOSED, OPEN, REDIRECT = "closed", "open", "redirect"
KINDS = (CLOSED, OPEN, REDIRECT)


class Refused(ValueError):
    """An override that cannot be set as asked; `text` (to translate) and its `values`."""

    def __init__(self, text: str, **values):
        super().__init__(text % values if values else text)
        self.text = text
        self.values = values


class Overlapping(Refused):
    """Another override of the line would be in force at some same time."""


@dataclass(frozen=True)
class Shown:
    """An override as the console shows it."""

    key: str  # what `clear` takes: the line's id and the override's number
    line: str
    kind: str  # closed, open, redirect
    to: str | None
    starts: datetime | None
    until: datetime
    reason: str
    operator: str
    planned: bool = False  # starts later: taking it away cancels it


def in_force(store, now: datetime) -> list[model.Override]:
    """The overrides in force and planned, as the call flow and `ivr status` read them."""
    return store.overrides.in_force_or_planned(now)


def during(store, start: datetime, end: datetime) -> list[model.Override]:
    """The overrides in force at some time of [start, end): what a week's page shows."""
    return store.overrides.during(start, end)


def status(config, line, now: datetime, overrides) -> LineStatus:
    return line_status(config, line, now, overrides)


def kind_of(o: model.Override) -> str:
    if o.open:
        return OPEN
    return REDIRECT if o.forward_to else CLOSED


def listed(store, now: datetime) -> list[Shown]:
    """The overrides in force and those planned, by line and start."""
    return [
        Shown(
            key=f"{o.line}:{o.id}",
            line=o.line,
            kind=kind_of(o),
            to=o.forward_to,
            starts=o.starts_at,
            until=o.until,
            reason=o.reason,
            operator=o.operator,
            planned=o.starts_at is not None and o.starts_at > now,
        )
        for o in sorted(in_force(store, now), key=lambda o: (o.line, o.starts_at or now))
    ]


def history(store, limit: int = 200, lines: set[str] | None = None) -> list[dict]:
    """Who set and cleared which override (of `lines`), newest first."""
    rows = store.overrides.history()
    if lines is not None:
        rows = [row for row in rows if row["line"] in lines]
    return list(reversed(rows))[:limit]


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
    begins = starts if starts is not None and starts > now else now
    if until <= begins:
        raise Refused("The end is already past.")
    if until > now + timedelta(days=365):
        raise Refused("An override lasts a year at most: change the schedule instead.")
    forward_to = None
    if kind == REDIRECT:
        try:
            forward_to = rules.target(config, line, to or "", open_line=False)
        except rules.TargetError:
            raise Refused(
                "%(to)s is not something calls can be sent to: give a number such as "
                "0470 11 22 33, or a service's number such as 107 or 106.",
                to=to or "—",
            ) from None
    wanted = model.Override(
        line.id, kind == OPEN, until, forward_to, reason, starts_at=starts if starts else None
    )
    try:
        override = store.overrides.set(wanted, operator=operator, now=now)
    except OverrideOverlap as exc:
        raise Overlapping(
            "It overlaps override #%(number)s of this line: clear that one first.",
            number=exc.existing.id,
        ) from None
    # The journal reads it back in the page's words (`ivr.console.journal`).
    where = f"{kind} to {forward_to}" if forward_to else kind
    until_text = f"{until.astimezone(BRUSSELS):%Y-%m-%d %H:%M}"
    _audit(store, now, operator, "override set", line.id, f"{where} until {until_text}")
    return override


def clear(store, key: str, *, operator: str, now: datetime) -> model.Override | None:
    """Ends an override now (or takes a planned one away: cancels it); returns it as it was,
    None when there was none."""
    line, _, number = key.partition(":")
    # Digits of another script ('²') are no number for int(): not one of ours either.
    wanted = int(number) if number.isascii() and number.isdigit() else None
    if wanted is not None and wanted > MAX_ROW_ID:
        return None  # no override has that number
    removed = store.overrides.clear(
        line, operator=operator, reason="cleared", now=now, number=wanted
    )
    if removed:
        _audit(store, now, operator, "override cleared", line, f"#{removed.id}")
    return removed


def _audit(store, now, operator, action, line_id, detail) -> None:
    # The store's overrides write their own log (override_log) in their own transaction;
    # the console's audit log gets its line right after.
    with store.engine.begin() as conn:
        store.audit.add(
            conn, at=now, operator=operator, action=action, subject=f"line {line_id}", detail=detail
        )
