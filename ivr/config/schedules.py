"""Reads a line's or a service's `schedule:`: hours, public holidays, closure days, exceptions."""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ivr.config.fields import Fields, closest
from ivr.config.reading import Mapping, Reader, Sequence, line_of
from ivr.config.schedule_checks import check_dates
from ivr.domain import languages
from ivr.domain.schedule import (
    DAY,
    ClosureDay,
    DatedException,
    HoursChange,
    Schedule,
    ScheduleError,
    check_change,
    hours_change,
    hours_on,
    parse_days,
    parse_row,
    parse_span,
    parse_spans,
    weekly_windows,
)

# Where our lines are; a schedule that does not say otherwise runs on its clock.
TIMEZONE = "Europe/Brussels"
SCHEDULE_KEYS = {"timezone", "hours", "public_holidays", "closure_days", "exceptions"}


def read_schedule(r: Reader, m: Mapping, what: str, language: str, at: int) -> Schedule | None:
    """`at` is the line of the `schedule:` key, where a missing setting is reported."""
    if isinstance(m, Mapping) and "hours" in m and m["hours"] is None:
        rows = [key for key in m if key not in SCHEDULE_KEYS and _is_day_row(str(key))]
        if rows:  # `hours:` empty, and its rows written level with it
            r.error(
                line_of(m, rows[0]),
                f"'{rows[0]}' is a row of hours, but it is not indented under 'hours:' (line "
                f"{line_of(m, 'hours')}): indent it further than 'hours:'",
            )
            return None
    f = Fields(r, m, what, SCHEDULE_KEYS)
    timezone = f.text("timezone", required=False, default=TIMEZONE)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        r.error(f.line("timezone"), f"'{timezone}' is not a time zone; write {TIMEZONE}")
        return None
    ok = True
    hours = m.get("hours")
    always = hours == "always"
    windows, changes = (), []  # the weekly hours, and their changes from a date: (line, change)
    if hours is None:
        r.error(at, f"{what} needs 'hours:', for example 'mon-fri: 09:00-19:00' or 'always'")
        ok = False
    elif not always:
        if not isinstance(hours, Mapping):
            guess = closest(hours, ["always"]) if isinstance(hours, str) else None
            r.error(
                f.line("hours"),
                f"'hours: {hours}' is not a way of writing hours; did you mean 'always'?"
                if guess
                else "'hours' must be 'always' or indented lines such as 'mon-fri: 09:00-19:00'",
            )
            ok = False
        else:
            read = _read_hours(r, f, hours)
            ok = read is not None
            windows, changes = read or ((), [])
    holidays_policy = m.get("public_holidays")
    if holidays_policy is None and not always and not isinstance(hours, str):
        r.error(
            at,
            f"{what} needs 'public_holidays: closed' or 'public_holidays: open' "
            "(Belgian public holidays come from the holidays package)",
        )
        ok = False
    elif holidays_policy not in (None, "closed", "open"):
        r.error(f.line("public_holidays"), "'public_holidays' must be 'closed' or 'open'")
        ok = False
    closure_days = _read_closure_days(r, f)
    exceptions = _read_exceptions(r, f)
    if not ok or closure_days is None or exceptions is None:
        return None
    # `- every wed from 2026-12-01: 10:00-19:00` among the exceptions changes weekly hours.
    changes += [(ln, e) for ln, e in exceptions if isinstance(e, HoursChange)]
    exceptions = [(ln, e) for ln, e in exceptions if not isinstance(e, HoursChange)]
    if not _changes_fit(r, windows, changes, always):
        return None
    schedule = Schedule(
        timezone=timezone,
        windows=windows,
        closes_on_public_holidays=holidays_policy == "closed",
        closure_days=tuple(day for _, day in closure_days),
        exceptions=tuple(e for _, e in exceptions),
        holiday_language=holiday_language(language),
        always_open=always,
        changes=tuple(change for _, change in changes),
    )
    if not _changes_fit_together(r, schedule, changes):
        return None
    check_dates(r, schedule, exceptions, changes)
    return schedule


def _read_hours(r: Reader, f: Fields, hours: Mapping):
    """The weekly hours, and the rows that change them from or until a date: (windows, [(line,
    change)]); None when a row is wrong (said)."""
    rows, changes, ok = [], [], True
    for days, spans in hours.items():
        if isinstance(spans, Sequence):
            spans = ", ".join(str(s) for s in spans)
        try:
            change = hours_change(days, str(spans))
            if change is None:
                weekly_windows([(days, str(spans))])
                rows.append((days, str(spans)))
                _warn_long_nights(r, line_of(hours, days), parse_spans(str(spans)))
            else:
                changes.append((line_of(hours, days), change))
                _warn_long_nights(r, line_of(hours, days), change.spans)
        except ScheduleError as exc:
            r.error(line_of(hours, days), str(exc))
            ok = False
    try:
        windows = weekly_windows(rows)
    except ScheduleError as exc:
        r.error(f.line("hours"), f"{exc}; a line cannot open twice at the same time")
        return None
    return (windows, changes) if ok else None


# Longer than this over midnight, a window is most likely written with its hours swapped
# (`fri: 12:00-10:00` for 10:00-12:00 rings the phone at 3 a.m.): said, not refused.
LONGEST_NIGHT = 12 * 60


def _warn_long_nights(r: Reader, line: int, spans) -> None:
    for start, end in spans:
        if end > DAY and end - start > LONGEST_NIGHT:
            opens, closes, hours = _hhmm(start), _hhmm(end), end - start
            length = f"{hours // 60} hours" + (f" {hours % 60} minutes" if hours % 60 else "")
            r.warn(
                line,
                f"{opens}-{closes} is open {length} over midnight, until {closes} the next "
                f"day: if its hours are swapped, write {closes}-{opens}. A night window is "
                "written from its opening to its closing, such as 20:00-02:00; to be open more "
                f"than 12 hours over midnight, write {opens}-24:00 on this day and "
                f"00:00-{closes} on the next",
                kind="long night",
            )


def _changes_fit(r: Reader, windows, changes, always: bool) -> bool:
    """Changes of the weekly hours need weekly hours, and leave no two windows overlapping."""
    ok = True
    for ln, change in changes:
        try:
            if always:
                raise ScheduleError(
                    "'hours: always' is open day and night, so its hours cannot change on a "
                    "date; write the week out instead ('every day: 00:00-24:00') and change that"
                )
            check_change(windows, change)
        except ScheduleError as exc:
            r.error(ln, str(exc))
            ok = False
    return ok


def _changes_fit_together(r: Reader, schedule: Schedule, changes) -> bool:
    """Rows of hours in force on the same days leave no two windows overlapping either (`fri
    from 2026-12-04: 20:00-03:00` and `sat from 2026-12-05: 01:00-05:00`): the days around
    each date where hours change are laid end to end and looked at."""
    boundaries: dict[date, int] = {}
    for ln, change in changes:
        for day in (change.first_day, change.last_day and change.last_day + timedelta(days=1)):
            if day is not None:
                boundaries.setdefault(day, ln)
    for boundary, ln in sorted(boundaries.items()):
        first = boundary - timedelta(days=7)
        spans = sorted(
            (i * DAY + start, i * DAY + end, first + timedelta(days=i))
            for i in range(15)
            for start, end in hours_on(
                schedule.windows, schedule.changes, first + timedelta(days=i)
            )
        )
        for (_, end, day), (start, _, next_day) in zip(spans, spans[1:], strict=False):
            if start < end:
                r.error(
                    ln,
                    f"with the hours in force around {boundary}, those of {day} (until "
                    f"{_hhmm(end - (day - first).days * DAY)}) overlap those of {next_day} "
                    f"(from {_hhmm(start - (next_day - first).days * DAY)}); a line cannot "
                    "open twice at the same time: change one of the rows",
                )
                return False
    return True


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def holiday_language(language: str) -> str:
    """The holidays package's language for the public holidays of a line speaking `language`
    (the registry's); English for a language it does not know."""
    known = languages.LANGUAGES.get(language)
    return known.holidays_language if known else languages.ENGLISH.holidays_language


_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _read_closure_days(r: Reader, f: Fields) -> list[ClosureDay] | None:
    written = "a closure day is written as 'date: 07-11' and 'name: ...'"
    return _read_list(r, f, "closure_days", written, _read_closure_day)


def _read_closure_day(r: Reader, item: Mapping) -> ClosureDay | None:
    g = Fields(r, item, "a closure day", {"date", "name"})
    text = g.text("date") or ""
    name = g.text("name") or ""
    match = _MONTH_DAY.match(text)
    try:
        date(2024, int(match[1]), int(match[2]))  # a leap year admits 02-29
        return ClosureDay(int(match[1]), int(match[2]), name)
    except (TypeError, ValueError):
        r.error(
            g.line("date"),
            f"'{text}' is not a day of the year; write month-day, such as 07-11 for 11 July",
        )
        return None


EXCEPTION_KEYS = {"dates", "hours", "status", "reason"}


def _is_day_row(text: str) -> bool:
    try:
        parse_days(parse_row(text)[0])
    except (ScheduleError, TypeError):
        return False
    return True


def _read_exceptions(r: Reader, f: Fields) -> list[DatedException] | None:
    written = "an exception needs 'dates:', 'status:' and 'reason:'"
    return _read_list(r, f, "exceptions", written, _read_exception)


def _read_exception(r: Reader, item: Mapping) -> DatedException | HoursChange | None:
    rows = [key for key in item if str(key).lower().startswith("every ")]
    if rows:
        row, *others = [*rows, *(key for key in item if key not in rows and key != "reason")]
        if others:
            r.error(
                line_of(item, others[0]),
                f"'{row}: …' is an exception of its own, which only 'reason:' may go with: "
                f"write '{others[0]}' in another '- ' item",
            )
            return None
        try:
            change = hours_change(row, str(item[row]), undated=True)
            _warn_long_nights(r, line_of(item, row), change.spans)
            return change
        except ScheduleError as exc:
            r.error(line_of(item, row), str(exc))
            return None
    for key in item:
        if key not in EXCEPTION_KEYS and _is_day_row(str(key)):
            # `- wed from 2026-12-01: 10:00-19:00`: meant as a row of hours.
            r.error(
                line_of(item, key),
                f"to change the hours of some days here, start the row with 'every': "
                f"'- every {key}: {item[key]}'",
            )
            return None
    g = Fields(r, item, "an exception", EXCEPTION_KEYS)
    dates = g.text("dates") or ""
    status = g.text("status")
    reason = g.text("reason") or ""
    parts = [p.strip() for p in dates.split("..")]
    try:
        if len(parts) > 2 or not all(_DATE.match(p) for p in parts):
            raise ValueError
        first = date.fromisoformat(parts[0])
        last = date.fromisoformat(parts[-1])
        if last < first:
            raise ValueError
    except ValueError:
        r.error(
            g.line("dates"),
            f"'{dates}' is not a date or a period; write 2026-12-24 or "
            "2026-12-24..2026-12-31 (first and last day)",
        )
        return None
    start, end = 0, 24 * 60
    if g.has("hours"):
        try:
            start, end = parse_span(str(item["hours"]))
        except ScheduleError as exc:
            r.error(g.line("hours"), str(exc))
            return None
        _warn_long_nights(r, g.line("hours"), [(start, end)])
    if status not in ("open", "closed"):
        if status is not None:
            r.error(g.line("status"), "'status' must be 'open' or 'closed'")
        return None
    return DatedException(first, last, start, end, status == "open", reason)


def _read_list(r: Reader, f: Fields, key: str, written: str, read_item):
    """The list `key`, each item a mapping read by `read_item` (None when it is wrong, which
    it reports), as (line, item); None when any item is wrong. `written` says how an item is
    written."""
    seq = f.sequence(key, required=False)
    if seq is None:
        return []
    result, ok = [], True
    for item, line in zip(seq, seq.item_lines, strict=True):
        if not isinstance(item, Mapping):
            r.error(line, written)
            ok = False
            continue
        read = read_item(r, item)
        if read is None:
            ok = False
        else:
            result.append((line, read))
    return result if ok else None
