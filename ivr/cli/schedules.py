"""Opening hours as operators read them: `ivr schedule` (and the wall page), `ivr holidays`.

A week shows the hours callers meet: the schedule, and over it the operators' overrides of that
week (closed, open, sent elsewhere: each with until when and why); the overrides planned from
now on are listed too.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_package
from babel.dates import format_date
from jinja2 import Environment, PackageLoader

from ivr.cli.common import find_line, load_config, write_file
from ivr.cli.explain import explain
from ivr.cli.moments import BRUSSELS_TIME, check_year, next_change, not_real, now_from, when
from ivr.cli.overrides import override_text
from ivr.domain import model
from ivr.domain.schedule import DAY, Schedule
from ivr.flow import overrides as flow_overrides
from ivr.flow.status import line_status, target_name
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


@dataclass(frozen=True)
class Words:
    """How a week's notes are written: in English on the screen, in French on the wall."""

    open: str
    closed: str
    override: str  # "override #{id}"
    calls: str  # where a closed line's calls go: "calls → {to}"
    forwarded: str  # where an open line's team calls go: "the team's calls → {to}"
    until: str
    since: str
    day: object  # date -> "Sat 26 Dec"


SCREEN = Words(
    "open",
    "closed",
    "override #{id}",
    "calls → {to}",
    "the team's calls → {to}",
    "until",
    "from",
    lambda d: f"{d:%a %d %b}",
)
WALL = Words(
    "ouvert",
    "fermé",
    "dérogation",
    "appels → {to}",
    "renvoi vers {to}",
    "jusqu'à",
    "dès",
    lambda d: format_date(d, "EEE d MMM", locale="fr_BE"),
)


def day_view(schedule: Schedule, day: date, words: Words = SCREEN, overrides=(), name=str):
    """The open hours of a day where the line is, in minutes after its midnight (a day the
    clocks change is still 0 to 1440), the line's `overrides` over them, and, when it is not
    an ordinary day, why. `name` says what an override's `forward_to` names."""
    zone = ZoneInfo(schedule.timezone)
    start = datetime.combine(day, time.min, zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, zone).astimezone(UTC)
    notes = []
    closure = schedule.holiday_name(day)
    if closure:
        notes.append(f"{words.closed}: {closure}")
    for e in schedule.exceptions:
        if e.first_day <= day <= e.last_day:
            notes.append(f"{words.open if e.open else words.closed}: {e.reason}")
    for o in overrides:  # one at a time for a line: each decides alone while in force
        if max(o.starts_at or start, start) < min(o.until, end):
            notes.append(override_note(schedule, day, o, words, name))
    hours = [
        (minutes_into(schedule, day, a), minutes_into(schedule, day, b))
        for a, b in flow_overrides.open_periods(schedule, start, end, overrides, since=start)
    ]
    return hours, "; ".join(notes)


def override_note(schedule, day: date, o: model.Override, words: Words, name) -> str:
    """'override #1: closed 12:00-18:00, calls → Tele-Onthaal 106: fête du personnel'."""

    def moment(at: datetime) -> str:
        local = schedule.local(at)
        if local.date() == day:
            return f"{local:%H:%M}"
        if local.date() == day + timedelta(days=1) and local.time() == time.min:
            return "24:00"
        return f"{words.day(local.date())} {local:%H:%M}"

    starts_today = o.starts_at is not None and schedule.local(o.starts_at).date() == day
    ends_today = schedule.local(o.until).date() == day or moment(o.until) == "24:00"
    if starts_today and ends_today:
        span = f"{moment(o.starts_at)}-{moment(o.until)}"
    elif starts_today:
        span = f"{words.since} {moment(o.starts_at)} {words.until} {moment(o.until)}"
    else:
        span = f"{words.until} {moment(o.until)}"
    text = f"{words.override.format(id=o.id)}: {words.open if o.open else words.closed} {span}"
    if o.forward_to:
        to = name(o.forward_to)
        text += ", " + (words.forwarded if o.open else words.calls).format(to=to)
    return f"{text}: {o.reason}"


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
    week, planned = overrides_of_the_week(settings, monday, now)
    if args.html:
        page = wall_page(config, lines, monday, week, planned, now)
        write_file(args.html, lambda out: out.write(page))
        print(f"wrote {args.html}")
        return 0
    year, number, _ = monday.isocalendar()
    for line in lines:
        schedule = line.schedule
        sunday = monday + timedelta(days=6)
        print(
            f"{line.id} — week {year}-W{number:02d}, {monday:%a %d %b} to {sunday:%a %d %b %Y}"
            f" ({schedule.timezone})"
        )
        mine = [o for o in week if o.line == line.id]
        name = lambda to, line=line: target_name(config, line, to)  # noqa: E731
        for offset in range(7):
            day = monday + timedelta(days=offset)
            hours, note = day_view(schedule, day, SCREEN, mine, name)
            text = spans(hours, "-") or "closed"
            print(f"  {day:%a %d %b}  {text}" + (f"   ({note})" if note else ""))
        print(f"  now: {now_line(config, line, now, planned)}")
        for o in planned:
            if o.line == line.id and o.starts_at > now:
                print(f"  planned: #{o.id} {override_text(config, line, o, now)}")
        print()
    return 0


def now_line(config, line: model.Line, now: datetime, overrides) -> str:
    """'open (weekly hours); closes today 19:00, opens Monday 28 December 09:00'."""
    schedule = line.schedule
    s = line_status(config, line, now, overrides)
    state = "open" if s.open else "closed"
    if s.overridden:
        return f"{state} ({s.reason}); override ends {when(s.changes_at, now, schedule)}"
    coming = s.planned[0] if s.planned else None
    if coming is not None and (s.changes_at is None or coming.starts_at <= s.changes_at):
        starts = when(coming.starts_at, now, schedule)
        return f"{state} ({s.reason}); override #{coming.id} starts {starts}"
    changes = next_change(s.open, s.changes_at, now, schedule)
    if s.changes_at is not None:  # and the change after it: "closes today 19:00, opens..."
        after = schedule.next_change(s.changes_at)
        if after is not None:
            changes += f", {next_change(not s.open, after, now, schedule)}"
    return f"{state} ({s.reason}); {changes}"


def overrides_of_the_week(settings: Settings, monday: date, now: datetime):
    """The overrides in force at some time of the week, and those in force or planned from
    `now` on. A database that cannot be read leaves them out, with a warning: the hours
    are still worth printing."""
    from ivr.cli.database import open_store  # the database's modules only when needed

    start = datetime.combine(monday, time.min, BRUSSELS_TIME)
    end = datetime.combine(monday + timedelta(days=8), time.min, BRUSSELS_TIME)  # + a margin
    try:
        overrides = open_store(settings).overrides
        return overrides.during(start, end), overrides.in_force_or_planned(now)
    except Exception as exc:
        message, _ = explain(exc, settings.database_url)
        print(f"ivr schedule: the overrides are not shown: {message}", file=sys.stderr)
        return [], []


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
    overridden: bool = False


def wall_page(config, lines, monday: date, week=(), planned=(), now=None) -> str:
    """One row per line, the week across, open time coloured (overrides included); the
    overrides planned later listed under it: a page to pin on the wall."""
    year, number, _ = monday.isocalendar()
    days = [monday + timedelta(days=i) for i in range(7)]
    rows, coming = [], []
    for line in lines:
        mine = [o for o in week if o.line == line.id]
        name = lambda to, line=line: target_name(config, line, to)  # noqa: E731
        cells = [wall_cell(line.schedule, day, mine, name) for day in days]
        rows.append({"name": line.name, "cells": cells})
        for o in planned:
            if o.line == line.id and o.starts_at is not None and (now is None or o.starts_at > now):
                coming.append(f"{line.name} — {planned_note(line.schedule, o, name)}")
    return WALL_PAGE.render(
        week=f"{year}-W{number:02d}",
        days=[
            (format_date(d, "EEEE", locale="fr_BE"), format_date(d, "d MMMM", locale="fr_BE"))
            for d in days
        ],
        rows=rows,
        planned=coming,
    )


def wall_cell(schedule: Schedule, day: date, overrides=(), name=str) -> WallCell:
    hours, note = day_view(schedule, day, WALL, overrides, name)
    percent = DAY / 100  # minutes
    bars = [Bar(first / percent, (last - first) / percent) for first, last in hours]
    text = spans(hours, "–") or "fermé"
    if text == "00:00–24:00":
        text = "jour et nuit"
    return WallCell(bars, text, note, WALL.override in note)


def planned_note(schedule: Schedule, o: model.Override, name) -> str:
    """'fermé du jeu. 24 déc. 12:00 au jeu. 24 déc. 18:00, appels → Tele-Onthaal 106 : fête'."""
    first, last = schedule.local(o.starts_at), schedule.local(o.until)
    text = (
        f"{WALL.open if o.open else WALL.closed} du {WALL.day(first.date())} {first:%H:%M} "
        f"au {WALL.day(last.date())} {last:%H:%M}"
    )
    if o.forward_to:
        text += ", " + (WALL.forwarded if o.open else WALL.calls).format(to=name(o.forward_to))
    return f"{text} : {o.reason}"
