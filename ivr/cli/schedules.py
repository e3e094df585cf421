"""Opening hours as operators read them: `ivr schedule` (and the wall page), `ivr holidays`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import holidays as holidays_package
from babel.dates import format_date
from jinja2 import Environment, PackageLoader

from ivr.cli.common import (
    BRUSSELS,
    check_year,
    find_line,
    load_config,
    next_change,
    not_real,
    now_from,
    write_file,
)
from ivr.settings import Settings

# The page to pin on the wall (ivr/templates/wall.html); autoescape keeps names and reasons
# from the configuration as text.
WALL_PAGE = Environment(
    loader=PackageLoader("ivr"), autoescape=True, keep_trailing_newline=True
).get_template("wall.html")


def holidays_command(args, settings: Settings) -> int:
    config = load_config(settings)
    year = args.year if args.year is not None else now_from(args).astimezone(BRUSSELS).year
    check_year(year, f"--year {year}")
    national = holidays_package.country_holidays(
        "BE", years=year, categories=("public",), language="en_US"
    )
    print(f"Belgian public holidays {year} (from the holidays package):")
    for day, name in sorted(national.items()):
        print(f"  {day:%a %d %b}  {name}")
    for line in sorted(config.lines.values(), key=lambda li: li.id):
        sched = line.schedule
        print(f"\n{line.id}:")
        if sched.always_open:
            print("  open every day, public holidays included")
        elif sched.closes_on_public_holidays:
            print("  closed on the public holidays above")
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
        today = now.astimezone(BRUSSELS).date()
        return today - timedelta(days=today.weekday())
    try:
        year, week = (int(part) for part in text.upper().split("-W"))
        check_year(year, f"'{text}'")
        return date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise not_real(text, exc, "a week", "it like 2026-W52") from exc


def day_view(schedule, day: date, words=("open", "closed")):
    """The open periods of a local day and, when it is not an ordinary day, why."""
    start = datetime.combine(day, datetime.min.time(), BRUSSELS).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), BRUSSELS)
    periods = schedule.open_periods(start, end.astimezone(UTC))
    notes = []
    closure = schedule.holiday_name(day)
    if closure:
        notes.append(f"{words[1]}: {closure}")
    for e in schedule.exceptions:
        if e.first_day <= day <= e.last_day:
            notes.append(f"{words[0] if e.open else words[1]}: {e.reason}")
    return periods, "; ".join(notes)


def hhmm(at: datetime, day: date) -> str:
    local = at.astimezone(BRUSSELS)
    return "24:00" if local.date() > day else f"{local:%H:%M}"


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
        sunday = monday + timedelta(days=6)
        print(
            f"{line.id} — week {year}-W{week:02d}, {monday:%a %d %b} to {sunday:%a %d %b %Y}"
            f" ({line.schedule.timezone})"
        )
        for offset in range(7):
            day = monday + timedelta(days=offset)
            periods, note = day_view(line.schedule, day)
            spans = ", ".join(f"{hhmm(a, day)}-{hhmm(b, day)}" for a, b in periods) or "closed"
            print(f"  {day:%a %d %b}  {spans}" + (f"   ({note})" if note else ""))
        s = line.schedule.status(now)
        state = "open" if s.open else "closed"
        changes = next_change(s.open, s.changes_at, now)
        if s.changes_at is not None:  # and the change after it: "closes today 19:00, opens..."
            after = line.schedule.next_change(s.changes_at)
            if after is not None:
                changes += f", {next_change(not s.open, after, now)}"
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


def wall_cell(schedule, day: date) -> WallCell:
    periods, note = day_view(schedule, day, ("ouvert", "fermé"))
    bars = []
    for a, b in periods:
        start = a.astimezone(BRUSSELS)
        first = start.hour * 60 + start.minute
        last = (
            1440
            if b.astimezone(BRUSSELS).date() > day
            else (b.astimezone(BRUSSELS).hour * 60 + b.astimezone(BRUSSELS).minute)
        )
        bars.append(Bar(first / 14.4, (last - first) / 14.4))
    text = ", ".join(f"{hhmm(a, day)}–{hhmm(b, day)}" for a, b in periods) or "fermé"
    if text == "00:00–24:00":
        text = "jour et nuit"
    return WallCell(bars, text, note)
