"""The reports' figures, from the anonymous rows the store keeps (calls' outcomes by hour,
messages' figures): calls by day, week and month, by weekday and hour in Brussels time, by
outcome; messages received, called back, how long they waited, past retention. Pure: no Flask,
no database; time zones by zoneinfo (DST days have 23 or 25 hours, each call in its own).

What a console shows is held back where it could point at one caller (`held_back`): a count
from 1 to 4 is shown "< 5"; within a table, more cells are held back until no held-back cell
can be worked out from the others and the total; a week or month that covers a held-back day
is rounded to 10. `ivr stats` stays exact: it reads the store itself."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
THRESHOLD = 5  # a count below this (and above 0) is held back
HIDDEN_AT_LEAST = 2 * THRESHOLD  # the held-back cells of a table add up to this much at least

# How calls ended (`call_outcomes.outcome`), as the reports group them.
ANSWERED, VOICEMAIL, REFERRED, HUNG_UP, TRANSFER_FAILED, OTHER = (
    "answered",
    "voicemail",
    "referred",
    "hung up waiting",
    "transfer failed",
    "other",
)
CATEGORIES = (ANSWERED, VOICEMAIL, REFERRED, HUNG_UP, TRANSFER_FAILED, OTHER)
CATEGORY_OF = {
    "connected": ANSWERED,
    "voicemail": VOICEMAIL,
    "voicemail not kept": VOICEMAIL,
    "referred": REFERRED,
    "hung up waiting": HUNG_UP,
    "transfer failed": TRANSFER_FAILED,
    "ended after message": OTHER,
}
WEEKDAYS = range(7)
HOURS = range(24)


def category(outcome: str) -> str:
    return CATEGORY_OF.get(outcome, OTHER)


@dataclass
class Cell:
    """A count as a report shows it: `value` exact; `shown` what a console may show."""

    value: int
    held: bool = False  # held back: "< 5" (or, secondarily, "held back")
    rounded: bool = False  # rounded to 10: it covers a held-back cell

    @property
    def shown(self) -> str:
        if self.held:
            return f"< {THRESHOLD}" if 0 < self.value < THRESHOLD else "…"
        if self.rounded:
            return f"≈ {int(round(self.value, -1))}"
        return str(self.value)

    @property
    def drawn(self) -> float:
        """What a chart draws: nothing of a held-back cell but that it is small."""
        if self.held:
            return min(self.value, THRESHOLD - 1) if self.value < THRESHOLD else 0
        if self.rounded:
            return round(self.value, -1)
        return self.value


def hold_back(cells: list[Cell]) -> list[Cell]:
    """Holds back, in place, the cells from 1 to 4, then as many of the smallest others as it
    takes for the held-back cells to add up to `HIDDEN_AT_LEAST` and be two at least: with the
    table's total shown, none of them can be worked out by subtraction."""
    for cell in cells:
        if 0 < cell.value < THRESHOLD:
            cell.held = True
    held = [c for c in cells if c.held]
    if not held:
        return cells
    others = sorted((c for c in cells if not c.held and c.value > 0), key=lambda c: c.value)
    while (len(held) < 2 or sum(c.value for c in held) < HIDDEN_AT_LEAST) and others:
        cell = others.pop(0)
        cell.held = True
        held.append(cell)
    if sum(c.value for c in held) < HIDDEN_AT_LEAST:
        for cell in cells:  # too few calls to show anything but that they are few
            cell.held = cell.held or cell.value > 0
    return cells


@dataclass
class Period:
    """Brussels days [first, last], as instants [start, end)."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, datetime.min.time(), BRUSSELS)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), datetime.min.time(), BRUSSELS)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


def percentile(values: list[int], share: float) -> int | None:
    """The nearest-rank percentile (the median at 0.5): a value that was really measured."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Report:
    period: Period
    lines: tuple[str, ...]
    by_day: dict[date, Cell] = field(default_factory=dict)
    by_week: dict[str, Cell] = field(default_factory=dict)
    by_month: dict[str, Cell] = field(default_factory=dict)
    heat: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (weekday, hour)
    open_hours: set[tuple[int, int]] = field(default_factory=set)  # mostly open then
    outcomes: dict[str, Cell] = field(default_factory=dict)
    total: Cell = field(default_factory=lambda: Cell(0))
    messages: dict[str, Cell] = field(default_factory=dict)
    wait_median: int | None = None  # seconds from a message to its call back
    wait_p90: int | None = None
    waits_counted: int = 0


MESSAGE_FIGURES = ("received", "called back", "closed", "past retention", "waiting")


def report(period: Period, lines, outcome_rows, message_rows, schedules=None) -> Report:
    """The report of `lines` over `period`: `outcome_rows` as `Outcomes.report` gives them
    (hour, line, outcome, language, calls), `message_rows` as `Outcomes.messages` does;
    `schedules`: line id -> Schedule, for the opening hours under the heat map."""
    lines = tuple(sorted(lines))
    wanted = set(lines)
    result = Report(period, lines)
    days: Counter = Counter()
    heat: Counter = Counter()
    outcomes: Counter = Counter()
    for row in outcome_rows:
        if row["line"] not in wanted:
            continue
        local = row["hour"].astimezone(BRUSSELS)
        if not period.first <= local.date() <= period.last:
            continue
        days[local.date()] += row["calls"]
        heat[(local.weekday(), local.hour)] += row["calls"]
        outcomes[category(row["outcome"])] += row["calls"]
    result.by_day = {day: Cell(days[day]) for day in period.days()}
    hold_back(list(result.by_day.values()))
    for day, cell in result.by_day.items():
        for key, table in ((week_of(day), result.by_week), (month_of(day), result.by_month)):
            covering = table.setdefault(key, Cell(0))
            covering.value += cell.value
            covering.rounded = covering.rounded or cell.held
    result.heat = {(d, h): Cell(heat[(d, h)]) for d in WEEKDAYS for h in HOURS}
    hold_back(list(result.heat.values()))
    result.outcomes = {c: Cell(outcomes[c]) for c in CATEGORIES}
    hold_back(list(result.outcomes.values()))
    result.total = Cell(sum(days.values()))
    if 0 < result.total.value < THRESHOLD:
        result.total.held = True
    result.open_hours = open_hours(period, [schedules[i] for i in lines if i in (schedules or {})])
    _messages(result, wanted, message_rows)
    return result


def _messages(result: Report, wanted: set[str], rows) -> None:
    counts: Counter = Counter()
    waits = []
    period = result.period
    for row in rows:
        if row["line"] not in wanted:
            continue
        received = row["received_hour"].astimezone(BRUSSELS).date()
        if not period.first <= received <= period.last:
            continue
        counts["received"] += 1
        if row["outcome"] == "called back":
            counts["called back"] += 1
            if row["wait_seconds"] is not None:
                waits.append(row["wait_seconds"])
        elif row["outcome"] == "closed":
            counts["closed"] += 1
        elif row["purged_unanswered"]:
            counts["past retention"] += 1
        else:
            counts["waiting"] += 1
    result.messages = {key: Cell(counts[key]) for key in MESSAGE_FIGURES}
    parts = [result.messages[k] for k in MESSAGE_FIGURES if k != "received"]
    hold_back(parts)
    if 0 < result.messages["received"].value < THRESHOLD:
        result.messages["received"].held = True
    result.waits_counted = len(waits)
    if len(waits) >= THRESHOLD:  # a median of fewer would be one message's wait
        result.wait_median = percentile(waits, 0.5)
        result.wait_p90 = percentile(waits, 0.9)


def open_hours(period: Period, schedules) -> set[tuple[int, int]]:
    """The (weekday, hour) cells in which one of the lines was open for most of the period's
    such hours (the middle of each hour looked at, in Brussels time)."""
    if not schedules:
        return set()
    seen: Counter = Counter()
    open_: Counter = Counter()
    for day in period.days():
        for hour in HOURS:
            at = datetime(day.year, day.month, day.day, hour, 30, tzinfo=BRUSSELS)
            if at.astimezone(BRUSSELS).hour != hour:
                continue  # the hour the clocks skip in spring
            seen[(day.weekday(), hour)] += 1
            if any(s.is_open(at) for s in schedules):
                open_[(day.weekday(), hour)] += 1
    return {cell for cell, n in seen.items() if open_[cell] * 2 > n}
