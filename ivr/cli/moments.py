"""Moments as operators type and read them: '2026-12-24 18:30' in, 'tomorrow 09:00' out."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ivr.cli.common import CommandError
from ivr.domain.schedule import Schedule, next_time_of_day

# What operators type (--at, --until, as the commands' help says) and read where no line's
# schedule is at hand: the helplines are Belgian, and so are the people who run them.
BRUSSELS_TIME = ZoneInfo("Europe/Brussels")
# The years the router plans for: dates outside are typing mistakes (far enough out, the
# calendar arithmetic overflows), and the holidays package knows Belgium's public holidays
# only until 2100: after that, every holiday would silently be an ordinary day.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def check_year(year: int, what: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CommandError(f"{what} is out of range: give a year from {FIRST_YEAR} to {LAST_YEAR}")


def not_real(text: str, exc: ValueError, kind: str, example: str) -> CommandError:
    """'2026-02-30' is a date that does not exist; 'tomorrow' is no date at all."""
    detail = str(exc)
    if re.search(r"out of range|must be in|Invalid week", detail):
        return CommandError(f"'{text}' does not exist ({detail}); write {example}")
    return CommandError(f"'{text}' is not {kind}; write {example}")


def utc_offset(at: datetime) -> str:
    minutes = int(at.utcoffset().total_seconds() // 60)
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def parse_moment(text: str | None, now: datetime | None = None) -> datetime:
    """'2026-12-24 18:30' (Brussels time), '18:30' (today there), or now."""
    now = now or datetime.now(UTC)
    if not text:
        return now
    local_now = now.astimezone(BRUSSELS_TIME)
    text = text.strip()
    try:
        if len(text) <= 5:
            hours, minutes = (int(x) for x in text.split(":"))
            return local_now.replace(hour=hours, minute=minutes, second=0, microsecond=0)
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise not_real(text, exc, "a time", "2026-12-24 18:30 or 18:30") from exc
    check_year(parsed.year, f"'{text}'")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=BRUSSELS_TIME)
    # An offset is only right if it is Brussels' own at that moment (either one, on the night
    # the clocks go back): anything else would be silently read as another time.
    for fold in (0, 1):
        local = parsed.replace(tzinfo=BRUSSELS_TIME, fold=fold)
        if local.utcoffset() == parsed.utcoffset():
            return local
    written = re.search(r"(Z|[+-]\d\d(:?\d\d)*(\.\d+)?)$", text)
    raise CommandError(
        f"times are Brussels time ({utc_offset(parsed.replace(tzinfo=BRUSSELS_TIME))} then); "
        f"drop the {written.group(1) if written else utc_offset(parsed)} from '{text}'"
    )


def parse_coming(text: str, after: datetime, timezone: str) -> datetime:
    """A moment still to come, as `--from` and `--until` take it: '2026-12-24 18:30', or a time
    alone, the next time the line's clocks say it after `after` (today, or tomorrow when it is
    already past), as the phone console reads its four digits."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if match is None:
        return parse_moment(text, after)
    hours, minutes = int(match[1]), int(match[2])
    if hours > 23 or minutes > 59:
        raise CommandError(f"'{text}' is not a time of day; write one from 00:00 to 23:59")
    return next_time_of_day(after, timezone, hours, minutes)


def now_from(args) -> datetime:
    return parse_moment(getattr(args, "at", None))


def when(at: datetime | None, now: datetime, schedule: Schedule, dated: bool = False) -> str:
    """'today 19:00', 'tomorrow 09:00', 'Monday 30 November 09:00', in the schedule's time;
    `dated`, 'tomorrow Wed 2 Dec 18:00': the date too, where what was typed was a time."""
    if at is None:
        return "not within a year"
    local, today = schedule.local(at), schedule.local(now).date()
    days = (local.date() - today).days
    day = {0: "today", 1: "tomorrow"}.get(days) or f"{local:%A} {local.day} {local:%B}"
    if days >= 7:
        day += f" {local.year}"
    if dated and days in (0, 1):
        return f"{day} {local:%a} {local.day} {local:%b} {local:%H:%M}"
    return f"{day} {local:%H:%M}"


def next_change(is_open: bool, at: datetime | None, now: datetime, schedule: Schedule) -> str:
    if at is None:
        return "open day and night" if is_open else "does not open within a year"
    return f"{'closes' if is_open else 'opens'} {when(at, now, schedule)}"


def a_year_after(now: datetime, schedule: Schedule) -> datetime:
    local = schedule.local(now)
    try:
        return local.replace(year=local.year + 1)
    except ValueError:  # 29 February
        return local.replace(year=local.year + 1, month=3, day=1)
