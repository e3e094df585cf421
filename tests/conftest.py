"""Drives the app the way Twilio does: signed POSTs, TwiML followed verb by verb."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from twilio.request_validator import RequestValidator

import ivr

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
    monkeypatch.setenv("IVR_PROMPTS_DIR", str(PROMPTS))
    monkeypatch.delenv("IVR_PUBLIC_URL", raising=False)
    monkeypatch.delenv("IVR_INSECURE", raising=False)
    monkeypatch.delenv("IVR_SECRET", raising=False)


@pytest.fixture
def config_copy(tmp_path) -> Path:
    """A copy of the shipped configuration that a test may break."""
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    shutil.copytree(PROMPTS, tmp_path / "prompts")
    return target


@dataclass
class Turn:
    """What the caller met in one stretch of the call, up to where it waits."""

    heard: list[str] = field(default_factory=list)
    waiting: ET.Element | None = None  # the Gather, Dial or Record that Twilio waits on
    rest: list[ET.Element] = field(default_factory=list)  # verbs after it, for silence
    dialled: list[str] = field(default_factory=list)
    hung_up: bool = False
    documents: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.heard)

    @property
    def kind(self) -> str | None:
        return None if self.waiting is None else self.waiting.tag


class Call:
    """One phone call, followed the way Twilio would follow our TwiML."""

    def __init__(self, app, to: str, caller: str = CALLER, sid: str = "CA00000000000000000001"):
        self.app = app
        self.client = app.test_client()
        self.validator = RequestValidator(TOKEN)
        self.params = {
            "CallSid": sid,
            "AccountSid": "AC00000000000000000000000000000000",
            "From": caller,
            "Caller": caller,
            "To": to,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }
        if caller is None:
            del self.params["From"], self.params["Caller"]
        self.turn: Turn | None = None
        self.redirects = 0

    # -- Twilio's side of the conversation -------------------------------------------------

    def post(self, url: str, extra: dict | None = None):
        params = dict(self.params, **(extra or {}))
        if not url.startswith("http"):
            url = "http://localhost" + url
        signature = self.validator.compute_signature(url, params)
        return self.client.post(
            url,
            data=urlencode(params),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature},
        )

    def request(self, url: str, extra: dict | None = None) -> ET.Element:
        response = self.post(url, extra)
        assert response.status_code == 200, response.data
        assert response.mimetype in ("text/xml", "application/xml")
        body = response.get_data(as_text=True)
        assert body.startswith("<?xml"), body
        root = ET.fromstring(body)
        assert root.tag == "Response"
        verbs = list(root)
        for index, verb in enumerate(verbs):
            if verb.tag in ("Gather", "Record"):
                # Twilio goes on with the next verb on silence: there must be one.
                assert index + 1 < len(verbs), f"nothing handles silence after {verb.tag}"
            if verb.tag == "Dial":
                assert verb.get("callerId"), "a Dial without callerId shows the caller's number"
        self.turn.documents.append(body)
        return root

    def follow(self, verbs: list[ET.Element]) -> Turn:
        for index, verb in enumerate(verbs):
            if verb.tag == "Say":
                self.turn.heard.append(verb.text or "")
            elif verb.tag == "Play":
                self.turn.heard.append(f"[recording {verb.text}]")
            elif verb.tag == "Pause":
                continue
            elif verb.tag in ("Gather", "Dial", "Record"):
                if verb.tag == "Gather":
                    self.turn.heard += [
                        say.text if say.tag == "Say" else f"[recording {say.text}]"
                        for say in verb
                        if say.tag in ("Say", "Play")
                    ]
                if verb.tag == "Dial":
                    self.turn.dialled += [n.text for n in verb]
                    if not verb.get("action"):
                        # Without an action Twilio goes on with the next verb when it ends.
                        continue
                self.turn.waiting = verb
                self.turn.rest = verbs[index + 1 :]
                return self.turn
            elif verb.tag == "Redirect":
                self.redirects += 1
                assert self.redirects <= 10, "more than 10 redirects in a row (error 11215)"
                return self.follow(list(self.request(verb.text)))
            elif verb.tag == "Hangup":
                self.turn.hung_up = True
                return self.turn
            else:
                raise AssertionError(f"unexpected verb {verb.tag}")
        # Twilio ends the call when the document runs out.
        self.turn.hung_up = True
        return self.turn

    def _new_turn(self) -> Turn:
        self.turn = Turn()
        self.redirects = 0
        return self.turn

    # -- what the caller does --------------------------------------------------------------

    def start(self) -> Turn:
        self._new_turn()
        return self.follow(list(self.request("/voice")))

    def press(self, digits: str) -> Turn:
        gather = self._expect("Gather")
        self._new_turn()
        return self.follow(list(self.request(gather.get("action"), {"Digits": digits})))

    def silence(self) -> Turn:
        self._expect("Gather")
        rest = self.turn.rest
        self._new_turn()
        return self.follow(rest)

    def dial_ends(self, status: str, duration: int = 0) -> Turn:
        dial = self._expect("Dial")
        assert dial.get("callerId") in self.app.extensions["ivr"].config.line_by_number
        self._new_turn()
        extra = {"DialCallStatus": status, "DialCallDuration": str(duration)}
        return self.follow(list(self.request(dial.get("action"), extra)))

    def leave_message(self, seconds: int = 20, sid: str = "RE00000000000000000001") -> Turn:
        record = self._expect("Record")
        url = f"https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/{sid}"
        callback = record.get("recordingStatusCallback")
        self._new_turn()
        turn = self.follow(
            list(
                self.request(
                    record.get("action"),
                    {"RecordingUrl": url, "RecordingDuration": str(seconds), "Digits": "#"},
                )
            )
        )
        if callback:
            response = self.post(
                callback,
                {
                    "RecordingSid": sid,
                    "RecordingUrl": url,
                    "RecordingStatus": "completed",
                    "RecordingDuration": str(seconds),
                },
            )
            assert response.status_code == 200
        return turn

    def record_nothing(self) -> Turn:
        self._expect("Record")
        rest = self.turn.rest
        self._new_turn()
        return self.follow(rest)

    def _expect(self, tag: str) -> ET.Element:
        assert self.turn is not None and self.turn.waiting is not None, "the call is not waiting"
        assert self.turn.waiting.tag == tag, f"waiting on {self.turn.waiting.tag}, not {tag}"
        return self.turn.waiting


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
