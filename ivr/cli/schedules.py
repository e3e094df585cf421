"""Opening hours as operators read them: `ivr schedule` (and the wall page), `ivr holidays`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_package
from babel.dates import format_date
from jinja2 import Environment, PackageLoader

from ivr.cli.common import find_line, load_config, write_file
from ivr.cli.moments import BRUSSELS_TIME, check_year, next_change, not_real, now_from
from ivr.schedule import DAY, Schedule
from ivr.settings import Settings

# The page to pin on the wall (ivr/templates/wall.html); autoescape keeps names and reasons
# from the configuration as text.
WALL_PAGE = Environment(
    loader=PackageLoader("ivr"), autoescape=True, keep_trailing_newline=True
).get_template("wall.html")


def holidays_command(args, settings: Settings) -> int:
    config = load_config(settings)
    year = args.year if args.year is not None else now_from(args).astimezone(BRUSSELS_TIME).year
    check_year(year, f"--year {year}")
    print(f"Public holidays and closure days {year}, named in each line's language:")
    for line in sorted(config.lines.values(), key=lambda li: li.id):
        sched = line.schedule
        print(f"\n{line.id}:")
        if sched.always_open:
            print("  open every day, public holidays included")
        elif sched.closes_on_public_holidays:
            print("  closed on the Belgian public holidays (from the holidays package):")
            national = holidays_package.country_holidays(
                "BE", years=year, categories=("public",), language=sched.holiday_language
            )
            for day, name in sorted(national.items()):
                print(f"  {day:%a %d %b}  {name}")
        else:
            print("  open on public holidays (its weekly hours apply)")
        for closure in sched.closure_days:
            day = date(year, closure.month, closure.day)
            print(f"  {day:%a %d %b}  {closure.name} (closure day, every year)")
        for e in sched.exceptions:
            if e.first_day.year <= year <= e.last_day.year:
                span = f"{e.first_day:%a %d %b}" + (
                    f" to {e.last_day:%a %d %b}" if e.last_day != e.first_day else ""
                )
                kind = "open" if e.open else "closed"
                print(f"  {span}  {kind}: {e.reason} (exception)")
    return 0


def week_start(text: str | None, now: datetime) -> date:
    if not text:
        today = now.astimezone(BRUSSELS_TIME).date()
        return today - timedelta(days=today.weekday())
    try:
        year, week = (int(part) for part in text.upper().split("-W"))
        check_year(year, f"'{text}'")
        return date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise not_real(text, exc, "a week", "it like 2026-W52") from exc


def day_view(schedule: Schedule, day: date, words=("open", "closed")):
    """The open hours of a day where the line is, in minutes after its midnight (a day the
    clocks change is still 0 to 1440), and, when it is not an ordinary day, why."""
    zone = ZoneInfo(schedule.timezone)
    start = datetime.combine(day, time.min, zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, zone).astimezone(UTC)
    hours = [
        (minutes_into(schedule, day, a), minutes_into(schedule, day, b))
        for a, b in schedule.open_periods(start, end)
    ]
    notes = []
    closure = schedule.holiday_name(day)
    if closure:
        notes.append(f"{words[1]}: {closure}")
    for e in schedule.exceptions:
        if e.first_day <= day <= e.last_day:
            notes.append(f"{words[0] if e.open else words[1]}: {e.reason}")
    return hours, "; ".join(notes)


def minutes_into(schedule: Schedule, day: date, at: datetime) -> int:
    local = schedule.local(at)
    return DAY if local.date() > day else local.hour * 60 + local.minute


def spans(hours: list[tuple[int, int]], dash: str) -> str:
    """'09:00-12:00, 13:00-17:00'."""
    return ", ".join(f"{hhmm(first)}{dash}{hhmm(last)}" for first, last in hours)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def schedule_command(args, settings: Settings) -> int:
    config = load_config(settings)
    now = now_from(args)
    monday = week_start(args.week, now)
    lines = (
        [find_line(config, args.line)]
        if args.line
        else sorted(config.lines.values(), key=lambda li: li.id)
    )
    if args.html:
        page = wall_page(lines, monday)
        write_file(args.html, lambda out: out.write(page))
        print(f"wrote {args.html}")
        return 0
    year, week, _ = monday.isocalendar()
    for line in lines:
        schedule = line.schedule
        sunday = monday + timedelta(days=6)
        print(
            f"{line.id} — week {year}-W{week:02d}, {monday:%a %d %b} to {sunday:%a %d %b %Y}"
            f" ({schedule.timezone})"
        )
        for offset in range(7):
            day = monday + timedelta(days=offset)
            hours, note = day_view(schedule, day)
            text = spans(hours, "-") or "closed"
            print(f"  {day:%a %d %b}  {text}" + (f"   ({note})" if note else ""))
        s = schedule.status(now)
        state = "open" if s.open else "closed"
        changes = next_change(s.open, s.changes_at, now, schedule)
        if s.changes_at is not None:  # and the change after it: "closes today 19:00, opens..."
            after = schedule.next_change(s.changes_at)
            if after is not None:
                changes += f", {next_change(not s.open, after, now, schedule)}"
        print(f"  now: {state} ({s.reason}); {changes}")
        print()
    return 0


@dataclass(frozen=True)
class Bar:
    """Open time on a day of the wall page, in percent of the day's width."""

    left: float
    width: float


@dataclass(frozen=True)
class WallCell:
    bars: list[Bar]
    hours: str
    note: str


def wall_page(lines, monday: date) -> str:
    """One row per line, the week across, open time coloured: a page to pin on the wall."""
    year, week, _ = monday.isocalendar()
    days = [monday + timedelta(days=i) for i in range(7)]
    return WALL_PAGE.render(
        week=f"{year}-W{week:02d}",
        days=[
            (format_date(d, "EEEE", locale="fr_BE"), format_date(d, "d MMMM", locale="fr_BE"))
            for d in days
        ],
        rows=[
            {"name": line.name, "cells": [wall_cell(line.schedule, day) for day in days]}
            for line in lines
        ],
    )


def wall_cell(schedule: Schedule, day: date) -> WallCell:
    hours, note = day_view(schedule, day, ("ouvert", "fermé"))
    percent = DAY / 100  # minutes
    bars = [Bar(first / percent, (last - first) / percent) for first, last in hours]
    text = spans(hours, "–") or "fermé"
    if text == "00:00–24:00":
        text = "jour et nuit"
    return WallCell(bars, text, note)
