"""Records to delete at Twilio: a finished call with its transfer legs, a recording whose
audio we keep. Each is tried until Twilio confirms, with back-off, by whichever worker of
whichever instance claims it first; the row (and the CallSid in it) goes once it is done."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ivr.store.tables import forget
from ivr.store.times import aware, utc

CALL, RECORDING = "call", "recording"
LEASE = timedelta(minutes=2)  # a claimed row is left alone this long


class Forget:
    def __init__(self, store):
        self.store = store

    def add(self, kind: str, sid: str, *, due_at: datetime, now: datetime) -> bool:
        """False when it is waiting already."""
        self.store.ready()
        try:
            with self.store.engine.begin() as conn:
                conn.execute(
                    insert(forget).values(
                        kind=kind, sid=sid, due_at=utc(due_at), attempts=0, added_at=utc(now)
                    )
                )
        except IntegrityError:
            return False
        return True

    def claim(self, now: datetime, limit: int = 20) -> list[dict]:
        """Rows that are due, each now this worker's for a while (no other takes it)."""
        self.store.ready()
        now = utc(now)
        free = or_(forget.c.claimed_until.is_(None), forget.c.claimed_until < now)
        claimed = []
        with self.store.engine.begin() as conn:
            rows = conn.execute(
                select(forget)
                .where(and_(forget.c.due_at <= now, free))
                .order_by(forget.c.due_at)
                .limit(limit)
            ).all()
        for row in rows:
            with self.store.engine.begin() as conn:
                mine = conn.execute(
                    update(forget)
                    .where(forget.c.id == row.id, free)
                    .values(claimed_until=now + LEASE)
                ).rowcount
            if mine:
                claimed.append(dict(row._mapping))
        return claimed

    def done(self, row_id: int) -> None:
        self.store.ready()
        with self.store.engine.begin() as conn:
            conn.execute(delete(forget).where(forget.c.id == row_id))

    def failed(self, row_id: int, error: str, retry_at: datetime) -> None:
        self.store.ready()
        with self.store.engine.begin() as conn:
            conn.execute(
                update(forget)
                .where(forget.c.id == row_id)
                .values(
                    attempts=forget.c.attempts + 1,
                    last_error=error[:300],
                    due_at=utc(retry_at),
                    claimed_until=None,
                )
            )

    def status(self) -> dict:
        """What waits, by kind, and what keeps failing."""
        self.store.ready()
        with self.store.engine.connect() as conn:
            counts = dict(
                conn.execute(select(forget.c.kind, func.count()).group_by(forget.c.kind)).all()
            )
            failing = conn.execute(
                select(forget.c.kind, forget.c.attempts, forget.c.last_error, forget.c.due_at)
                .where(forget.c.attempts > 0)
                .order_by(forget.c.attempts.desc())
                .limit(20)
            ).all()
        return {
            "waiting": counts,
            "failing": [dict(row._mapping, due_at=aware(row.due_at)) for row in failing],
        }
