"""`ivr privacy`: what waits to be deleted at Twilio and what keeps failing; a new key for
sealing messages' audio."""

from __future__ import annotations

from ivr.cli.database import open_store
from ivr.cli.moments import BRUSSELS_TIME
from ivr.sealed import new_key
from ivr.settings import Settings


def privacy(args, settings: Settings) -> int:
    if args.action == "new-key":
        print(new_key())
        print("add it first in IVR_MESSAGE_KEYS (newest first, separated by commas) on every")
        print("instance; keep the old keys there as long as messages sealed with them exist")
        return 0
    if not settings.twilio_api:
        print("calls and recordings are kept at Twilio: TWILIO_ACCOUNT_SID, TWILIO_API_KEY and")
        print("TWILIO_API_SECRET are not all set (docs/privacy.md)")
    status = open_store(settings).forget.status()
    waiting = status["waiting"]
    print(
        f"waiting to be deleted at Twilio: {waiting.get('call', 0)} call(s), "
        f"{waiting.get('recording', 0)} recording(s)"
    )
    for row in status["failing"]:
        due = row["due_at"].astimezone(BRUSSELS_TIME)
        print(
            f"  a {row['kind']} failed {row['attempts']} time(s), next try {due:%Y-%m-%d %H:%M}:"
            f" {row['last_error']}"
        )
    if not settings.message_keys:
        print("messages' audio stays at Twilio: IVR_MESSAGE_KEYS is not set")
    return 0
