"""Warns about dated rules of a schedule that do nothing: an exception or a change of hours
that is over, or that changes nothing (closing a day the line is closed anyway). Neither stops
anything; each is something written by mistake or left behind."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ivr.config.reading import Reader
from ivr.domain.schedule import DAY, DatedException, HoursChange, Schedule, hours_on

# Days of an exception looked at for whether it changes anything: beyond, it surely does.
DAYS_LOOKED_AT = 400


def today(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def check_dates(r: Reader, schedule: Schedule, exceptions, changes) -> None:
    """`exceptions` and `changes`: (line, rule) as written."""
    now = today(schedule.timezone)
    seen: dict = {}
    for line, exception in exceptions:
        # Told once, at the copy: "remove it" said at both would have both removed.
        first = seen.setdefault(_as_rule(exception), line)
        if first != line:
            r.warn(line, f"this exception repeats the one at line {first}; remove one of the two")
            continue
        if exception.last_day < now:
            r.warn(
                line,
                f"this exception ended on {exception.last_day} ({exception.reason}); remove it",
                kind="past",
            )
        else:
            _exception_does_something(r, line, schedule, exception, now)
    for line, change in changes:
        first = seen.setdefault(change, line)
        if first != line:
            r.warn(line, f"these hours repeat those at line {first}; remove one of the two")
            continue
        if change.last_day is not None and change.last_day < now:
            r.warn(line, f"these hours ended on {change.last_day}; remove the row", kind="past")
        else:
            _change_does_something(r, line, schedule, change, now)


def _exception_does_something(r, line, schedule, exception: DatedException, now) -> None:
    rule = _as_rule(exception)
    without = dataclasses.replace(
        schedule, exceptions=tuple(e for e in schedule.exceptions if _as_rule(e) != rule)
    )
    zone = ZoneInfo(schedule.timezone)
    day = max(exception.first_day, now)
    for _ in range(DAYS_LOOKED_AT):
        if day > exception.last_day:
            break
        start, end = (_instant(day, minutes, zone) for minutes in (exception.start, exception.end))
        open_minutes = sum((b - a).total_seconds() for a, b in without.open_periods(start, end))
        already = (
            open_minutes == (end - start).total_seconds() if exception.open else not open_minutes
        )
        if not already:
            return
        day += timedelta(days=1)
    else:
        return
    state = "open" if exception.open else "closed"
    reason = without.status(_instant(max(exception.first_day, now), exception.start, zone)).reason
    r.warn(
        line,
        f"this exception changes nothing: the line is {state} then anyway ({reason}); remove "
        "it, or check its dates and hours",
        kind=f"no effect: {state}",
    )


def _change_does_something(r, line, schedule, change: HoursChange, now) -> None:
    others = tuple(c for c in schedule.changes if c != change)
    day = max(change.first_day or now, now)
    same = all(
        hours_on(schedule.windows, others, day, weekday) == list(change.spans)
        for weekday in change.weekdays
    )
    if same:
        hours = ", ".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in change.spans) or "closed"
        r.warn(
            line,
            f"these hours change nothing: the line's hours on those days are {hours} then "
            "anyway; remove the row, or check its hours",
            kind="no effect: hours",
        )


def _as_rule(exception: DatedException) -> DatedException:
    """What an exception does, whatever the reason written with it."""
    return dataclasses.replace(exception, reason="")


def _instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    return (datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)).replace(
        tzinfo=zone
    )


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60 % 24 if minutes != DAY else 24:02d}:{minutes % 60:02d}"
