"""When a line or a partner service answers.

One `Schedule` answers every time question the router asks: is it open at T, why, and when does
that next change. The spoken sentence for the hours is built from the same object (see
`ivr.domain.speech`), so an operator who changes the hours never re-records a prompt.

Rules, from strongest to weakest:
1. dated exceptions (closed or open for a period, possibly part of a day); where two overlap,
   the shorter one wins, so "open 28 Dec 10-12" can sit inside "closed 24 Dec - 1 Jan";
2. Belgian public holidays (from the `holidays` package) and the line's own closure days,
   when the line closes on them;
3. the weekly windows.

Windows are half-open [open, close) in the line's wall-clock time. A window that crosses
midnight belongs to the day it starts: `fri 22:00-02:00` runs into Saturday, and a holiday on
the Friday closes all of it. Wall-clock times are turned into instants only at the end, so a
daylight-saving change never moves an opening hour.

Pure logic: no I/O, no clock of its own. Every instant passed in must be timezone-aware.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_package

from ivr.domain import languages

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Every rule starts and ends on a whole minute of its wall clock (times are written HH:MM, days
# start at midnight, and today's time zones are whole minutes from UTC; an operator's override
# ends on a minute too), so nothing a schedule answers changes within a minute. `ivr.twilio.answers`
# keeps its answers for the minute on that ground; tests/test_schedule.py holds it.
RESOLUTION_SECONDS = 60
DAY = 24 * 60
# How far ahead "when does it next open" looks before answering "not within a year".
HORIZON_DAYS = 400


def minute(at: datetime) -> int:
    """The minute `at` falls in: within it, every schedule gives the same answers."""
    return int(at.timestamp() // RESOLUTION_SECONDS)


def next_time_of_day(after: datetime, timezone: str, hour: int, minute: int) -> datetime:
    """The first moment after `after` when the clocks of `timezone` say hour:minute: today, or
    tomorrow when that is already past (00:00 is the coming midnight). What a time typed alone
    means, on the phone console (1800) as in `ivr override --until 18:00`."""
    local = after.astimezone(ZoneInfo(timezone))
    at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    # Wall-clock arithmetic: tomorrow's 18:00 is 18:00 on the clocks, summer or winter time.
    return at if at > local else at + timedelta(days=1)


class ScheduleError(ValueError):
    """A schedule rule an operator wrote that cannot be understood; the text says how to fix it."""


@dataclass(frozen=True)
class Window:
    weekday: int  # 0 = Monday
    start: int  # minutes after the local midnight of `weekday`
    end: int  # minutes after that same midnight; above 1440 when it runs past midnight


@dataclass(frozen=True)
class ClosureDay:
    """A day closed every year, such as 11 July for a Flemish organisation."""

    month: int
    day: int
    name: str


@dataclass(frozen=True)
class DatedException:
    first_day: date
    last_day: date
    start: int  # part of each day, in minutes; 0-1440 means the whole day
    end: int
    open: bool
    reason: str

    @property
    def length(self) -> int:
        return ((self.last_day - self.first_day).days + 1) * (self.end - self.start)


@dataclass(frozen=True)
class HoursChange:
    """Weekly hours of some days that change from a date, until a date, or between two:
    `wed from 2026-12-01: 10:00-19:00`. Public holidays and exceptions still win over them."""

    weekdays: frozenset[int]
    spans: tuple[tuple[int, int], ...]  # minutes, as a window's; none: closed those days
    first_day: date | None = None  # None: since always
    last_day: date | None = None  # None: for good

    def covers(self, day: date) -> bool:
        return (self.first_day is None or self.first_day <= day) and (
            self.last_day is None or day <= self.last_day
        )


def hours_on(windows, changes, day: date, weekday: int | None = None) -> list[tuple[int, int]]:
    """The windows of `weekday` (by default `day`'s) as the hours stand on `day`: those of the
    change that covers it and started last (`changes` are in that order), else the weekly
    hours."""
    weekday = day.weekday() if weekday is None else weekday
    for change in reversed(changes):
        if weekday in change.weekdays and change.covers(day):
            return list(change.spans)
    return [(w.start, w.end) for w in windows if w.weekday == weekday]


@dataclass(frozen=True)
class Status:
    open: bool
    reason: str  # why, in an operator's words: "weekly hours", "public holiday: Noël", ...
    changes_at: datetime | None  # the next instant the answer flips (UTC), None beyond a year


@dataclass(eq=False)  # one object per schedule written: compared (and hashed) by identity
class Schedule:
    timezone: str
    windows: tuple[Window, ...] = ()
    closes_on_public_holidays: bool = False
    closure_days: tuple[ClosureDay, ...] = ()
    exceptions: tuple[DatedException, ...] = ()
    holiday_language: str = "fr"
    always_open: bool = False  # written as `hours: always`; exceptions still apply
    changes: tuple[HoursChange, ...] = ()  # weekly hours from or until a date
    _zone: ZoneInfo = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._zone = ZoneInfo(self.timezone)
        if self.always_open:
            self.windows = tuple(Window(d, 0, DAY) for d in range(7))
        # The one that started last wins: in that order (Python's sort keeps the written one).
        self.changes = tuple(sorted(self.changes, key=lambda c: c.first_day or date.min))
        self._holidays = holidays_package.country_holidays(
            "BE", categories=("public",), language=self.holiday_language
        )
        self._day_closure = lru_cache(maxsize=4096)(self._compute_day_closure)
        self._day_periods = lru_cache(maxsize=4096)(self._compute_day_periods)

    # -- questions the router asks -------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        return self._state(at)[0]

    def status(self, at: datetime) -> Status:
        is_open, reason = self._state(at)
        return Status(is_open, reason, self.next_change(at))

    def next_change(self, at: datetime) -> datetime | None:
        now_open = self.is_open(at)
        first = self._local_date(at)
        for offset in range(-2, HORIZON_DAYS):
            day = first + timedelta(days=offset)
            for instant in self._boundaries(day):
                if instant > at and self.is_open(instant) != now_open:
                    return instant
        return None

    def next_opening(self, at: datetime) -> datetime | None:
        """The next instant the line opens (now, if it is open now)."""
        if self.is_open(at):
            return at
        return self.next_change(at)

    def open_periods(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The open stretches between two instants, cut to them."""
        periods, at = [], start
        while at < end:
            change = self.next_change(at)
            stop = min(change, end) if change else end
            if self.is_open(at):
                periods.append((at, stop))
            at = stop
        return periods

    def preload_years(self, years) -> None:
        """Computes the holidays of these years now (the package reads its translations from
        disk the first time it meets a year), so no call waits on it."""
        for year in years:
            _ = date(year, 1, 1) in self._holidays

    def coming_week(self, day: date) -> tuple[Window, ...]:
        """The hours of each weekday on its next date from `day` on (`day`'s own for its
        weekday), changes from a date included: the week a caller is told about, which must
        agree with when the line next opens, also on the eve of a change."""
        return tuple(
            Window(d, start, end)
            for d in range(7)
            for start, end in hours_on(
                self.windows, self.changes, day + timedelta(days=(d - day.weekday()) % 7), d
            )
        )

    def holiday_name(self, day: date) -> str | None:
        """The public holiday or closure day that closes the line on `day`, if any."""
        return self._day_closure(day)

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self._zone)

    # -- internals -----------------------------------------------------------------------

    def _local_date(self, at: datetime) -> date:
        if at.tzinfo is None:
            raise ValueError("the clock must give timezone-aware datetimes")
        return at.astimezone(self._zone).date()

    def _instant(self, day: date, minutes: int) -> datetime:
        wall = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
        return wall.replace(tzinfo=self._zone).astimezone(UTC)

    def _compute_day_closure(self, day: date) -> str | None:
        for closure in self.closure_days:
            if (closure.month, closure.day) == (day.month, day.day):
                return closure.name
        if self.closes_on_public_holidays:
            name = self._holidays.get(day)
            if name:
                return name
        return None

    def _compute_day_periods(self, day: date):
        """Weekly windows and exceptions that start on `day`, as UTC instants."""
        weekly = []
        if self._day_closure(day) is None:
            weekly = [
                (self._instant(day, start), self._instant(day, end))
                for start, end in hours_on(self.windows, self.changes, day)
            ]
        dated = [
            (self._instant(day, e.start), self._instant(day, e.end), e)
            for e in self.exceptions
            if e.first_day <= day <= e.last_day
        ]
        return weekly, dated

    def _state(self, at: datetime) -> tuple[bool, str]:
        today = self._local_date(at)
        at = at.astimezone(UTC)
        covering = []
        in_window = False
        for offset in (-2, -1, 0):
            weekly, dated = self._day_periods(today + timedelta(days=offset))
            covering += [e for start, end, e in dated if start <= at < end]
            in_window = in_window or any(start <= at < end for start, end in weekly)
        if covering:
            # The shortest exception wins; among equals, the one written last.
            chosen = min(reversed(covering), key=lambda e: e.length)
            return chosen.open, f"exception: {chosen.reason}"
        if in_window:
            return True, "always open" if self.always_open else "weekly hours"
        closure = self._day_closure(today)
        if closure:
            return False, f"closed today: {closure}"
        return False, "outside weekly hours"

    def _boundaries(self, day: date) -> list[datetime]:
        weekly, dated = self._day_periods(day)
        instants = {t for period in weekly for t in period}
        instants |= {t for start, end, _ in dated for t in (start, end)}
        # A closure day starts and ends at local midnight, where a crossing window may be cut.
        instants.add(self._instant(day, 0))
        return sorted(instants)


# -- parsing what operators write ----------------------------------------------------------

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
CLOSED = "closed"
# `wed from 2026-12-01 until 2027-01-31`: days, then when the hours start and end.
_ROW = re.compile(r"^(?P<days>.*?)(?:\s+from\s+(?P<first>\S+))?(?:\s+until\s+(?P<last>\S+))?$")


def parse_row(text: str) -> tuple[str, date | None, date | None]:
    """`wed from 2026-12-01 until 2027-01-31` -> ('wed', first day, last day); the dates are
    None where not written. `every wed from ...` (as an exception says it) is the same."""
    text = " ".join(str(text).split())
    if text.lower().startswith("every ") and not text.lower().startswith("every day"):
        text = text[len("every ") :]
    match = _ROW.match(text)
    first, last = (_date(match[name]) for name in ("first", "last"))
    if first and last and last < first:
        raise ScheduleError(
            f"'{text}' ends on {last} before it starts on {first}; write the first day after "
            "'from' and the last after 'until'"
        )
    return match["days"], first, last


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ScheduleError(
            f"'{text}' is not a date; write it year-month-day, such as 2026-12-01"
        ) from None


def hours_change(row: str, spans_text: str, undated: bool = False) -> HoursChange | None:
    """`wed from 2026-12-01`, `10:00-19:00` -> the change; None for a row without dates (the
    weekly hours themselves) unless `undated`, for good."""
    days, first, last = parse_row(row)
    if first is None and last is None and not undated:
        return None
    spans = tuple(parse_spans(spans_text))
    return HoursChange(frozenset(parse_days(days)), spans, first, last)


def check_change(windows, change: HoursChange) -> None:
    """The week as `change` makes it has no two windows that overlap."""
    kept = [w for w in windows if w.weekday not in change.weekdays]
    check_overlaps(kept + [Window(d, s, e) for d in change.weekdays for s, e in change.spans])


def parse_time(text: str, *, allow_24: bool = False) -> int:
    match = _TIME.match(text.strip())
    if not match:
        raise ScheduleError(f"'{text}' is not a time; write it as HH:MM, for example 09:00")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not allow_24)):
        hint = " (24:00 is allowed only as a closing time)" if hours == 24 else ""
        raise ScheduleError(f"'{text}' is not a time of day{hint}")
    return hours * 60 + minutes


def parse_span(text: str) -> tuple[int, int]:
    """`09:00-19:00` -> minutes; a closing time earlier than the opening runs past midnight."""
    parts = str(text).split("-")
    if len(parts) != 2:
        raise ScheduleError(
            f"'{text}' is not a time window; write it as HH:MM-HH:MM, for example 09:00-19:00"
        )
    start = parse_time(parts[0])
    end = parse_time(parts[1], allow_24=True)
    if end == start:
        raise ScheduleError(f"'{text}' opens and closes at the same time")
    if end < start:
        end += DAY
    return start, end


def parse_spans(text: str) -> list[tuple[int, int]]:
    """`09:00-12:00, 13:00-17:00` -> several windows in one day; `closed` -> none."""
    if str(text).strip().lower() == CLOSED:
        return []
    spans = [parse_span(part) for part in str(text).split(",") if part.strip()]
    if not spans:
        raise ScheduleError("no time window given; write one such as 09:00-19:00")
    return spans


def parse_days(text: str) -> list[int]:
    """`mon-fri`, `sat,sun`, `wed`, `every day` -> weekday numbers."""
    text = str(text).strip().lower()
    if text in ("every day", "daily", "all"):
        return list(range(7))
    days: list[int] = []
    for part in text.split(","):
        part = part.strip()
        bounds = [b.strip() for b in part.split("-")]
        if len(bounds) > 2 or any(b not in WEEKDAYS for b in bounds):
            # Days as operators may write them in one of the router's languages (its registry).
            meant = [languages.weekday_named(b) for b in bounds]
            meant = [None if day is None else WEEKDAYS[day] for day in meant]
            if len(bounds) <= 2 and all(meant):
                raise ScheduleError(
                    f"'{part}' is not a day or a range of days; days are written short and in "
                    f"English: {'-'.join(meant)}"
                )
            raise ScheduleError(
                f"'{part}' is not a day or a range of days; use mon, tue, wed, thu, fri, sat, "
                "sun, a range such as mon-fri, or 'every day'"
            )
        first, last = WEEKDAYS.index(bounds[0]), WEEKDAYS.index(bounds[-1])
        span = (last - first) % 7 + 1
        days += [(first + i) % 7 for i in range(span)]
    return days


def weekly_windows(rows: list[tuple[str, str]]) -> tuple[Window, ...]:
    """Builds the weekly windows from (days, spans) rows and refuses overlaps."""
    windows: list[Window] = []
    for days_text, spans_text in rows:
        spans = parse_spans(spans_text)
        for weekday in parse_days(days_text):
            windows += [Window(weekday, start, end) for start, end in spans]
    check_overlaps(windows)
    return tuple(sorted(windows, key=lambda w: (w.weekday, w.start)))


def check_overlaps(windows: list[Window]) -> None:
    # On a line of minutes through the week, so a Sunday night window meets Monday morning.
    week = 7 * DAY
    spans = sorted(((w.weekday * DAY + w.start), (w.weekday * DAY + w.end), w) for w in windows)
    for (_s1, e1, w1), (s2, _e2, w2) in zip(spans, spans[1:], strict=False):
        if s2 < e1:
            raise ScheduleError(f"{describe_window(w1)} overlaps {describe_window(w2)}")
    if spans:
        last_start, last_end, last = spans[-1]
        first_start, _, first = spans[0]
        if last_end > week and last_end - week > first_start and last is not first:
            raise ScheduleError(f"{describe_window(last)} overlaps {describe_window(first)}")


def describe_window(window: Window) -> str:
    def hhmm(minutes: int) -> str:
        return f"{minutes // 60 % 24 if minutes != DAY else 24:02d}:{minutes % 60:02d}"

    return f"{WEEKDAYS[window.weekday]} {hhmm(window.start)}-{hhmm(window.end)}"
