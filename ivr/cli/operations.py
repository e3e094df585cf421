"""Running the lines day to day: `ivr status`, `ivr override` and its log."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from ivr import model, phone
from ivr.cli.common import CommandError, find_line, load_config, operator_name
from ivr.cli.database import open_store
from ivr.cli.moments import BRUSSELS_TIME, a_year_after, next_change, now_from, parse_moment, when
from ivr.settings import Settings
from ivr.status import line_status

# What the database's columns hold (ivr/store.py): PostgreSQL refuses longer values.
MAX_REASON, MAX_OPERATOR = 500, 100


def status(args, settings: Settings) -> int:
    config = load_config(settings)
    now = now_from(args)
    overrides = open_store(settings).overrides.active(now)
    print(f"At {now.astimezone(BRUSSELS_TIME):%A %d %B %Y %H:%M} ({BRUSSELS_TIME.key}):")
    for line in sorted(config.lines.values(), key=lambda li: li.id):
        s = line_status(config, line, now, overrides)
        state = "OPEN" if s.open else "CLOSED"
        print(f"\n{line.id}: {state} ({s.reason})")
        print(f"  a call goes to: {s.destination}")
        if s.overridden:
            ends = when(s.changes_at, now, line.schedule)
            print(f"  override ends: {ends}; then the schedule applies again")
        else:
            print(f"  {next_change(s.open, s.changes_at, now, line.schedule)}")
    return 0


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
    if args.clear:
        store = open_store(settings)
        removed = store.overrides.clear(
            line.id, operator=operator, reason=args.reason or "cleared", now=now
        )
        print(
            f"{line.id}: override cleared; the schedule applies again."
            if removed
            else f"{line.id} had no override; nothing changed."
        )
        return 0
    if args.state not in ("open", "closed"):
        raise CommandError("say 'open' or 'closed', or --clear")
    if not (args.reason or "").strip():
        raise CommandError('give a --reason "...": it goes into the log with your name')
    if args.until:
        until = parse_moment(args.until, now)
    else:
        # Until the end of the line's day: a team off sick today is back tomorrow.
        local = line.schedule.local(now)
        until = datetime.combine(local.date() + timedelta(days=1), time.min, local.tzinfo)
    if until <= now:
        raise CommandError(f"--until {args.until} is already past")
    if until > a_year_after(now, line.schedule):
        raise CommandError(
            f"--until {args.until} is more than a year away; an override is for a while: "
            "change the schedule instead"
        )
    forward_to = None
    if args.to:
        forward_to = phone.dial_string(args.to.replace(" ", ""))
        if phone.is_emergency(forward_to) or config.route_for(forward_to) is None:
            raise CommandError(
                f"--to {args.to} is not a number the router can dial; give a number as "
                "+32470112233, or the number of a service of services.yaml (such as 106)"
            )
        if not line.contacts:
            raise CommandError(f"{line.id} has no contacts to forward; --to does not apply")
    o = model.Override(line.id, args.state == "open", until, forward_to, args.reason)
    open_store(settings).overrides.set(o, operator=operator, now=now)
    s = line_status(config, line, now, {line.id: o})
    ends = when(until, now, line.schedule)
    print(f"{line.id} is now {args.state.upper()} until {ends} ({args.reason}).")
    print(f"  a call goes to: {s.destination}")
    print("  every worker follows it within a few seconds; 'ivr status' shows it.")
    return 0


def override_log(args, settings: Settings) -> int:
    """Who closed or opened which line, when, until when and why (in Brussels time: the log
    outlives the lines it names, so no schedule is read for it)."""
    rows = open_store(settings).overrides.history(args.line)
    if not rows:
        print("no override was ever set")
        return 0
    for row in rows:
        at = row["at"].astimezone(BRUSSELS_TIME)
        if row["action"] == "set":
            what = "OPEN" if row["open"] else "CLOSED"
            until = row["until"].astimezone(BRUSSELS_TIME)
            detail = f"{what} until {until:%Y-%m-%d %H:%M}"
            if row["forward_to"]:
                detail += f", calls to {row['forward_to']}"
        else:
            detail = "cleared"
        print(
            f"{at:%Y-%m-%d %H:%M}  {row['line']:<28} {detail:<40} {row['operator']}: "
            f"{row['reason']}"
        )
    return 0
