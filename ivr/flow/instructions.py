"""What the call flow tells Twilio to do (rendered to TwiML by `ivr.twilio.twiml`), and what Twilio
reports back: the keys pressed and how a transfer ended."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ivr.domain import model
from ivr.flow.state import CallState

DIAL_CONNECTED = {"completed", "answered"}
DIAL_STATUSES = ("completed", "answered", "busy", "no-answer", "failed", "canceled")


@dataclass(frozen=True)
class Speak:
    text: str
    lang: str
    audio: str | None = None  # a recording to play instead of speech synthesis


@dataclass(frozen=True)
class Gather:
    speech: tuple[Speak, ...]
    next: CallState
    num_digits: int | None
    timeout: int


@dataclass(frozen=True)
class Dial:
    targets: tuple[model.Route, ...]  # rung at once; the first to take the call is bridged
    caller_id: str
    timeout: int
    next: CallState | None
    # What the person who answers hears before being connected (and, when screening, the
    # key that takes the call).
    whisper: CallState | None = None

    @property
    def numbers(self) -> tuple[str, ...]:
        return tuple(target.number for target in self.targets)


@dataclass(frozen=True)
class Record:
    max_length: int
    next: CallState


@dataclass(frozen=True)
class Redirect:
    next: CallState


@dataclass(frozen=True)
class Hangup:
    pass


Instruction = Speak | Gather | Dial | Record | Redirect | Hangup


@dataclass(frozen=True)
class DialResult:
    """How a transfer ended, from the fields of Twilio's `<Dial>` action request.

    `DialCallStatus` alone cannot tell: a phone that diverts to its own voicemail, or a
    counsellor who does not take a screened call, both leave it `completed`. `DialBridged`
    says whether the caller was connected (docs/transfers.md), so it decides when present;
    without it (older requests), the status does."""

    status: str  # DialCallStatus, one of DIAL_STATUSES, or "unknown"
    bridged: bool

    @classmethod
    def from_twilio(cls, status: str | None, bridged: str | None = None) -> DialResult:
        status = (status or "").strip().lower()[:16]
        status = status if status in DIAL_STATUSES else "unknown"
        flag = (bridged or "").strip().lower()
        if flag in ("true", "false"):
            return cls(status, flag == "true")
        return cls(status, status in DIAL_CONNECTED)

    @property
    def label(self) -> str:
        """For the metrics: Twilio's status, or `not taken` for a leg that was answered
        (by a voicemail, or by someone who did not press the key) but never connected."""
        if not self.bridged and self.status in DIAL_CONNECTED:
            return "not taken"
        return self.status


NOT_KEYPAD = re.compile(r"[^0-9*#]")


def clean_digits(raw: str | None) -> str:
    """Keypad input as Twilio may send it, or junk: keep keypad symbols, drop a final '#'."""
    digits = NOT_KEYPAD.sub("", raw or "")[:12]
    return digits.rstrip("#")
