"""What the tests share: the shipped lines' numbers, the caller who must never show up, a call
driven the way Twilio drives one (signed POSTs, TwiML followed verb by verb), the clock, and
helpers for the checks, the metrics and the console's accounts and messages."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from ivr.twilio import simulate
from ivr.twilio.simulate import (
    Turn,  # noqa: F401 - tests import it from here
    number_reached,
)

ROOT = Path(__file__).resolve().parent.parent.parent


CONFIG = ROOT / "config"


PROMPTS = ROOT / "prompts"


BRUSSELS = ZoneInfo("Europe/Brussels")


TOKEN = "test-auth-token"


CALLER = "+32470123456"  # must never show up in a log, a row or a dialled leg


OPS_TOKEN = "test-ops-token"


OPS = {"Authorization": f"Bearer {OPS_TOKEN}"}  # the credential of /metrics and /healthz


EVC = "+3280030030"


STOP_IT_NOW = "+3280014112"


# What the phones the two 0800 lines put calls through to show: their caller_id (placeholders).
EVC_SHOWS = "+3220000800"


STOP_IT_NOW_SHOWS = "+3220000801"


LINE_1712 = "+3220001712"


TEAM_EVC = "+3220000001"


ORIENTATION = "+3220000100"


def brussels(text: str) -> datetime:
    """'2026-12-24 18:30' in Brussels wall-clock time."""
    return datetime.fromisoformat(text).replace(tzinfo=BRUSSELS)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Call(simulate.Call):
    """A call from the caller whose number must never show up anywhere."""

    def __init__(self, app, to: str, caller: str | None = CALLER, sid: str = "CA" + "0" * 31 + "1"):
        super().__init__(app, to, token=TOKEN, caller=caller, sid=sid)


PROBLEM = re.compile(r"^(?P<file>\S+):(?P<line>\d+): (?P<message>.+)$")


def check(config_dir, capsys) -> tuple[int, list[str]]:
    """`ivr check` on a folder: its exit status and the lines it printed."""
    from ivr.cli import main

    code = main(["check", str(config_dir)])
    out = capsys.readouterr().out.strip().splitlines()
    return code, out


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def spoken(body: str) -> str:
    """Every sentence a TwiML document says."""
    root = ET.fromstring(body)
    return " ".join(say.text or "" for say in root.iter("Say"))


def assert_safe_answer(body: str, shows: str | None):
    """The static safe answer: where to turn (112, 101, 107), and 107 dialled showing `shows`
    (the number the caller dialled, or its line's caller ID), when the caller dialled one."""
    text = spoken(body)
    assert "112" in text and "101" in text and "107" in text
    root = ET.fromstring(body)
    dials = root.findall("Dial")
    if shows:
        assert [d.get("callerId") for d in dials] == [shows]
        assert [number_reached(n) for d in dials for n in d] == ["107"]
    else:
        assert dials == []


def service_of(app):
    """What the app's requests share (ivr.app.Service): its store, configuration, threads."""
    return app.extensions["ivr"]


def metric(app, name: str, **labels) -> float:
    """The value of one sample of the app's /metrics, 0 when it was never counted."""
    from prometheus_client.parser import text_string_to_metric_families

    body = app.test_client().get("/metrics", headers=OPS).get_data(as_text=True)
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


def walk_call(app, to: str, lang: str, visit, max_depth: int = 5) -> None:
    """Takes every branch a caller of `to` who speaks `lang` can take: each key, silence,
    each way a transfer ends (busy, failed, connected, and for a screened one, answered but
    not taken), a message or none. `visit(turn, depth)` sees every stretch of every path, in
    order; depth -1 is the language choice, 0 what follows the caller's choice."""
    line = service_of(app).config.line_by_number[to]
    seen: set[tuple] = set()

    def walk(turn: Turn, depth: int) -> None:
        visit(turn, depth)
        if turn.waiting is None or depth >= max_depth:
            return
        waiting = turn.waiting
        key = (waiting.tag, waiting.get("action"))
        if key in seen:
            return
        seen.add(key)
        moves = []
        if waiting.tag == "Gather":
            moves = [("press", k) for k in "0123456789"] + [("silence", None)]
        elif waiting.tag == "Dial":
            moves = [("dial", "busy"), ("dial", "failed"), ("dial", "completed")]
            if any(target.get("url") for target in waiting):
                moves.append(("not taken", None))
        elif waiting.tag == "Record":
            moves = [("message", None), ("nothing", None)]
        for move, value in moves:
            c = Call(app, to)
            c.turn = Turn(waiting=waiting, rest=turn.rest)
            if move == "press":
                nxt = c.press(value)
            elif move == "silence":
                nxt = c.silence()
            elif move == "dial":
                nxt = c.dial_ends(value)
            elif move == "not taken":
                nxt = c.counsellor_answers(press=None)
            elif move == "message":
                nxt = c.leave_message()
            else:
                nxt = c.record_nothing()
            walk(nxt, depth + 1)

    c = Call(app, to)
    first = c.start()
    if len(line.languages) > 1:
        visit(first, -1)
        first = c.press(str(line.languages.index(lang) + 1))
    walk(first, 0)


POSTGRES = os.environ.get("IVR_TEST_POSTGRES_URL")


# Tables of earlier versions of the schema, gone since: a database left by an older run may
# still hold them.
FORMER_TABLES = ("login_failures",)


ACCOUNT_SID = "AC" + "1" * 32


API_KEY = "SK" + "2" * 32


API_SECRET = "stand-in-secret"


MESSAGE_KEY = "u9Y3G1cBjdqVb5hJc3i5x1-1lS8m1wq0hZgYzq8yGkA="  # a Fernet key, for the tests only


CONSOLE_SECRET = "test-console-secret-0123456789abcdef"


def password_of(name: str) -> str:
    return f"{name}'s long password"


def add_operator(store, name: str, role: str, language: str = "fr", at=None) -> None:
    """An account of the console, with the password `password_of(name)`, added `at`."""
    from ivr.console.accounts import hash_password

    store.operators.add(
        name,
        role,
        hash_password(password_of(name)),
        language=language,
        by="test",
        at=at or datetime.now(BRUSSELS),
    )


def wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A short tone, as a WAV file a browser can play."""
    import io
    import math
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(
            bytes(
                128 + int(60 * math.sin(2 * math.pi * 440 * i / rate))
                for i in range(int(rate * seconds))
            )
        )
    return out.getvalue()


def add_message(store, line: str, received_at: datetime, audio: bytes | None = None, n: int = 1):
    """A message left on `line`, its audio sealed with MESSAGE_KEY; returns its number."""
    from ivr.store.sealed import Seal

    sid = f"RE{n:032x}"
    store.messages.add(
        line=line,
        received_at=received_at,
        recording_sid=sid,
        recording_url=f"https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/{sid}",
        duration_seconds=int(len(audio or b"") / 8000) or 12,
        language="fr",
    )
    message_id = next(m["id"] for m in store.messages.list() if m["recording_sid"] == sid)
    if audio is not None:
        store.recordings.keep_audio(
            message_id, Seal((MESSAGE_KEY,)).close(audio), "audio/wav", received_at
        )
    return message_id
