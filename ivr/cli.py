"""The operators' command line: check, call, schedule, holidays, status, override, voicemails."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import logging
import os
import re
import secrets
import select
import shutil
import sys
import tempfile
import traceback
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays as holidays_package
from sqlalchemy import exc as database_errors
from sqlalchemy.engine import make_url

from ivr import config as config_module
from ivr import model, phone
from ivr.logs import scrub
from ivr.settings import Settings
from ivr.status import line_status
from ivr.store import Store, database_url

BRUSSELS = ZoneInfo("Europe/Brussels")
# The years the router plans for: dates outside are typing mistakes (far enough out, the
# calendar arithmetic overflows), and the holidays package knows Belgium's public holidays
# only until 2100: after that, every holiday would silently be an ordinary day.
FIRST_YEAR, LAST_YEAR = 2000, 2099
# What the database's columns hold (ivr/store.py): PostgreSQL refuses longer values.
MAX_REASON, MAX_OPERATOR = 500, 100
# Seconds to wait for PostgreSQL to answer before saying it cannot be reached (libpq's
# PGCONNECT_TIMEOUT; without it psycopg waits over two minutes for a server that never answers).
DATABASE_CONNECT_TIMEOUT = "10"


class CommandError(Exception):
    """A mistake in the command; the text says how to fix it."""

    status = 2


class Failure(CommandError):
    """The command is right but something around it failed (database, file, configuration)."""

    status = 1


# -- shared helpers -------------------------------------------------------------------------


def config_dir(args) -> str:
    return getattr(args, "config", None) or os.environ.get("IVR_CONFIG_DIR") or "config"


def one_line(text: object, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_config(directory: str, prompts: str | None, hint: str = "; run 'ivr check'"):
    """config_module.load, with any exception it lets out turned into one line."""
    try:
        return config_module.load(directory, prompts)
    except Exception as exc:
        detail = f"{type(exc).__name__}: {scrub(one_line(exc))}"
        if isinstance(exc, RecursionError):
            detail += " (a YAML alias that contains itself?)"
        raise Failure(f"cannot read the configuration in {directory}: {detail}{hint}") from exc


def load_config(args) -> model.Config:
    config, problems = read_config(config_dir(args), os.environ.get("IVR_PROMPTS_DIR"))
    if config is None:
        errors = [p for p in problems if not p.warning]
        first = f", the first: {errors[0]}" if errors else ""
        raise CommandError(f"the configuration has {len(errors)} error(s){first}; run 'ivr check'")
    return config


def find_line(config: model.Config, name: str) -> model.Line:
    line = config.lines.get(name) or config.line_by_number.get(name)
    if line is None:
        raise CommandError(f"no line '{name}'; the lines are: {', '.join(sorted(config.lines))}")
    return line


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
    """'2026-12-24 18:30' (Brussels time), '18:30' (today), or now."""
    now = now or datetime.now(UTC)
    if not text:
        return now
    local_now = now.astimezone(BRUSSELS)
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
        return parsed.replace(tzinfo=BRUSSELS)
    # An offset is only right if it is Brussels' own at that moment (either one, on the night
    # the clocks go back): anything else would be silently read as another time.
    for fold in (0, 1):
        local = parsed.replace(tzinfo=BRUSSELS, fold=fold)
        if local.utcoffset() == parsed.utcoffset():
            return local
    written = re.search(r"(Z|[+-]\d\d(:?\d\d)*(\.\d+)?)$", text)
    raise CommandError(
        f"times are Brussels time ({utc_offset(parsed.replace(tzinfo=BRUSSELS))} then); "
        f"drop the {written.group(1) if written else utc_offset(parsed)} from '{text}'"
    )


def now_from(args) -> datetime:
    return parse_moment(getattr(args, "at", None))


def when(at: datetime | None, now: datetime) -> str:
    """'today 19:00', 'tomorrow 09:00', 'Monday 30 November 09:00'."""
    if at is None:
        return "not within a year"
    local, today = at.astimezone(BRUSSELS), now.astimezone(BRUSSELS).date()
    days = (local.date() - today).days
    day = {0: "today", 1: "tomorrow"}.get(days) or f"{local:%A} {local.day} {local:%B}"
    if days >= 7:
        day += f" {local.year}"
    return f"{day} {local:%H:%M}"


def next_change(is_open: bool, at: datetime | None, now: datetime) -> str:
    if at is None:
        return "open day and night" if is_open else "does not open within a year"
    return f"{'closes' if is_open else 'opens'} {when(at, now)}"


def operator_name() -> str:
    return os.environ.get("IVR_OPERATOR") or os.environ.get("USER") or getpass.getuser()


def database_shown() -> str:
    """DATABASE_URL as it may be shown: host, port and database, never the password."""
    try:
        return make_url(database_url()).render_as_string(hide_password=True)
    except Exception:
        return "DATABASE_URL (not a database URL)"


def error_text(exc: Exception) -> str:
    """What the driver said, its first line (the rest is advice we give better), without the
    password (drivers do not repeat it, but in case one did)."""
    said = str(getattr(exc, "orig", None) or exc).strip()
    text = one_line(said.splitlines()[0] if said else type(exc).__name__)
    with contextlib.suppress(Exception):
        password = str(make_url(database_url()).password or "")
        if len(password) >= 4:
            text = text.replace(password, "***")
    return text


def open_store() -> Store:
    """The database of DATABASE_URL; main() turns its failures into one line."""
    try:
        return Store()
    except (database_errors.ArgumentError, ImportError) as exc:
        raise Failure(
            f"DATABASE_URL is not a database the router can use ({error_text(exc)}); "
            "write it like postgresql+psycopg://user:password@host:5432/ivr"
        ) from exc
    except OSError as exc:
        raise Failure(f"cannot create the database {database_shown()}: {exc.strerror}") from exc


@contextlib.contextmanager
def database_timeout():
    """Store() takes no connection options: give libpq a connect timeout through its
    environment variable (unless the operator set one), for this command only."""
    added = "PGCONNECT_TIMEOUT" not in os.environ
    if added:
        os.environ["PGCONNECT_TIMEOUT"] = DATABASE_CONNECT_TIMEOUT
    try:
        yield
    finally:
        if added:
            os.environ.pop("PGCONNECT_TIMEOUT", None)


def cannot_write(path: str, exc: OSError) -> Failure:
    folder = os.path.dirname(os.path.abspath(path))
    if isinstance(exc, IsADirectoryError):
        why = "it is a folder; give a file name in it"
    elif not os.path.isdir(folder):
        why = f"the folder {folder} does not exist; create it or choose another file"
    elif isinstance(exc, PermissionError):
        why = "permission denied; choose a folder you can write to"
    else:
        why = exc.strerror or str(exc)
    return Failure(f"cannot write {path}: {why}")


def write_file(path: str, write) -> None:
    """Calls write(file) on `path` opened for writing; a failure becomes one line."""
    try:
        with open(path, "w", newline="", encoding="utf-8") as out:
            write(out)
    except OSError as exc:
        raise cannot_write(path, exc) from exc


# -- ivr check ------------------------------------------------------------------------------


def check(args) -> int:
    config, problems = read_config(config_dir(args), args.prompts, hint="")
    for problem in sorted(problems, key=lambda p: (p.file, p.line)):
        print(problem)
    errors = [p for p in problems if not p.warning]
    if errors:
        print(f"{len(errors)} error(s): callers would meet them; fix them before starting.")
        return 1
    print(f"configuration is sound: {len(config.lines)} lines, {len(config.services)} services")
    return 0


# -- ivr status and ivr override ------------------------------------------------------------


def status(args) -> int:
    config = load_config(args)
    now = now_from(args)
    overrides = open_store().active_overrides(now)
    print(f"At {now.astimezone(BRUSSELS):%A %d %B %Y %H:%M} (Europe/Brussels):")
    for line in sorted(config.lines.values(), key=lambda li: li.id):
        s = line_status(config, line, now, overrides)
        state = "OPEN" if s.open else "CLOSED"
        print(f"\n{line.id}: {state} ({s.reason})")
        print(f"  a call goes to: {s.destination}")
        if line.id in overrides:
            o = overrides[line.id]
            print(f"  override ends: {when(o.until, now)}; then the schedule applies again")
        else:
            print(f"  {next_change(s.open, s.changes_at, now)}")
    return 0


def override(args) -> int:
    config = load_config(args)
    line = find_line(config, args.line)
    now = now_from(args)
    if args.reason is not None and len(args.reason) > MAX_REASON:
        raise CommandError(
            f"--reason is {len(args.reason)} characters long; keep it to {MAX_REASON}"
        )
    operator = operator_name()
    if len(operator) > MAX_OPERATOR:
        raise CommandError(
            f"the operator name (IVR_OPERATOR) is {len(operator)} characters long; "
            f"keep it to {MAX_OPERATOR}"
        )
    if args.clear:
        store = open_store()
        removed = store.clear_override(
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
        # Until the end of the day: a team off sick today is back tomorrow.
        local = now.astimezone(BRUSSELS)
        until = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), BRUSSELS)
    if until <= now:
        raise CommandError(f"--until {args.until} is already past")
    if until > a_year_after(now):
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
    open_store().set_override(o, operator=operator, now=now)
    s = line_status(config, line, now, {line.id: o})
    print(f"{line.id} is now {args.state.upper()} until {when(until, now)} ({args.reason}).")
    print(f"  a call goes to: {s.destination}")
    print("  every worker follows it within a few seconds; 'ivr status' shows it.")
    return 0


def a_year_after(now: datetime) -> datetime:
    local = now.astimezone(BRUSSELS)
    try:
        return local.replace(year=local.year + 1)
    except ValueError:  # 29 February
        return local.replace(year=local.year + 1, month=3, day=1)


def override_log(args) -> int:
    """Who closed or opened which line, when, until when and why."""
    rows = open_store().override_history(args.line)
    if not rows:
        print("no override was ever set")
        return 0
    for row in rows:
        at = row["at"].astimezone(BRUSSELS)
        if row["action"] == "set":
            what = "OPEN" if row["open"] else "CLOSED"
            until = row["until"].astimezone(BRUSSELS)
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


# -- ivr holidays ---------------------------------------------------------------------------


def holidays_command(args) -> int:
    config = load_config(args)
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


# -- ivr schedule ---------------------------------------------------------------------------


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


def schedule_command(args) -> int:
    config = load_config(args)
    now = now_from(args)
    monday = week_start(args.week, now)
    lines = (
        [find_line(config, args.line)]
        if args.line
        else sorted(config.lines.values(), key=lambda li: li.id)
    )
    if args.html:
        page = schedule_html(lines, monday, config)
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


def schedule_html(lines, monday: date, config) -> str:
    """One row per line, the week across, open time coloured: a page to pin on the wall."""
    from html import escape

    from babel.dates import format_date

    year, week, _ = monday.isocalendar()
    days = [monday + timedelta(days=i) for i in range(7)]
    head = "".join(
        f"<th>{format_date(d, 'EEEE', locale='fr_BE')}<br>"
        f"{format_date(d, 'd MMMM', locale='fr_BE')}</th>"
        for d in days
    )
    rows = []
    for line in lines:
        cells = []
        for day in days:
            periods, note = day_view(line.schedule, day, ("ouvert", "fermé"))
            bars = []
            for a, b in periods:
                start = a.astimezone(BRUSSELS)
                first = start.hour * 60 + start.minute
                last = (
                    1440
                    if b.astimezone(BRUSSELS).date() > day
                    else (b.astimezone(BRUSSELS).hour * 60 + b.astimezone(BRUSSELS).minute)
                )
                bars.append(
                    f'<div class="open" style="left:{first / 14.4:.2f}%;'
                    f'width:{(last - first) / 14.4:.2f}%"></div>'
                )
            text = ", ".join(f"{hhmm(a, day)}–{hhmm(b, day)}" for a, b in periods) or "fermé"
            if text == "00:00–24:00":
                text = "jour et nuit"
            mark = f'<div class="note">{escape(note)}</div>' if note else ""
            cells.append(
                f'<td class="{"special" if note else ""}"><div class="day">{"".join(bars)}'
                f'</div><div class="hours">{escape(text)}</div>{mark}</td>'
            )
        rows.append(f'<tr><th class="line">{escape(line.name)}</th>{"".join(cells)}</tr>')
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<title>Horaires semaine {year}-W{week:02d}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #999; padding: 6px; vertical-align: top; }}
th.line {{ text-align: left; width: 14%; }}
.day {{ position: relative; height: 18px; background: #eee; }}
.open {{ position: absolute; top: 0; height: 18px; background: #2e8b57; }}
.hours {{ font-size: 0.9em; margin-top: 4px; }}
td.special {{ background: #fff4d6; }}
.note {{ font-size: 0.8em; color: #8a4b00; margin-top: 2px; }}
</style></head><body>
<h1>Horaires des lignes — semaine {year}-W{week:02d}</h1>
<p>Vert : ouvert (heure de Bruxelles, de 0 h à 24 h). Jaune : jour férié, fermeture ou
exception.</p>
<table><tr><th></th>{head}</tr>
{"".join(rows)}
</table></body></html>
"""


# -- ivr call -------------------------------------------------------------------------------


class OneLineLog(logging.Formatter):
    """The app's complaints during `ivr call` (a database away, say): one line each, no
    traceback; the call goes on, as it would for a real caller."""

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f" ({type(exc).__name__}: {error_text(exc)})"
        return scrub(f"ivr call: {record.levelname.lower()}: {one_line(text, 400)}")


class Once(logging.Filter):
    """Each complaint once, not at every step of the call."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set = set()

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.msg)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


@contextlib.contextmanager
def one_line_log():
    logger = logging.getLogger("ivr")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineLog())
    handler.addFilter(Once())
    before = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.level, logger.propagate = before


def call(args) -> int:
    """Plays a call against the local configuration, as Twilio would drive the app."""
    # The transcript is the output; the app's own log lines would only get in the way.
    logging.basicConfig(level=logging.WARNING)
    with one_line_log():
        return play_call(args)


def play_call(args) -> int:
    import ivr

    config = load_config(args)
    line = find_line(config, args.line)
    at = now_from(args)
    # A token of our own, so requests are signed and checked exactly as Twilio's are; and
    # a scratch folder for what the app would keep on disk (a trial keeps nothing).
    token = secrets.token_hex(16)
    scratch = Path(tempfile.mkdtemp(prefix="ivr-call-"))
    settings = Settings.from_env(
        auth_token=token,
        state_keys=(token,),
        config_dir=Path(config_dir(args)),
        reload_seconds=0,
        refresh_seconds=0,
        spool_dir=scratch / "spool",
    )
    try:
        app = ivr.create_app(settings=settings, clock=lambda: at)
        return transcript(args, app, line, at, token)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def transcript(args, app, line, at, token) -> int:
    from ivr.simulate import Call, is_trunked, number_reached

    presses = list(args.press or [])
    results = list(args.dial_result or [])
    interactive = not presses and sys.stdin.isatty()
    print(
        f"Calling {line.name} ({line.numbers[0]}) on "
        f"{at.astimezone(BRUSSELS):%A %d %B %Y %H:%M} (Europe/Brussels)"
    )
    c = Call(app, line.numbers[0], token=token)
    turn = c.start()
    if args.lang and len(line.languages) > 1:
        if args.lang not in line.languages:
            raise CommandError(f"{line.id} speaks {', '.join(line.languages)}, not {args.lang}")
        presses.insert(0, str(line.languages.index(args.lang) + 1))
    for _ in range(100):
        for text in turn.heard:
            print(f"  hears: {text}")
        if turn.waiting is None:
            print("  the call ends")
            return 0
        waiting = turn.waiting
        if waiting.tag == "Gather":
            wait = int(waiting.get("timeout", "5"))
            what = "a key" if waiting.get("numDigits") == "1" else "keys, then #"
            print(f"  asked to press {what} (waits {wait} s)")
            if presses:
                key = presses.pop(0)
            elif interactive:
                key = ask(wait)
            else:
                key = ""
            if key in ("", "silence", "-"):
                print("  presses nothing")
                turn = c.silence()
            else:
                print(f"  presses {key}")
                turn = c.press(key)
        elif waiting.tag == "Dial":
            targets = list(waiting)
            numbers = " and ".join(number_reached(t) for t in targets)
            together = ", all at once" if len(targets) > 1 else ""
            trunk = ", through the carrier's trunk" if any(is_trunked(t) for t in targets) else ""
            print(
                f"  transferred to {numbers}{together}{trunk} (the phone there shows "
                f"{waiting.get('callerId')}, rings {waiting.get('timeout')} s)"
            )
            result = results.pop(0) if results else "completed"
            if result in ("completed", "not-taken") and targets[0].get("url"):
                turn = c.counsellor_answers(press="1" if result == "completed" else None)
                for index, text in enumerate(turn.counsellor_heard):
                    print(f"  {'the counsellor first hears' if index == 0 else 'then'}: {text}")
                if result == "completed":
                    print("  the counsellor presses 1 and talks with the caller")
                else:
                    print("  nobody presses a key: their phone hangs up")
            else:
                turn = c.dial_ends("completed" if result == "not-taken" else result)
            print(f"  the transfer ends: {result}")
        elif waiting.tag == "Record":
            print(f"  a message is recorded (at most {waiting.get('maxLength')} s; not stored)")
            turn = c.leave_message(trial=True)
    print("  (stopped after 100 steps)")
    return 1


def ask(timeout: int) -> str:
    print(f"  keys (Enter = nothing; {timeout} s): ", end="", flush=True)
    ready, _, _ = select.select([sys.stdin], [], [], timeout)
    if not ready:
        print()
        return ""
    return sys.stdin.readline().strip()


# -- ivr stats ------------------------------------------------------------------------------


def stats(args) -> int:
    """Anonymous figures for the annual report: calls per line, hour, outcome and language."""
    import csv

    example = "--from 2026-01-01 --to 2026-12-31"
    days = []
    for option, text in (("--from", args.date_from), ("--to", args.date_to)):
        try:
            day = date.fromisoformat(text)
        except (TypeError, ValueError) as exc:
            raise not_real(text, exc, "a date", example) from exc
        check_year(day.year, f"{option} {text}")
        days.append(day)
    first, last = days
    if last < first:
        raise CommandError(f"--to {last} is before --from {first}; write {example}")
    start = datetime.combine(first, datetime.min.time(), BRUSSELS)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), BRUSSELS)
    # Read before writing: a database that is away leaves no empty file behind.
    rows = open_store().call_outcomes(start, end)

    def write(out) -> None:
        writer = csv.writer(out)
        writer.writerow(["date", "hour", "line", "outcome", "language", "calls"])
        for row in rows:
            local = row["hour"].astimezone(BRUSSELS)
            writer.writerow(
                [
                    f"{local:%Y-%m-%d}",
                    f"{local:%H}:00",
                    row["line"],
                    row["outcome"],
                    row["language"],
                    row["calls"],
                ]
            )

    if args.output:
        write_file(args.output, write)
    else:
        write(sys.stdout)
    return 0


# -- ivr db ---------------------------------------------------------------------------------


def db(args) -> int:
    store = open_store()
    if args.action == "upgrade":
        print(f"database schema at {store.migrate()}")
    else:
        current = store.revision()
        print(f"database schema at {current or 'nothing'}; newest is {store.head()}")
    return 0


# -- ivr voicemails -------------------------------------------------------------------------


def voicemails(args) -> int:
    rows = open_store().list_voicemails(args.line)
    if not rows:
        print("no voicemail")
        return 0
    for row in rows:
        received = row["received_at"].astimezone(BRUSSELS)
        print(
            f"{received:%Y-%m-%d %H:%M}  {row['line']:<28} {row['language']:<3} "
            f"{row['duration_seconds']:>4}s  {row['recording_sid']}  {row['recording_url']}"
        )
    return 0


# -- the parser -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ivr", description="Belgian helpline call router")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, run, help_text: str, at: bool = True):
        p = commands.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--config", help="configuration folder (default: ./config)")
        if at:
            p.add_argument("--at", help="as if it were then: '2026-12-24 18:30' (Brussels)")
        p.set_defaults(run=run)
        return p

    p = commands.add_parser("check", help="check the configuration before callers meet it")
    p.add_argument("config_dir", nargs="?", help="configuration folder (default: ./config)")
    p.add_argument("--prompts", help="prompts folder (default: prompts/ beside the config)")
    p.set_defaults(run=check, config=None)
    p.set_defaults(config_dir=None)

    p = command("call", call, "play a call as Twilio would, and print what the caller meets")
    p.add_argument("line", help="a line id or number")
    p.add_argument("--lang", help="the language the caller chooses (fr, nl, de, en)")
    p.add_argument("--press", action="append", help="keys pressed at a question, in order")
    p.add_argument(
        "--dial-result",
        action="append",
        choices=["completed", "not-taken", "busy", "no-answer", "failed"],
        help="how each transfer ends, in order (default: completed; not-taken: answered, "
        "but the key that takes the call is not pressed, as by a voicemail)",
    )

    p = command("schedule", schedule_command, "print a week of opening hours")
    p.add_argument("line", nargs="?", help="a line id (default: every line)")
    p.add_argument("--week", help="an ISO week such as 2026-W52 (default: this week)")
    p.add_argument("--html", help="write the week of every line as a page to pin on the wall")

    p = command("holidays", holidays_command, "list the public holidays and closure days")
    p.add_argument("--year", type=int, help="the year (default: this year)")

    command("status", status, "is each line open now, why, and where a call goes")

    p = command("override-log", override_log, "who set which override, when and why", at=False)
    p.add_argument("--line", help="only this line")

    p = command("override", override, "close or open a line for a while, without editing YAML")
    p.add_argument("line", help="a line id or number")
    p.add_argument("state", nargs="?", choices=["open", "closed"], help="open or closed")
    p.add_argument("--until", help="until when: '2026-12-24 18:00' or '18:00' (default: midnight)")
    p.add_argument("--to", help="while open, transfer to this number instead of the team's")
    p.add_argument("--reason", help="why; kept in the log with your name")
    p.add_argument("--clear", action="store_true", help="end the override now")

    p = command("stats", stats, "anonymous call figures as CSV, for the annual report", at=False)
    p.add_argument("--from", dest="date_from", required=True, help="first day, 2026-01-01")
    p.add_argument("--to", dest="date_to", required=True, help="last day, 2026-12-31")
    p.add_argument("--output", help="a CSV file to write (default: the screen)")

    p = command("db", db, "database schema: 'upgrade' to the newest version, or 'status'", at=False)
    p.add_argument("action", choices=["upgrade", "status"])

    p = command("voicemails", voicemails, "list the messages callers left", at=False)
    p.add_argument("--line", help="only this line")

    args = parser.parse_args(argv)
    if args.command == "check" and args.config_dir:
        args.config = args.config_dir
    try:
        with database_timeout():
            code = args.run(args)
        sys.stdout.flush()  # here, so that a closed pipe is met while we can still answer it
        return code
    except BrokenPipeError:
        # The reader went away (`ivr schedule | head -1`): nobody is left to tell. As the
        # Python documentation advises, point stdout at devnull so that the flush at exit
        # does not fail again, and exit 1: the output was cut short, as with SIGPIPE.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print(f"\nivr {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("IVR_DEBUG") == "1" and type(exc) is not CommandError:
            traceback.print_exc()
        message, code = explain(exc)
        print(f"ivr {args.command}: {message}", file=sys.stderr)
        return code


def explain(exc: Exception) -> tuple[str, int]:
    """One line and an exit status for whatever stopped a command."""
    if isinstance(exc, CommandError):
        return str(exc), exc.status
    if isinstance(exc, database_errors.OperationalError | database_errors.InterfaceError):
        return (
            f"cannot reach the database {database_shown()}: {error_text(exc)}; "
            "is it running, and is DATABASE_URL right?"
        ), 1
    if isinstance(exc, database_errors.DBAPIError):
        return f"the database {database_shown()} refused: {error_text(exc)}", 1
    if isinstance(exc, RuntimeError) and "ivr db upgrade" in str(exc):
        return one_line(exc), 1  # Store: the schema is behind the code
    return (
        f"unexpected error: {type(exc).__name__}: {scrub(one_line(exc))} (IVR_DEBUG=1 shows where)",
        1,
    )


if __name__ == "__main__":
    sys.exit(main())
