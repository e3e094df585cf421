"""The week of each line, for the screen and the wall: seven days of equal width on an hour
scale (quarter-hour rows), open time, holidays and closures named in the page's language,
exceptions, overrides, and where a call goes while the line is closed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ivr.console import board, overrides
from ivr.console.words import day_words, holiday_name, translate
from ivr.flow import describe
from ivr.flow import overrides as rules

BRUSSELS = ZoneInfo("Europe/Brussels")  # where 'this week' is
SLOT_MINUTES = 15
SLOTS = 24 * 60 // SLOT_MINUTES  # the rows of a day: the CSS has a class for each


@dataclass(frozen=True)
class Block:
    first: int  # the first quarter-hour row, 0 to SLOTS - 1
    last: int  # the row after the last, 1 to SLOTS
    text: str
    kind: str  # open, override-closed, override-open


@dataclass
class Day:
    day: date
    weekday: str
    short: str  # the weekday, shortened, for a phone's width
    date: str
    today: bool
    hours: str = ""
    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LineWeek:
    id: str
    name: str
    days: list[Day]
    closed_goes: str


def week_start(text: str | None, today: date) -> date:
    """The Monday of '2026-W52', or of this week; ValueError for anything else."""
    if not text:
        return today - timedelta(days=today.weekday())
    year, week = (int(part) for part in text.upper().split("-W"))
    if not 2000 <= year <= 2099:
        raise ValueError(text)
    return date.fromisocalendar(year, week, 1)


def week_name(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def weeks(
    service, monday: date, now: datetime, lang: str, only: str | None, seen=None
) -> list[LineWeek]:
    config = service.config
    first = datetime.combine(monday, time.min, UTC) - timedelta(days=1)
    during = overrides.during(service.store, first, first + timedelta(days=9))
    lines = sorted(config.lines.values(), key=lambda li: li.name.lower())
    if only:
        lines = [line for line in lines if line.id == only]
    if seen is not None:
        lines = [line for line in lines if line.id in seen]
    result = []
    for line in lines:
        theirs = [o for o in during if o.line == line.id]
        days = [line_day(line, monday + timedelta(days=i), now, theirs, lang) for i in range(7)]
        closed = describe.route_from(config, line, now, line.when_closed)
        words, options = board.goes(config, line, closed, lang)
        closed = words + (f" ({'; '.join(options)})" if options else "")
        result.append(LineWeek(line.id, line.name, days, closed))
    return result


def line_day(line, day: date, now: datetime, overridden, lang: str) -> Day:
    schedule = line.schedule
    zone = ZoneInfo(schedule.timezone)
    start = datetime.combine(day, time.min, zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, zone).astimezone(UTC)
    weekday, short, written = day_words(day, lang)
    result = Day(day, weekday, short, written, schedule.local(now).date() == day)
    for first, last in schedule.open_periods(start, end):
        a, b = minutes(schedule, day, first), minutes(schedule, day, last)
        text = f"{hhmm(a)}–{hhmm(b)}"
        result.blocks.append(Block(a // SLOT_MINUTES, -(-b // SLOT_MINUTES), text, "open"))
    # The day's hours as callers meet them: the schedule's, with the overrides over them (the
    # blocks show both: the schedule, and an override hatched over it).
    spans = [
        f"{hhmm(minutes(schedule, day, first))}–{hhmm(minutes(schedule, day, last))}"
        for first, last in rules.open_periods(schedule, start, end, overridden, since=now)
    ]
    if not spans:
        result.hours = translate("closed", lang)
    elif spans == ["00:00–24:00"]:
        result.hours = translate("day and night", lang)
    else:
        result.hours = ", ".join(spans)
    named = holiday_name(schedule, day, lang) if schedule.holiday_name(day) else None
    if named:
        result.notes.append(translate("closed: %(name)s", lang, name=named))
    for e in schedule.exceptions:
        if e.first_day <= day <= e.last_day:
            if e.open:
                result.notes.append(translate("open: %(reason)s", lang, reason=e.reason))
            else:
                result.notes.append(translate("closed: %(reason)s", lang, reason=e.reason))
    for override in overridden:
        begins = override.starts_at or now
        if not (begins < end and override.until > start):
            continue
        a = minutes(schedule, day, max(begins, start))
        b = minutes(schedule, day, min(override.until, end))
        kind = "override-open" if override.open else "override-closed"
        text = translate("override: %(reason)s", lang, reason=override.reason)
        first = min(a // SLOT_MINUTES, SLOTS - 1)
        result.blocks.append(Block(first, max(-(-b // SLOT_MINUTES), first + 1), text, kind))
        result.notes.append(f"{text} ({hhmm(a)}–{hhmm(b)})")
    return result


def minutes(schedule, day: date, at: datetime) -> int:
    local = schedule.local(at)
    return 24 * 60 if local.date() > day else local.hour * 60 + local.minute


def hhmm(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"
