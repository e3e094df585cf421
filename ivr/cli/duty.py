"""`ivr duty`: counsellors on duty (issue 21). `start NAME --line 1712 --phone "0470 12 34 56"
[--lang nl,fr] [--hours 8]` starts a shift (or renews the one in progress), `stop NAME` ends
it, `ready NAME` ends a time of not ready, and `ivr duty` (or `list`) says who is on duty, in
which state; the counsellors' phones are shown, as this command is for coordinators
(docs/operators.md)."""

from __future__ import annotations

from datetime import UTC, datetime

from ivr.cli.common import CommandError, find_line, load_config
from ivr.cli.database import open_store
from ivr.cli.moments import BRUSSELS_TIME
from ivr.domain import phone as phones
from ivr.settings import Settings


def duty(args, settings: Settings) -> int:
    action = args.action or "list"
    if action in ("start", "stop", "ready", "renew") and not args.name:
        raise CommandError(f"say whose shift: ivr duty {action} NAME")
    actions = {"start": start, "stop": stop, "ready": ready, "renew": renew, "list": listing}
    if action not in actions:
        raise CommandError(f"ivr duty {action}: say start, stop, ready, renew or list")
    return actions[action](args, settings)


def _now(args) -> datetime:
    return datetime.now(UTC)


def start(args, settings: Settings) -> int:
    from ivr.store.duty import DutyError, duty_phone

    if not args.line:
        raise CommandError("say which line(s) the shift takes calls for: --line 1712")
    if not args.phone:
        raise CommandError('say which phone the counsellor answers on: --phone "0470 12 34 56"')
    try:
        number = duty_phone(args.phone)
    except DutyError as exc:
        raise CommandError(str(exc)) from exc
    config = load_config(settings)
    lines = [find_line(config, name) for name in args.line]
    languages = [code.strip() for code in (args.lang or "").split(",") if code.strip()]
    spoken = {code for line in lines for code in line.languages}
    wrong = [code for code in languages if code not in spoken]
    if wrong:
        raise CommandError(
            f"the line(s) {', '.join(line.id for line in lines)} take no calls in "
            f"{', '.join(wrong)}; their languages are {', '.join(sorted(spoken))}"
        )
    hours = args.hours if args.hours is not None else 8
    if not 0 < hours <= 24:
        raise CommandError("--hours is between 1 and 24")
    try:
        shift = open_store(settings).duty.start(
            args.name, [line.id for line in lines], number, languages, now=_now(args), hours=hours
        )
    except DutyError as exc:
        raise CommandError(str(exc)) from exc
    until = shift["ends_at"].astimezone(BRUSSELS_TIME)
    taken = ", ".join(languages) if languages else "the lines' languages"
    print(
        f"{args.name} is on duty for {', '.join(shift['lines'])} ({taken}) on "
        f"{phones.written(number)} until {until:%Y-%m-%d %H:%M}"
    )
    return 0


def stop(args, settings: Settings) -> int:
    if open_store(settings).duty.stop(args.name, now=_now(args)):
        print(f"{args.name} is no longer on duty")
        return 0
    raise CommandError(f"{args.name} is not on duty (ivr duty lists who is)")


def ready(args, settings: Settings) -> int:
    if open_store(settings).duty.ready(args.name, now=_now(args)):
        print(f"{args.name} is ready for the next call")
        return 0
    raise CommandError(f"{args.name} is not on duty (ivr duty lists who is)")


def renew(args, settings: Settings) -> int:
    hours = args.hours if args.hours is not None else 8
    shift = open_store(settings).duty.renew(args.name, now=_now(args), hours=hours)
    if shift is None:
        raise CommandError(f"{args.name} is not on duty (ivr duty lists who is)")
    until = shift["ends_at"].astimezone(BRUSSELS_TIME)
    print(f"{args.name} is on duty until {until:%Y-%m-%d %H:%M}")
    return 0


def listing(args, settings: Settings) -> int:
    line = find_line(load_config(settings), args.line[0]).id if args.line else None
    shifts = open_store(settings).duty.on_duty(now=_now(args), line=line)
    if not shifts:
        print('nobody is on duty: ivr duty start NAME --line 1712 --phone "0470 12 34 56"')
        return 0
    for shift in shifts:
        until = shift["ends_at"].astimezone(BRUSSELS_TIME)
        languages = ",".join(shift["languages"]) or "all"
        state = shift["state"]
        if shift["ready_at"] is not None:
            state += f" until {shift['ready_at'].astimezone(BRUSSELS_TIME):%H:%M:%S}"
        print(
            f"{shift['name']:<24} {','.join(shift['lines']):<20} {languages:<9} "
            f"{phones.written(shift['phone']):<16} until {until:%Y-%m-%d %H:%M}  {state}"
        )
    return 0
