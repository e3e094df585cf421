"""Drives the app the way Twilio does: signed POSTs, TwiML followed verb by verb."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import ivr
from ivr import simulate
from ivr.simulate import Turn  # noqa: F401 - tests import it from here

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config"
PROMPTS = ROOT / "prompts"
BRUSSELS = ZoneInfo("Europe/Brussels")
TOKEN = "test-auth-token"
CALLER = "+32470123456"  # must never show up in a log, a row or a dialled leg

EVC = "+3280030030"
STOP_IT_NOW = "+3280014112"
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


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/ivr.sqlite3")
    monkeypatch.setenv("IVR_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.setenv("IVR_PROMPTS_DIR", str(PROMPTS))
    monkeypatch.delenv("IVR_PUBLIC_URL", raising=False)
    monkeypatch.delenv("IVR_INSECURE", raising=False)
    monkeypatch.delenv("IVR_SECRET", raising=False)
    monkeypatch.setenv("IVR_REFRESH_SECONDS", "0")


@pytest.fixture
def config_copy(tmp_path) -> Path:
    """A copy of the shipped configuration that a test may break."""
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    shutil.copytree(PROMPTS, tmp_path / "prompts")
    return target


class Call(simulate.Call):
    """A call from the caller whose number must never show up anywhere."""

    def __init__(self, app, to: str, caller: str | None = CALLER, sid: str = "CA" + "0" * 31 + "1"):
        super().__init__(app, to, token=TOKEN, caller=caller, sid=sid)


@pytest.fixture
def clock() -> Clock:
    return Clock(brussels("2026-11-24 10:00"))


@pytest.fixture
def app(clock):
    return ivr.create_app(CONFIG, clock=clock)


@pytest.fixture
def call(app, clock):
    """call(number, at='2026-12-24 18:30') -> a started Call."""

    def start(to: str, at: str | None = None, lang: str | None = "fr", **kwargs) -> Call:
        """With `lang`, the caller answers the language choice of a line that asks."""
        if at:
            clock.now = brussels(at)
        c = Call(app, to, **kwargs)
        c.start()
        line = app.extensions["ivr"].config.line_by_number.get(to)
        if lang and line and len(line.languages) > 1:
            c.press(str(line.languages.index(lang) + 1))
        return c

    return start
