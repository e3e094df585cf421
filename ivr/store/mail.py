"""The mails saying a message waits, as the database keeps them: each message's mail is due
from its arrival, claimed by one worker of one instance for a while (an atomic update, as the
work at Twilio is), then marked sent, or tried again later; the daily reminder of messages
still new, a row a line and day, claimed and sent once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ivr.store.tables import mail_reminders, voicemails
from ivr.store.times import aware, utc

LEASE = timedelta(minutes=2)  # a claimed mail is left alone this long


class Mail:
    def __init__(self, store):
        self.store = store

    def claim(self, now: datetime, limit: int = 20) -> list[dict]:
        """Messages whose mail is due and not sent, each now this worker's for a while."""
        self.store.ready()
        now = utc(now)
        free = or_(voicemails.c.mail_claimed_until.is_(None), voicemails.c.mail_claimed_until < now)
        columns = (
            voicemails.c.id,
            voicemails.c.line,
            voicemails.c.received_at,
            voicemails.c.duration_seconds,
            voicemails.c.language,
            voicemails.c.mail_attempts,
        )
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(*columns)
                .where(
                    voicemails.c.mailed_at.is_(None),
                    voicemails.c.mail_due_at.is_not(None),
                    voicemails.c.mail_due_at <= now,
                    free,
                )
                .order_by(voicemails.c.mail_due_at)
                .limit(limit)
            ).all()
        claimed = []
        for row in rows:
            with self.store.engine.begin() as conn:
                mine = conn.execute(
                    update(voicemails)
                    .where(voicemails.c.id == row.id, voicemails.c.mailed_at.is_(None), free)
                    .values(mail_claimed_until=now + LEASE)
                ).rowcount
            if mine:
                claimed.append(dict(row._mapping, received_at=aware(row.received_at)))
        return claimed

    def sent(self, message_id: int, now: datetime) -> None:
        self.store.ready()
        with self.store.engine.begin() as conn:
            conn.execute(
                update(voicemails)
                .where(voicemails.c.id == message_id)
                .values(mailed_at=utc(now), mail_claimed_until=None)
            )

    def failed(self, message_id: int, retry_at: datetime) -> None:
        """Not sent this time: tried again at `retry_at` (never given up: a message waits)."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            conn.execute(
                update(voicemails)
                .where(voicemails.c.id == message_id)
                .values(
                    mail_attempts=voicemails.c.mail_attempts + 1,
                    mail_due_at=utc(retry_at),
                    mail_claimed_until=None,
                )
            )

    def still_new(self, line: str, received_before: datetime) -> list[dict]:
        """The line's messages nobody has taken yet, received before then, oldest first."""
        self.store.ready()
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(voicemails.c.id, voicemails.c.received_at, voicemails.c.duration_seconds)
                .where(
                    voicemails.c.line == line,
                    voicemails.c.state == "new",
                    voicemails.c.received_at < utc(received_before),
                )
                .order_by(voicemails.c.received_at)
            ).all()
        return [dict(row._mapping, received_at=aware(row.received_at)) for row in rows]

    # -- the daily reminder ----------------------------------------------------------------

    def claim_reminder(self, key: str, now: datetime) -> bool:
        """Whether this worker sends the reminder `key` now (not sent, not claimed)."""
        self.store.ready()
        now = utc(now)
        try:
            with self.store.engine.begin() as conn:
                conn.execute(
                    insert(mail_reminders).values(key=key, claimed_until=now + LEASE, attempts=0)
                )
            return True
        except IntegrityError:
            pass
        free = or_(mail_reminders.c.claimed_until.is_(None), mail_reminders.c.claimed_until < now)
        with self.store.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(mail_reminders)
                    .where(mail_reminders.c.key == key, mail_reminders.c.sent_at.is_(None), free)
                    .values(claimed_until=now + LEASE)
                ).rowcount
            )

    def reminder_sent(self, key: str, now: datetime) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(
                update(mail_reminders)
                .where(mail_reminders.c.key == key)
                .values(sent_at=utc(now), claimed_until=None)
            )

    def reminder_failed(self, key: str, retry_at: datetime) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(
                update(mail_reminders)
                .where(mail_reminders.c.key == key)
                .values(claimed_until=utc(retry_at), attempts=mail_reminders.c.attempts + 1)
            )
