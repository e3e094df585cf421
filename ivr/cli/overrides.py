"""Overrides as operators set and read them: `ivr override` (now or planned, closed, open or
sent elsewhere; cleared by number) and `ivr override-log`."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from ivr.cli.common import CommandError, find_line, load_config, operator_name
from ivr.cli.database import open_store
from ivr.cli.moments import BRUSSELS_TIME, a_year_after, now_from, parse_coming, when
from ivr.domain import model
from ivr.flow import overrides
from ivr.flow.status import line_status, target_name
from ivr.settings import Settings
from ivr.store.overrides import OverrideOverlap

# What the database's columns hold (ivr/store/tables.py): PostgreSQL refuses longer values.
MAX_REASON, MAX_OPERATOR = 500, 100


def override(args, settings: Settings) -> int:
    config = load_config(settings)
    line = find_line(config, args.line)
    now = now_from(args)
    if args.reason is not None and len(args.reason) > MAX_REASON:
        raise CommandError(
            f"--reason is {len(args.reason)} characters long; keep it to {MAX_REASON}"
        )
    operator = operator_name(settings)
    if len(operator) > MAX_OPERATOR:
        raise CommandError(
            f"the operator name (IVR_OPERATOR) is {len(operator)} characters long; "
            f"keep it to {MAX_OPERATOR}"
        )
    if args.clear is not None:
        return clear_override(args, settings, config, line, operator, now)
    if args.state not in ("open", "closed"):
        raise CommandError("say 'open' or 'closed', or --clear")
    if not (args.reason or "").strip():
        raise CommandError('give a --reason "...": it goes into the log with your name')
    starts_at, until = override_times(args, line, now)
    forward_to = override_target(args, config, line) if args.to else None
    o = model.Override(
        line.id, args.state == "open", until, forward_to, args.reason, starts_at=starts_at
    )
    try:
        o = open_store(settings).overrides.set(o, operator=operator, now=now)
    except OverrideOverlap as exc:
        other = exc.existing
        raise CommandError(
            f"{line.id} already has override #{other.id} at that time "
            f"({override_text(config, line, other, now)}); clear it first with "
            f"'ivr override {line.id} --clear {other.id}', or choose another time"
        ) from exc
    starting = o.starts_at <= now
    s = line_status(config, line, o.starts_at if not starting else now, [o])
    ends = when(until, now, line.schedule, dated=True)
    if starting:
        print(f"{line.id} is now {args.state.upper()} until {ends} ({args.reason}).")
        print(f"  a call goes → {s.destination}")
    else:
        # The date once, at the end, when it starts and ends on the same day.
        same_day = line.schedule.local(o.starts_at).date() == line.schedule.local(until).date()
        begins = when(o.starts_at, now, line.schedule, dated=not same_day)
        print(f"{line.id} will be {args.state.upper()} from {begins} until {ends} ({args.reason}).")
        print(f"  then a call goes → {s.destination}")
    print(f"  override #{o.id}: every worker follows it within seconds; 'ivr status' shows it")
    print(f"  to end it: ivr override {line.id} --clear {o.id}")
    return 0


def override_times(args, line: model.Line, now: datetime) -> tuple[datetime, datetime]:
    """--from (default: now) and --until (default: the midnight after the start). A time of
    day alone is the next time the line's clocks say it: --from after now, --until after the
    start (at 22:30, `--until 18:00` is tomorrow's), as on the phone console."""
    this_minute = now.replace(second=0, microsecond=0)
    zone = line.schedule.timezone
    starts_at = parse_coming(args.starts, now, zone) if args.starts else now
    if starts_at < this_minute:
        raise CommandError(f"--from {args.starts} is already past; leave it out to start now")
    if starts_at > a_year_after(now, line.schedule):
        raise CommandError(
            f"--from {args.starts} is more than a year away; an override is for a while: "
            "change the schedule instead"
        )
    if args.until:
        until = parse_coming(args.until, starts_at, zone)
    else:
        # Until the end of the line's day: a team off sick today is back tomorrow.
        local = line.schedule.local(starts_at)
        until = datetime.combine(local.date() + timedelta(days=1), time.min, local.tzinfo)
    if until <= now:
        raise CommandError(f"--until {args.until} is already past")
    if until <= starts_at:
        raise CommandError(f"--until {args.until} is not after --from {args.starts}")
    if until > a_year_after(now, line.schedule):
        raise CommandError(
            f"--until {args.until} is more than a year away; an override is for a while: "
            "change the schedule instead"
        )
    return (starts_at if args.starts else None), until


def override_target(args, config: model.Config, line: model.Line) -> str:
    """What --to names, as kept: a service's id, or a number in the form Twilio dials."""
    try:
        return overrides.target(config, line, args.to, args.state == "open")
    except overrides.TargetError as exc:
        raise CommandError(f"--to {exc}") from exc


def clear_override(args, settings, config, line: model.Line, operator: str, now) -> int:
    number = None
    if args.clear:
        if not args.clear.lstrip("#").isdigit():
            raise CommandError(
                f"--clear {args.clear} is not an override's number; give one as 'ivr status' "
                "lists it (such as --clear 4), or none for the one in force now"
            )
        number = int(args.clear.lstrip("#"))
    store = open_store(settings)
    cleared = store.overrides.clear(
        line.id, operator=operator, reason=args.reason or "cleared", now=now, number=number
    )
    if cleared is None:
        what = f"no override #{number}, in force or planned" if number else "no override in force"
        print(f"{line.id} has {what}; nothing changed.")
        for o in store.overrides.in_force_or_planned(now):
            if o.line == line.id:
                print(f"  planned: #{o.id} {override_text(config, line, o, now)}")
        return 0
    text = override_text(config, line, cleared, now)
    print(f"{line.id}: override #{cleared.id} cleared: {text}")
    if cleared.in_force(now):
        print("  the schedule applies again.")
    return 0


def override_log(args, settings: Settings) -> int:
    """Who set or cleared which override of which line, when, from and until when, where it
    sent calls and why (in Brussels time: the log outlives the lines it names, so no schedule
    is read for it)."""
    rows = open_store(settings).overrides.history(args.line)
    if not rows:
        print("no override was ever set")
        return 0
    for row in rows:
        at = row["at"].astimezone(BRUSSELS_TIME)
        number = f"#{row['override_id']}" if row["override_id"] is not None else ""
        detail = logged_override(row) if row["until"] is not None else ""
        if row["action"] == "clear":
            detail = f"cleared {number}: {detail}" if detail else "cleared"
        else:
            detail = f"{number} {detail}".strip()
        print(
            f"{at:%Y-%m-%d %H:%M}  {row['line']:<28} {detail:<64} {row['operator']}: "
            f"{row['reason']}"
        )
    return 0


def logged_override(row: dict) -> str:
    """'CLOSED from 2026-12-24 12:00 until 2026-12-24 18:00, calls to 106'."""
    text = "OPEN" if row["open"] else "CLOSED"
    if row["starts_at"] is not None:
        text += f" from {row['starts_at'].astimezone(BRUSSELS_TIME):%Y-%m-%d %H:%M}"
    text += f" until {row['until'].astimezone(BRUSSELS_TIME):%Y-%m-%d %H:%M}"
    if row["forward_to"]:
        text += f", {'the team' if row['open'] else 'calls'} to {row['forward_to']}"
    return text


def override_text(config: model.Config, line: model.Line, o: model.Override, now) -> str:
    """'CLOSED from tomorrow 12:00 until tomorrow 18:00, calls → Tele-Onthaal 106 (marie:
    fête)': an override as operators read it, its times as seen from `now`."""
    text = "OPEN" if o.open else "CLOSED"
    if o.starts_at is not None and o.starts_at > now:
        text += f" from {when(o.starts_at, now, line.schedule)}"
    text += f" until {when(o.until, now, line.schedule)}"
    if o.forward_to:
        where = target_name(config, line, o.forward_to)
        text += f", the team's calls → {where}" if o.open else f", calls → {where}"
    return f"{text} ({o.operator or 'an operator'}: {o.reason})"
