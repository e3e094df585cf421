"""`ivr privacy`: what waits to be deleted at Twilio or taken in from it, what keeps failing,
what was given up (and `retry` to have it tried again); a new key for sealing messages'
audio (`new-key --organisation ORG`: one organisation's), and `reseal`: every message sealed
anew with its organisation's newest key (docs/privacy.md, "Where the keys live")."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ivr.cli.common import CommandError, Failure, load_config
from ivr.cli.database import open_store
from ivr.cli.moments import BRUSSELS_TIME
from ivr.settings import Settings, keys_variable
from ivr.store.forget import AUDIO, CALL, RECORDING
from ivr.store.sealed import Keyring, SealError, new_key, organisation_of_line

CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")
WHAT = {CALL: "a call", RECORDING: "a recording", AUDIO: "a message's audio to take in"}


def _named(row: dict) -> str:
    """A recording's id (it names the message too); never a CallSid, from which Twilio's API
    would give the caller's number back."""
    return "" if row["kind"] == CALL else f" ({row['sid']})"


def _why(row: dict) -> str:
    """Twilio's last answer, without a CallSid (a network error may quote the URL)."""
    return CALL_SID.sub("CA…", row["last_error"] or "")


def organisations(config) -> list[str]:
    return sorted({organisation_of_line(config, line_id) for line_id in config.lines})


def privacy(args, settings: Settings) -> int:
    if args.action == "new-key":
        organisation = getattr(args, "organisation", None)
        variable = "IVR_MESSAGE_KEYS"
        if organisation:
            known = organisations(load_config(settings))
            if organisation not in known:
                raise CommandError(
                    f"no organisation '{organisation}'; the organisations are: {', '.join(known)}"
                )
            variable = keys_variable(organisation)
        print(new_key())
        print(f"add it first in {variable} (newest first, separated by commas) on every")
        print("instance; keep the old keys there until 'ivr privacy reseal' has sealed every")
        print("message anew with the newest")
        return 0
    if args.action == "reseal":
        return reseal(settings)
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
    keys = Keyring.of(settings)
    if not keys.usable:
        print("messages' audio stays at Twilio: IVR_MESSAGE_KEYS is not set")
        return 0
    config = load_config(settings)
    for organisation in organisations(config):
        if organisation not in keys.own:
            print(
                f"{organisation}'s messages are sealed with the shared IVR_MESSAGE_KEYS: give it "
                f"keys of its own in {keys_variable(organisation)} (ivr privacy new-key "
                f"--organisation {organisation}), then ivr privacy reseal"
            )
    return 0


def reseal(settings: Settings) -> int:
    """Every message's audio opened and sealed again with its organisation's newest key: after
    a new key, after an organisation got keys of its own, after a line changed organisation.
    A message none of the keys opens is said, and left as it is."""
    config = load_config(settings)
    keys = Keyring.of(settings)
    if not keys.usable:
        raise CommandError("no key to seal messages with: set IVR_MESSAGE_KEYS (docs/privacy.md)")
    store = open_store(settings)
    resealed, unopened = 0, []
    for listed in store.messages.list():
        if not listed["has_audio"]:
            continue
        message = store.messages.get(listed["id"])
        if message is None or message["audio"] is None:
            continue  # purged meanwhile
        now_for = organisation_of_line(config, message["line"])
        try:
            audio = keys.open(message["sealed_for"] or now_for, message["audio"])
        except SealError:
            unopened.append(message["id"])
            continue
        sealed = keys.close(now_for, audio)
        resealed += store.recordings.resealed(message["id"], message["audio"], sealed, now_for)
    print(f"{resealed} message(s) sealed anew, each with its organisation's newest key")
    if unopened:
        numbers = ", ".join(str(n) for n in unopened)
        raise Failure(
            f"{len(unopened)} message(s) no key opens, left as they were: {numbers} (put back "
            "the key that sealed them, then run ivr privacy reseal again)"
        )
    return 0
