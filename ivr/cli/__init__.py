"""The operators' command line: `ivr check`, `new-line`, `call`, `schedule`, `holidays`,
`status`, `override`, `override-log`, `voicemails`, `operators`, `duty`, `privacy`, `stats`
and `db`."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import traceback
from dataclasses import replace
from pathlib import Path

from ivr.cli.common import CommandError
from ivr.cli.explain import explain
from ivr.domain import languages
from ivr.settings import Settings, SettingsError

STATES = ("new", "taken", "done")  # a message's states, as ivr.store.messages names them


def run(target: str):
    """A command, imported when it runs: `ivr check` must not wait for the database
    driver, the web app and Twilio's client to load (half a second on a busy machine)."""

    def command(args, settings):
        module, function = target.split(":")
        return getattr(importlib.import_module(f"ivr.cli.{module}"), function)(args, settings)

    return command


def command_line() -> argparse.ArgumentParser:
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
    p.set_defaults(run=run("check:check"), config=None)
    p.set_defaults(config_dir=None)

    p = command("new-line", run("newline:new_line"), "add a line, from a few questions", at=False)
    p.add_argument("--prompts", help="prompts folder (default: prompts/ beside the config)")

    p = command(
        "call", run("calls:call"), "play a call as Twilio would, and print what the caller meets"
    )
    p.add_argument("line", help="a line id or number")
    p.add_argument(
        "--lang", help=f"the language the caller chooses ({', '.join(languages.codes())})"
    )
    p.add_argument(
        "--press",
        action="append",
        help="keys pressed at a question, in order (or piped on standard input, one a line)",
    )
    p.add_argument(
        "--dial-result",
        action="append",
        choices=["completed", "not-taken", "busy", "no-answer", "failed"],
        help="how each transfer ends, in order (default: completed; not-taken: answered, "
        "but the key that takes the call is not pressed, as by a voicemail)",
    )
    p.add_argument(
        "--on-duty",
        action="store_true",
        help="as if a counsellor were on duty: queue steps put the caller in line",
    )
    p.add_argument(
        "--queue-result",
        help="with --on-duty, how the wait ends: taken (default), nobody (until max_wait), "
        "hang-up, or a key pressed while waiting (1)",
    )
    p.add_argument(
        "--words",
        choices=["en", "fr", "nl"],
        help="the language of the transcript's own words (default en); what the caller hears is "
        "in the caller's language",
    )

    p = command("schedule", run("schedules:schedule_command"), "print a week of opening hours")
    p.add_argument("line", nargs="?", help="a line id (default: every line)")
    p.add_argument("--week", help="an ISO week such as 2026-W52 (default: this week)")
    p.add_argument("--html", help="write the week of every line as a page to pin on the wall")

    p = command(
        "holidays", run("schedules:holidays_command"), "list the public holidays and closure days"
    )
    p.add_argument("--year", type=int, help="the year (default: this year)")

    command("status", run("operations:status"), "is each line open now, why, and where a call goes")

    p = command(
        "override-log",
        run("overrides:override_log"),
        "who set which override, when and why",
        at=False,
    )
    p.add_argument("--line", help="only this line")

    p = command(
        "override",
        run("overrides:override"),
        "close or open a line for a while, without editing YAML",
    )
    p.add_argument("line", help="a line id or number")
    p.add_argument("state", nargs="?", choices=["open", "closed"], help="open or closed")
    p.add_argument(
        "--from",
        dest="starts",
        help="from when: '2026-12-24 12:00', or '12:00' (the next 12:00 to come) (default: now)",
    )
    p.add_argument(
        "--until",
        help="until when: '2026-12-24 18:00', or '18:00' (the next 18:00 after the start) "
        "(default: that midnight)",
    )
    p.add_argument(
        "--to",
        help="a number, or a service of services.yaml by its id: open, it rings instead of "
        "the team's phones; closed, callers are put through to it",
    )
    p.add_argument("--reason", help="why; kept in the log with your name")
    p.add_argument(
        "--clear",
        nargs="?",
        const="",
        metavar="ID",
        help="end the override in force now, or override ID (as 'ivr status' lists it)",
    )

    p = command(
        "stats",
        run("records:stats"),
        "anonymous call figures as CSV, for the annual report",
        at=False,
    )
    p.add_argument("--from", dest="date_from", required=True, help="first day, 2026-01-01")
    p.add_argument("--to", dest="date_to", required=True, help="last day, 2026-12-31")
    p.add_argument("--output", help="a CSV file to write (default: the screen)")

    p = command(
        "db",
        run("records:db"),
        "database schema: 'upgrade' to the newest version, or 'status'",
        at=False,
    )
    p.add_argument("action", choices=["upgrade", "status"])

    p = command(
        "voicemails",
        run("messages:voicemails"),
        "the messages callers left: list them, play, take or close one",
        at=False,
    )
    p.add_argument(
        "action",
        nargs="?",
        default="list",
        help="list (default), play ID, take ID, done ID --note ..., purge, reconcile",
    )
    p.add_argument("id", nargs="?", type=int, help="the message's number, as listed")
    p.add_argument("--line", help="only this line")
    p.add_argument("--state", action="append", choices=STATES, help="only these states")
    p.add_argument("--note", help="with done: how it ended, in a few words (no phone number)")
    p.add_argument("--closed", action="store_true", help="with done: closed without a call")
    p.add_argument("--output", help="with play: the file to write (default: message-ID.mp3)")

    p = command(
        "operators",
        run("operators:operators"),
        "the console's accounts: add NAME --role ... --line ... (password on standard input), "
        "list, grants NAME --role ... --line ... (what it sees from now on), "
        "disable, password NAME (a new one, on standard input: its sessions end), "
        "pin NAME (the phone console's PIN, on standard input), "
        "second-factor NAME (removes it: a lost phone)",
        at=False,
    )
    p.add_argument(
        "action",
        choices=["add", "list", "grants", "disable", "password", "pin", "second-factor"],
    )
    p.add_argument("name", nargs="?", help="the account's name, such as ana.dupont")
    p.add_argument("--role", choices=["coordinator", "counsellor"], help="with add and grants")
    p.add_argument(
        "--line", action="append", help="with add and grants: a line it sees (repeat for several)"
    )
    p.add_argument(
        "--organisation",
        action="append",
        help="with add and grants: every line of an organisation, those added later too",
    )
    p.add_argument(
        "--all-lines",
        action="store_true",
        help="with add and grants: every line (the platform's own staff only)",
    )
    p.add_argument(
        "--language",
        choices=list(languages.console_languages()),
        default=languages.DEFAULT,
        help=f"of the pages (default {languages.DEFAULT})",
    )

    p = command(
        "duty",
        run("duty:duty"),
        "counsellors on duty: start NAME --line ... --phone ..., stop NAME, ready NAME, "
        "renew NAME, or the list of who is on duty",
        at=False,
    )
    p.add_argument("action", nargs="?", default="list", help="start, stop, ready, renew, list")
    p.add_argument("name", nargs="?", help="the counsellor's account, such as ana.dupont")
    p.add_argument(
        "--line",
        action="append",
        help="a line id or number (again for more); with list: only that line",
    )
    p.add_argument("--phone", help='with start: the phone they answer on, "0470 12 34 56"')
    p.add_argument(
        "--lang", help="with start: the languages they take, nl,fr (default: the line's)"
    )
    p.add_argument("--hours", type=float, help="with start and renew: how long (default 8)")

    p = command(
        "privacy",
        run("privacy:privacy"),
        "what is kept at Twilio, keys for messages (new-key [--organisation ORG]) and reseal",
        at=False,
    )
    p.add_argument("action", choices=["status", "retry", "new-key", "reseal"])
    p.add_argument(
        "--organisation", help="with new-key: a key of this organisation's own (docs/privacy.md)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """The console entry point: the one place the command line reads the environment."""
    args = command_line().parse_args(argv)
    if args.command == "check" and args.config_dir:
        args.config = args.config_dir
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"ivr {args.command}: {exc}", file=sys.stderr)
        return 1
    if args.config:
        settings = replace(settings, config_dir=Path(args.config))
    try:
        code = args.run(args, settings)
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
        message, code = explain(exc, settings.database_url)
        print(f"ivr {args.command}: {message}", file=sys.stderr)
        return code
