"""The voicemail inbox: messages by state (new, taken, done), how long each is kept, and its
audio opened for a logged-in counsellor. Nothing about the caller, and no Twilio id or URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ivr.console import access
from ivr.console.words import language_name, translate
from ivr.domain import phone
from ivr.store.messages import CALLED_BACK, CLOSED, DONE, NEW, STATES, TAKEN
from ivr.store.sealed import Keyring, organisation_of_line

NOTE_LIMIT = 500
OUTCOMES = (CALLED_BACK, CLOSED)


@dataclass(frozen=True)
class Message:
    id: int
    line: str
    received_at: datetime
    language: str
    seconds: int
    state: str
    taken_by: str | None
    outcome: str | None
    note: str | None
    has_audio: bool
    kept_until: datetime
    audio_lost: bool = False  # Twilio no longer had the recording when we asked for it


def inbox(service, lang: str, account) -> dict[str, list[Message]]:
    """The messages of the lines `account` sees (`ivr.console.access`), by state, newest first
    within each."""
    config = service.config
    found: dict[str, list[Message]] = {state: [] for state in STATES}
    for row in reversed(service.store.messages.list()):
        if not access.may_see(account, config, row["line"]):
            continue
        line = config.lines.get(row["line"])
        found[row["state"]].append(
            Message(
                id=row["id"],
                line=line.name if line else row["line"],
                received_at=row["received_at"],
                language=language_name(row["language"], lang),
                seconds=row["duration_seconds"],
                state=row["state"],
                taken_by=row["taken_by"],
                outcome=row["outcome"],
                note=row["note"],
                has_audio=bool(row["has_audio"]),
                kept_until=kept_until(row, line),
                audio_lost=not row["has_audio"] and row["deleted_at_twilio"] is not None,
            )
        )
    return found


def kept_until(row: dict, line) -> datetime:
    """When the message is deleted, by its line's retention (docs/privacy.md)."""
    if line is None:
        after_done, at_most = 30, 90
    else:
        after_done, at_most = line.retention.days_after_done, line.retention.days_at_most
    until = row["received_at"] + timedelta(days=at_most)
    if row["done_at"] is not None:
        until = min(until, row["done_at"] + timedelta(days=after_done))
    return until


def audio(service, message_id: int) -> tuple[bytes, str] | None:
    """The message's audio, opened, and its type; None when it is not kept here."""
    message = service.store.messages.get(message_id)
    if message is None or message["audio"] is None:
        return None
    sealed_for = message.get("sealed_for") or organisation_of_line(service.config, message["line"])
    opened = Keyring.of(service.settings).open(sealed_for, message["audio"])
    return opened, message["audio_type"] or "audio/mpeg"


def note_problem(note: str, lang: str) -> str | None:
    """Why a closing note cannot be kept, in the page's language; None when it can."""
    if not note:
        return translate("Say in a few words how it ended.", lang)
    if len(note) > NOTE_LIMIT:
        return translate("Keep the note under %(most)s characters.", lang, most=NOTE_LIMIT)
    if phone.in_text(note):
        return translate(
            "The note seems to hold a phone number: callers' numbers are never kept. "
            "Write what happened without it.",
            lang,
        )
    return None


__all__ = ["DONE", "NEW", "TAKEN", "inbox", "audio", "note_problem", "OUTCOMES"]
