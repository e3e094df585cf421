"""The messages callers left, for the counsellors who call back: `ivr voicemails` lists them
by state; `play`, `take` and `done` move one along; `purge` and `reconcile` do now what the
service does by itself on a timer."""

from __future__ import annotations

from datetime import UTC, datetime

from ivr.cli.common import CommandError, Failure, load_config, write_file
from ivr.cli.database import open_store
from ivr.cli.moments import BRUSSELS_TIME
from ivr.domain import phone
from ivr.runtime.twilio_work import TwilioWork
from ivr.settings import Settings
from ivr.store.messages import CALLED_BACK, CLOSED, MessageError
from ivr.store.sealed import Keyring, SealError, organisation_of_line
from ivr.twilio.rest import TwilioAPI, TwilioError

NOTE_LIMIT = 500
# A message without audio whose recording Twilio no longer has (ivr.runtime.twilio_work: it answered
# 404).
AUDIO_GONE = "audio lost"


def voicemails(args, settings: Settings) -> int:
    action = VOICEMAIL_ACTIONS.get(args.action)
    if action is None:
        raise CommandError(
            f"'{args.action}' is not something to do with messages; use one of: "
            + ", ".join(VOICEMAIL_ACTIONS)
        )
    if args.action in NEED_AN_ID and args.id is None:
        raise CommandError(f"say which message: ivr voicemails {args.action} 12")
    return action(args, settings)


def listing(args, settings: Settings) -> int:
    states = tuple(args.state or ())
    rows = open_store(settings).messages.list(args.line, states)
    if not rows:
        print("no voicemail" + (f" {'/'.join(states)}" if states else ""))
        return 0
    for row in rows:
        received = row["received_at"].astimezone(BRUSSELS_TIME)
        audio = "audio kept" if row["has_audio"] else "audio at Twilio"
        if not row["has_audio"] and row["deleted_at_twilio"]:
            audio = AUDIO_GONE
        who = f" by {row['taken_by']}" if row["taken_by"] else ""
        print(
            f"{row['id']:>5}  {received:%Y-%m-%d %H:%M}  {row['line']:<28} "
            f"{row['language']:<3} {row['duration_seconds']:>4}s  {row['state']}{who}  "
            f"({audio}) {row['recording_sid']}"
        )
    return 0


def play(args, settings: Settings) -> int:
    """Writes a message's audio, opened with IVR_MESSAGE_KEYS, to a file."""
    store = open_store(settings)
    message = store.messages.get(args.id)
    if message is None:
        raise CommandError(f"there is no message {args.id}; 'ivr voicemails' lists them")
    if message["audio"] is None and message["deleted_at_twilio"] is not None:
        raise Failure(f"message {args.id}'s audio is lost: Twilio no longer had the recording")
    if message["audio"] is None:
        raise Failure(
            f"message {args.id}'s audio is not kept here yet (it is fetched from Twilio within "
            "a minute of the call; without TWILIO_API_KEY it stays there)"
        )
    try:
        sealed_for = message.get("sealed_for") or message["line"]
        if not message.get("sealed_for"):
            sealed_for = organisation_of_line(load_config(settings), message["line"])
        audio = Keyring.of(settings).open(sealed_for, message["audio"])
    except SealError as exc:
        raise Failure(str(exc)) from exc
    output = args.output or f"message-{args.id}.mp3"
    write_file(output, lambda out: out.write(audio), binary=True)
    store.messages.played(args.id, operator=settings.operator or "-", at=datetime.now(UTC))
    print(f"wrote message {args.id} ({len(audio)} bytes, {message['audio_type']}) to {output}")
    return 0


def take(args, settings: Settings) -> int:
    who = _who(settings)
    message = _move(
        settings, lambda store: store.messages.take(args.id, operator=who, at=datetime.now(UTC))
    )
    print(f"message {args.id} is yours, {message['taken_by']}: call back in {message['language']}")
    return 0


def done(args, settings: Settings) -> int:
    note = (args.note or "").strip()
    if not note:
        raise CommandError('give a short --note "..." on how it ended (never a phone number)')
    if len(note) > NOTE_LIMIT:
        raise CommandError(f"the note has {len(note)} characters; keep it under {NOTE_LIMIT}")
    if phone.in_text(note):
        raise CommandError(
            "the note seems to hold a phone number; callers' numbers are never kept: "
            "write what happened without it"
        )
    outcome = CLOSED if args.closed else CALLED_BACK
    who = _who(settings)
    _move(
        settings,
        lambda store: store.messages.done(
            args.id, operator=who, at=datetime.now(UTC), outcome=outcome, note=note
        ),
    )
    print(f"message {args.id}: {outcome}")
    return 0


def purge(args, settings: Settings) -> int:
    config = load_config(settings)
    work = _work(settings, config, api=TwilioAPI.from_settings(settings))
    print(f"{work.purge(datetime.now(UTC))} message(s) purged")
    return 0


def reconcile(args, settings: Settings) -> int:
    api = TwilioAPI.from_settings(settings)
    if api is None:
        raise Failure(
            "reconcile asks Twilio: set TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET"
        )
    work = _work(settings, load_config(settings), api=api)
    try:
        taken = work.reconcile(datetime.now(UTC))
    except TwilioError as exc:
        raise Failure(f"Twilio answered: {exc}") from exc
    print(f"{taken} recording(s) that only Twilio had taken in")
    return 0


def _who(settings: Settings) -> str:
    if not settings.operator:
        raise CommandError("who are you? set IVR_OPERATOR to your name")
    return settings.operator


def _move(settings: Settings, change):
    try:
        return change(open_store(settings))
    except MessageError as exc:
        raise CommandError(str(exc)) from exc


class Lines:
    """The configuration as TwilioWork looks at it (`live.config`), read once."""

    def __init__(self, config):
        self.config = config


def _work(settings: Settings, config, api) -> TwilioWork:
    now = lambda: datetime.now(UTC)  # noqa: E731 - the clock TwilioWork asks
    return TwilioWork(settings, open_store(settings), Lines(config), now, api)


VOICEMAIL_ACTIONS = {
    "list": listing,
    "play": play,
    "take": take,
    "done": done,
    "purge": purge,
    "reconcile": reconcile,
}
NEED_AN_ID = ("play", "take", "done")
