"""`ivr call`: a trial call played as Twilio drives the app, printed as the caller meets it.

The transcript's own words are English, or French or Dutch with `--words` (the console's
"Try a call" asks for the page's language): each sentence is a `tr("…")` here, which Babel
extracts into the console's catalogues (babel.cfg). What the caller hears is quoted as the
line says it, in the caller's language; numbers are written as Belgians write them."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import select
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from babel.lists import format_list

from ivr.app import create_app
from ivr.cli.common import CommandError, find_line, load_config, one_line
from ivr.cli.database import error_text
from ivr.cli.moments import now_from
from ivr.console.catalogue import N_
from ivr.console.words import locale_of, moment, translate
from ivr.domain.phone import written
from ivr.logs import scrub
from ivr.settings import Settings
from ivr.twilio.simulate import Call, is_trunked, number_reached

# How a transfer ended (`--dial-result`), in the transcript's words.
RESULTS = {
    "completed": N_("completed"),
    "not-taken": N_("not taken"),
    "busy": N_("busy"),
    "no-answer": N_("no answer"),
    "failed": N_("failed"),
}


class OneLineLog(logging.Formatter):
    """The app's complaints during `ivr call` (a database away, say): one line each, no
    traceback; the call goes on, as it would for a real caller."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.database_url = database_url  # its password is kept out of what is said

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f" ({type(exc).__name__}: {error_text(exc, self.database_url)})"
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
def one_line_log(database_url: str):
    logger = logging.getLogger("ivr")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineLog(database_url))
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


def call(args, settings: Settings) -> int:
    """Plays a call against the local configuration, as Twilio would drive the app."""
    # The transcript is the output; the app's own log lines would only get in the way.
    logging.basicConfig(level=logging.WARNING)
    with one_line_log(settings.database_url):
        return play_call(args, settings)


def play_call(args, settings: Settings) -> int:
    config = load_config(settings)
    line = find_line(config, args.line)
    at = now_from(args)
    # A token of our own, so requests are signed and checked exactly as Twilio's are; and
    # a scratch folder for what the app would keep on disk (a trial keeps nothing).
    token = secrets.token_hex(16)
    scratch = Path(tempfile.mkdtemp(prefix="ivr-call-"))
    trial = replace(
        settings,
        auth_token=token,
        state_keys=(token,),
        reload_seconds=0,
        refresh_seconds=0,
        spool_dir=scratch / "spool",
        console=False,
    )
    try:
        app = create_app(settings=trial, clock=lambda: at)
        if getattr(args, "on_duty", False):
            # As if a counsellor were on duty for every line and language: queue steps
            # enqueue the trial caller (a trial places no call to anyone).
            app.extensions["ivr"].queue.duty = lambda line_id, lang: True
        return transcript(args, app, line, at, token)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def words_in(lang: str):
    """`tr(text, **values)`: a text of the transcript in `lang`, its values filled in."""
    return lambda text, **values: translate(text, lang, **values)


def transcript(args, app, line, at, token) -> int:
    lang = getattr(args, "words", None) or "en"
    tr = words_in(lang)
    presses = list(args.press or [])
    results = list(args.dial_result or [])
    interactive = not presses and sys.stdin.isatty()
    # Keys piped in (`printf '2\n1\n' | ivr call 1712`) are pressed as a caller would, one
    # line a question: a script tries a path as the person at a terminal does.
    piped = None if presses or interactive else PipedKeys.of(sys.stdin)
    print(
        tr(
            "Calling %(line)s (%(number)s) on %(moment)s (%(zone)s)",
            line=line.name,
            number=written(line.numbers[0]),
            moment=moment(at, lang, line.schedule.timezone),
            zone=line.schedule.timezone,
        )
    )
    if presses and not interactive and PipedKeys.waiting(sys.stdin):
        print("  " + tr("(the keys on standard input are not read: --press gives the keys)"))
    c = Call(app, line.numbers[0], token=token)
    turn = c.start()
    if args.lang and len(line.languages) > 1:
        if args.lang not in line.languages:
            raise CommandError(f"{line.id} speaks {', '.join(line.languages)}, not {args.lang}")
        presses.insert(0, str(line.languages.index(args.lang) + 1))
    for _ in range(100):
        for text in turn.heard:
            print("  " + tr("hears: %(words)s", words=text))
        if turn.waiting is None:
            print("  " + tr("the call ends"))
            left = piped.rest() if piped is not None else []
            if left:
                print("  " + tr("(not pressed, the call had ended: %(keys)s)", keys=" ".join(left)))
            return 0
        waiting = turn.waiting
        if waiting.tag == "Gather":
            wait = int(waiting.get("timeout", "5"))
            if waiting.get("numDigits") == "1":
                print("  " + tr("asked to press a key (waits %(seconds)s s)", seconds=wait))
            else:
                print("  " + tr("asked to press keys, then # (waits %(seconds)s s)", seconds=wait))
            if presses:
                key = presses.pop(0)
            elif interactive:
                key = ask(wait, tr)
            elif piped is not None:
                key = piped.next(wait)
                if key is not None and not piped.said:
                    piped.said = True
                    print(
                        "  "
                        + tr("(keys from standard input, one line a question; an empty line: none)")
                    )
                key = key or ""
            else:
                key = ""
            if key in ("", "silence", "-"):
                print("  " + tr("presses nothing"))
                turn = c.silence()
            else:
                print("  " + tr("presses %(keys)s", keys=key))
                turn = c.press(key)
        elif waiting.tag == "Dial":
            targets = list(waiting)
            where = format_list(
                [written(number_reached(t)) for t in targets], locale=locale_of(lang)
            )
            if len(targets) > 1:
                where = tr("%(numbers)s, all at once", numbers=where)
            if any(is_trunked(t) for t in targets):
                where = tr("%(numbers)s, through the carrier's trunk", numbers=where)
            print(
                "  "
                + tr(
                    "transferred to %(where)s (the phone there shows %(caller_id)s, rings "
                    "%(seconds)s s)",
                    where=where,
                    caller_id=written(waiting.get("callerId") or ""),
                    seconds=waiting.get("timeout"),
                )
            )
            result = results.pop(0) if results else "completed"
            if result in ("completed", "not-taken") and targets[0].get("url"):
                turn = c.counsellor_answers(press="1" if result == "completed" else None)
                for index, text in enumerate(turn.counsellor_heard):
                    if index == 0:
                        print("  " + tr("the counsellor first hears: %(words)s", words=text))
                    else:
                        print("  " + tr("then: %(words)s", words=text))
                if result == "completed":
                    print("  " + tr("the counsellor presses 1 and talks with the caller"))
                else:
                    print("  " + tr("nobody presses a key: their phone hangs up"))
            else:
                turn = c.dial_ends("completed" if result == "not-taken" else result)
            print("  " + tr("the transfer ends: %(result)s", result=tr(RESULTS[result])))
        elif waiting.tag == "Enqueue":
            turn = wait_in_line(c, getattr(args, "queue_result", None) or "taken", tr)
        elif waiting.tag == "Record":
            print(
                "  "
                + tr(
                    "a message is recorded (at most %(seconds)s s; not stored)",
                    seconds=waiting.get("maxLength"),
                )
            )
            turn = c.leave_message(trial=True)
    print("  " + tr("(stopped after 100 steps)"))
    return 1


def wait_in_line(c: Call, how: str, tr):
    """A caller waiting in a queue (`--on-duty`): taken by a counsellor, nobody taking the
    call until max_wait, a key pressed while waiting, or hanging up (`--queue-result`)."""
    print("  " + tr("waits in line for a counsellor on duty (queue %(queue)s)", queue=c.queue))
    if how == "taken":
        print("  " + tr("a counsellor on duty takes the call and talks with the caller"))
        c.joined_to = True
        return c.bridge_ended()
    if how == "hang-up":
        print("  " + tr("hangs up while waiting"))
        return c.hang_up_waiting()
    if how.isdigit():
        print("  " + tr("presses %(keys)s", keys=how))
        turn = c.press_waiting(how)
        if not c.waiting_in_queue:
            return turn
    for _ in range(200):  # nobody takes the call: Twilio asks again for the wait document
        turn = c.wait(25)
        if not c.waiting_in_queue:
            return turn
        print("  " + tr("after %(seconds)s s in line", seconds=c.queue_time))
        for text in c.wait_heard:
            print("  " + tr("hears: %(words)s", words=text))
    return c.hang_up_waiting()


class PipedKeys:
    """Keys read from a pipe or a file, a line at a time, as each question comes: what has not
    come within the question's wait is silence, as for a caller."""

    def __init__(self, fd: int):
        self.fd, self.buffer, self.ended = fd, b"", False
        self.said = False  # whether the transcript said where the keys come from

    @classmethod
    def of(cls, stream) -> PipedKeys | None:
        """None for an input that cannot be read (closed, or not a file)."""
        try:
            return cls(stream.fileno())
        except (OSError, ValueError):
            return None

    @staticmethod
    def waiting(stream) -> bool:
        """Whether something was piped in (read, if so: the command does not use it)."""
        keys = None if stream.isatty() else PipedKeys.of(stream)
        return keys is not None and keys.next(0) not in (None, "")

    def next(self, timeout: float) -> str | None:
        """The next line, stripped; '' when nothing came in time; None once the input ended."""
        while b"\n" not in self.buffer and not self.ended:
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                return ""
            chunk = os.read(self.fd, 4096)
            self.ended = not chunk
            self.buffer += chunk
        if not self.buffer:
            return None
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode("utf-8", "replace").strip()

    def rest(self) -> list[str]:
        """The keys piped in and not pressed (those that have come: nothing is waited for)."""
        while not self.ended and select.select([self.fd], [], [], 0)[0]:
            chunk = os.read(self.fd, 4096)
            self.ended = not chunk
            self.buffer += chunk
        lines = self.buffer.decode("utf-8", "replace").splitlines()
        return [key for key in (line.strip() for line in lines) if key]


def ask(timeout: int, tr) -> str:
    print("  " + tr("keys (Enter = nothing; %(seconds)s s):", seconds=timeout), end=" ", flush=True)
    ready, _, _ = select.select([sys.stdin], [], [], timeout)
    if not ready:
        print()
        return ""
    return sys.stdin.readline().strip()
