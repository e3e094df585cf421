"""`ivr privacy`: what waits to be deleted at Twilio or taken in from it, what keeps failing,
what was given up (and `retry` to have it tried again); a new key for sealing messages'
audio."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ivr.cli.database import open_store
from ivr.cli.moments import BRUSSELS_TIME
from ivr.settings import Settings
from ivr.store.forget import AUDIO, CALL, RECORDING
from ivr.store.sealed import new_key

CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")
WHAT = {CALL: "a call", RECORDING: "a recording", AUDIO: "a message's audio to take in"}


def _named(row: dict) -> str:
    """A recording's id (it names the message too); never a CallSid, from which Twilio's API
    would give the caller's number back."""
    return "" if row["kind"] == CALL else f" ({row['sid']})"


def _why(row: dict) -> str:
    """Twilio's last answer, without a CallSid (a network error may quote the URL)."""
    return CALL_SID.sub("CA…", row["last_error"] or "")


def privacy(args, settings: Settings) -> int:
    if args.action == "new-key":
        print(new_key())
        print("add it first in IVR_MESSAGE_KEYS (newest first, separated by commas) on every")
        print("instance; keep the old keys there as long as messages sealed with them exist")
        return 0
    if not settings.twilio_api:
        print("calls and recordings are kept at Twilio: TWILIO_ACCOUNT_SID, TWILIO_API_KEY and")
        print("TWILIO_API_SECRET are not all set (docs/privacy.md)")
    store = open_store(settings)
    if args.action == "retry":
        tried = store.forget.retry(datetime.now(UTC))
        print(f"{tried} piece(s) of work given up will be tried again within a minute")
        return 0
    status = store.forget.status()
    waiting = status["waiting"]
    print(
        f"waiting to be deleted at Twilio: {waiting.get(CALL, 0)} call(s), "
        f"{waiting.get(RECORDING, 0)} recording(s); to be taken in from Twilio: "
        f"{waiting.get(AUDIO, 0)} message audio(s)"
    )
    for row in status["failing"]:
        due = row["due_at"].astimezone(BRUSSELS_TIME)
        print(
            f"  {WHAT[row['kind']]}{_named(row)} failed {row['attempts']} time(s), next try "
            f"{due:%Y-%m-%d %H:%M}: {_why(row)}"
        )
    for row in status["given_up"]:
        print(
            f"  GIVEN UP: {WHAT[row['kind']]}{_named(row)}, after {row['attempts']} tries: "
            f"{_why(row)}"
        )
    if status["given_up"]:
        print("  (ivr privacy retry has what was given up tried again)")
    if not settings.message_keys:
        print("messages' audio stays at Twilio: IVR_MESSAGE_KEYS is not set")
    return 0
