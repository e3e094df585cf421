"""What is kept of a message's recording, and for how long: its audio taken in from Twilio and
sealed, its deletion there, and the message deleted whole when its time is up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from ivr.store.tables import forget, message_figures, voicemails
from ivr.store.times import aware, utc


class Recordings:
    def __init__(self, store):
        self.store = store

    def without_audio(self, limit: int = 100) -> list[dict]:
        """Messages whose audio is still only at Twilio, and not yet queued to be taken in
        (`ivr.store.forget`, where each is then tried on its own)."""
        self.store.ready()
        queued = select(forget.c.id).where(forget.c.sid == voicemails.c.recording_sid)
        query = (
            select(voicemails.c.id, voicemails.c.recording_sid, voicemails.c.received_at)
            .where(
                voicemails.c.audio.is_(None),
                voicemails.c.deleted_at_twilio.is_(None),
                ~queued.exists(),
            )
            .order_by(voicemails.c.id)
            .limit(limit)
        )
        with self.store.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def waiting(self, recording_sid: str) -> dict | None:
        """The message of a recording, if we have it: its id, when it was left, whether its
        audio is ours."""
        self.store.ready()
        query = select(
            voicemails.c.id,
            voicemails.c.line,
            voicemails.c.received_at,
            voicemails.c.audio.is_not(None).label("has_audio"),
        ).where(voicemails.c.recording_sid == recording_sid)
        with self.store.engine.connect() as conn:
            row = conn.execute(query).first()
        return dict(row._mapping, received_at=aware(row.received_at)) if row else None

    def keep_audio(
        self,
        message_id: int,
        encrypted: bytes,
        audio_type: str,
        at: datetime,
        sealed_for: str | None = None,
    ) -> bool:
        """True if this stored it; False if another worker did first. `sealed_for`: the
        organisation whose key sealed it."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            done = conn.execute(
                update(voicemails)
                .where(voicemails.c.id == message_id, voicemails.c.audio.is_(None))
                .values(
                    audio=encrypted, audio_type=audio_type, audio_at=utc(at), sealed_for=sealed_for
                )
            ).rowcount
        return bool(done)

    def resealed(self, message_id: int, before: bytes, after: bytes, sealed_for: str) -> bool:
        """The audio sealed anew (`ivr privacy reseal`), unless it changed meanwhile."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            done = conn.execute(
                update(voicemails)
                .where(voicemails.c.id == message_id, voicemails.c.audio == before)
                .values(audio=after, sealed_for=sealed_for)
            ).rowcount
        return bool(done)

    def deleted_at_twilio(self, recording_sid: str, at: datetime) -> None:
        self.store.ready()
        with self.store.engine.begin() as conn:
            conn.execute(
                update(voicemails)
                .where(voicemails.c.recording_sid == recording_sid)
                .values(deleted_at_twilio=utc(at))
            )

    def purge(self, now: datetime, retention: Callable[[str], tuple[int, int]]) -> list[dict]:
        """Deletes, audio and details, the messages whose time is up: `retention(line)` gives
        the days kept after being done, and the most days kept whatever their state."""
        self.store.ready()
        gone = []
        with self.store.engine.begin() as conn:
            rows = conn.execute(
                select(
                    voicemails.c.id,
                    voicemails.c.line,
                    voicemails.c.state,
                    voicemails.c.received_at,
                    voicemails.c.done_at,
                    voicemails.c.recording_sid,
                    voicemails.c.deleted_at_twilio,
                )
            ).all()
            for row in rows:
                after_done, at_most = retention(row.line)
                received, done_at = aware(row.received_at), aware(row.done_at)
                too_old = now - received >= timedelta(days=at_most)
                finished = done_at is not None and now - done_at >= timedelta(days=after_done)
                if too_old or finished:
                    conn.execute(delete(voicemails).where(voicemails.c.id == row.id))
                    conn.execute(
                        update(message_figures)
                        .where(
                            message_figures.c.message_id == row.id,
                            message_figures.c.purged_hour.is_(None),
                        )
                        .values(
                            purged_hour=utc(now).replace(minute=0, second=0, microsecond=0),
                            purged_unanswered=row.state != "done",
                        )
                    )
                    why = "kept its longest" if too_old else f"done {after_done} days ago"
                    self.store.audit.add(
                        conn,
                        at=now,
                        operator="retention",
                        action="message purged",
                        subject=f"message {row.id} ({row.line})",
                        detail=why,
                    )
                    gone.append(dict(row._mapping))
        return gone
