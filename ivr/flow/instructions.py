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


@dataclass(frozen=True)
class Enqueue:
    """The caller waits in Twilio's queue `queue` (one a line and language): the wait
    documents come from `wait`, and `next` hears how the wait ended (Twilio's QueueResult)."""

    queue: str
    wait: CallState
    next: CallState


@dataclass(frozen=True)
class Leave:
    """Out of the queue (in a wait document): Twilio goes on with the `<Enqueue>`'s action."""


@dataclass(frozen=True)
class Pause:
    seconds: int


Instruction = Speak | Gather | Dial | Record | Redirect | Hangup | Enqueue | Leave | Pause

# How a caller's wait in a queue ended, from Twilio's QueueResult (the `<Enqueue>` action), as
# the `DialResult` its action answers: bridged to a counsellor, hung up while waiting, out by
# `<Leave>` (a key, or `max_wait`), or the queue failed (full, an error).
QUEUE_RESULTS = {
    "bridged": ("completed", True),
    "bridging-in-process": ("completed", True),
    "hangup": ("canceled", False),
    "leave": ("no-answer", False),
    "redirected": ("no-answer", False),
    "queue-full": ("failed", False),
    "error": ("failed", False),
    "system-error": ("failed", False),
}


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

    @classmethod
    def from_queue(cls, result: str | None) -> DialResult:
        status, bridged = QUEUE_RESULTS.get((result or "").strip().lower(), ("failed", False))
        return cls(status, bridged)

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
