"""The messages callers leave: stored once, by their recording's id, with nothing that
identifies the caller (no number, no CallSid); their encrypted audio once fetched from Twilio;
and their life: new, taken by a counsellor, done (called back or closed), then purged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ivr.store.tables import message_figures, voicemails
from ivr.store.times import aware, utc

NEW, TAKEN, DONE = "new", "taken", "done"
STATES = (NEW, TAKEN, DONE)
CALLED_BACK, CLOSED = "called back", "closed"
# What a list shows: everything but the audio itself.
LISTED = [c for c in voicemails.c if c.name != "audio"]
TIMES = (
    "received_at",
    "taken_at",
    "done_at",
    "audio_at",
    "deleted_at_twilio",
    "mail_due_at",
    "mail_claimed_until",
    "mailed_at",
)


def hour_of(moment: datetime) -> datetime:
    return utc(moment).replace(minute=0, second=0, microsecond=0)


class MessageError(ValueError):
    """What was asked of a message cannot be done; the text says why."""


def _row(mapping) -> dict:
    row = dict(mapping)
    for key in TIMES:
        if key in row:
            row[key] = aware(row[key])
    return row


class Messages:
    def __init__(self, store):
        self.store = store

    def add(
        self,
        *,
        line: str,
        received_at: datetime,
        recording_sid: str,
        recording_url: str,
        duration_seconds: int,
        language: str,
        organisation: str | None = None,
    ) -> bool:
        """Stores one message (its mail due at once, its figures kept apart); False when it is
        there already (Twilio sent it twice). `organisation`: its line's, at the time."""
        self.store.ready()
        try:
            with self.store.engine.begin() as conn:
                message_id = conn.execute(
                    insert(voicemails).values(
                        line=line,
                        received_at=utc(received_at),
                        recording_sid=recording_sid,
                        recording_url=recording_url,
                        duration_seconds=duration_seconds,
                        language=language,
                        state=NEW,
                        organisation=organisation or line,
                        mail_due_at=utc(received_at),
                        mail_attempts=0,
                    )
                ).inserted_primary_key[0]
                conn.execute(
                    insert(message_figures).values(
                        message_id=message_id,
                        line=line,
                        organisation=organisation or line,
                        received_hour=hour_of(received_at),
                    )
                )
        except IntegrityError:
            return False
        return True

    def list(self, line: str | None = None, states: tuple[str, ...] = ()) -> list[dict]:
        self.store.ready()
        query = select(*LISTED, voicemails.c.audio.is_not(None).label("has_audio"))
        query = query.order_by(voicemails.c.received_at)
        if line:
            query = query.where(voicemails.c.line == line)
        if states:
            query = query.where(voicemails.c.state.in_(states))
        with self.store.engine.connect() as conn:
            return [_row(row._mapping) for row in conn.execute(query)]

    def get(self, message_id: int) -> dict | None:
        """One message, its encrypted audio included."""
        self.store.ready()
        with self.store.engine.connect() as conn:
            row = conn.execute(select(voicemails).where(voicemails.c.id == message_id)).first()
        return _row(row._mapping) if row else None

    def recording_sids(self) -> set[str]:
        self.store.ready()
        with self.store.engine.connect() as conn:
            return set(conn.execute(select(voicemails.c.recording_sid)).scalars())

    def played(self, message_id: int, *, operator: str, at: datetime) -> None:
        """Who listened to a message, when: in the audit log."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            line = conn.execute(
                select(voicemails.c.line).where(voicemails.c.id == message_id)
            ).scalar()
            self.store.audit.add(
                conn,
                at=at,
                operator=operator,
                action="message played",
                subject=f"message {message_id} ({line})",
            )

    # -- its life ----------------------------------------------------------------------------

    def take(self, message_id: int, *, operator: str, at: datetime) -> dict:
        """A counsellor takes a new message (or takes over one taken by someone else)."""
        return self._move(message_id, operator, at, "take", (NEW, TAKEN), TAKEN, "")

    def done(self, message_id: int, *, operator: str, at: datetime, outcome: str, note: str):
        if outcome not in (CALLED_BACK, CLOSED):
            raise MessageError(f"a message ends '{CALLED_BACK}' or '{CLOSED}', not '{outcome}'")
        return self._move(message_id, operator, at, outcome, (NEW, TAKEN), DONE, note)

    def _move(self, message_id, operator, at, action, from_states, state, note) -> dict:
        self.store.ready()
        with self.store.engine.begin() as conn:
            row = conn.execute(select(*LISTED).where(voicemails.c.id == message_id)).first()
            if row is None:
                raise MessageError(f"there is no message {message_id}")
            if row.state not in from_states:
                raise MessageError(
                    f"message {message_id} is {row.state} already (by {row.taken_by or '-'})"
                )
            values = {"state": state}
            if state == TAKEN:
                values.update(taken_by=operator, taken_at=utc(at))
            else:
                values.update(done_at=utc(at), outcome=action, note=note)
                if row.taken_by is None:
                    values.update(taken_by=operator, taken_at=utc(at))
            conn.execute(update(voicemails).where(voicemails.c.id == message_id).values(values))
            if state == DONE:  # what the reports keep: when, and how long it waited
                waited = utc(at) - utc(aware(row.received_at))
                conn.execute(
                    update(message_figures)
                    .where(
                        message_figures.c.message_id == message_id,
                        message_figures.c.purged_hour.is_(None),
                    )
                    .values(
                        outcome=action,
                        done_hour=hour_of(at),
                        wait_seconds=max(0, int(waited.total_seconds())),
                    )
                )
            self.store.audit.add(
                conn,
                at=at,
                operator=operator,
                action=f"message {action}",
                subject=f"message {message_id} ({row.line})",
                # Not the note: it is about the caller, and goes with the message when its
                # time is up; the audit log stays.
                detail="with a note" if note else "",
            )
        return self.get(message_id)
