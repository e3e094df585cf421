"""Work to do at Twilio, a row a piece: a finished call's record to delete with its transfer
legs, a message's audio to take in, a recording to delete once its audio is ours. Each piece is
tried until Twilio confirms, with back-off, by whichever worker of whichever instance claims it
first, and fails on its own; the row (and the CallSid in it) goes once it is done. After
`TRIES` tries it is no longer claimed: it waits, listed by `ivr privacy status`, until an
operator has it tried again (`ivr privacy retry`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ivr.store.tables import forget
from ivr.store.times import aware, utc

CALL, RECORDING, AUDIO = "call", "recording", "audio"
KINDS = (CALL, RECORDING, AUDIO)
LEASE = timedelta(minutes=2)  # a claimed row is left alone this long
# Tries before giving up: with back-off from a minute to an hour apart, about seven hours.
TRIES = 12


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

    def then(self, kind: str, sid: str, *, due_at: datetime, now: datetime) -> None:
        """Queues `kind` for `sid`, in place of other work waiting for it (a recording whose
        audio is now ours, or whose message is purged: its deletion instead of its fetch)."""
        if self.add(kind, sid, due_at=due_at, now=now):
            return
        with self.store.engine.begin() as conn:
            conn.execute(
                update(forget)
                .where(forget.c.sid == sid, forget.c.kind != kind)
                .values(
                    kind=kind,
                    due_at=utc(due_at),
                    attempts=0,
                    last_error=None,
                    claimed_until=None,
                )
            )

    def claim(self, now: datetime, kinds=KINDS, limit: int = 20) -> list[dict]:
        """Rows of `kinds` that are due and not given up, each now this worker's for a while
        (no other takes it)."""
        self.store.ready()
        now = utc(now)
        free = or_(forget.c.claimed_until.is_(None), forget.c.claimed_until < now)
        claimed = []
        with self.store.engine.begin() as conn:
            rows = conn.execute(
                select(forget)
                .where(
                    forget.c.due_at <= now,
                    free,
                    forget.c.kind.in_(kinds),
                    forget.c.attempts < TRIES,
                )
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

    def drop(self, sid: str) -> None:
        """Whatever waits for `sid`, gone (its message was purged, nothing is left to do)."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            conn.execute(delete(forget).where(forget.c.sid == sid))

    def failed(self, row_id: int, error: str, retry_at: datetime, give_up: bool = False) -> int:
        """One more try failed: tried again at `retry_at`, or never again by itself once it
        has had its `TRIES` (at once with `give_up`). Returns the tries made."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            conn.execute(
                update(forget)
                .where(forget.c.id == row_id)
                .values(
                    attempts=TRIES if give_up else forget.c.attempts + 1,
                    last_error=error[:300],
                    due_at=utc(retry_at),
                    claimed_until=None,
                )
            )
            return conn.execute(select(forget.c.attempts).where(forget.c.id == row_id)).scalar()

    def retry(self, now: datetime) -> int:
        """Has what was given up tried again now, from its first try; returns how many."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            return conn.execute(
                update(forget)
                .where(forget.c.attempts >= TRIES)
                .values(attempts=0, due_at=utc(now), claimed_until=None)
            ).rowcount

    def status(self) -> dict:
        """What waits, by kind; what keeps failing; what was given up."""
        self.store.ready()
        listed = (forget.c.kind, forget.c.sid, forget.c.attempts, forget.c.last_error)
        with self.store.engine.connect() as conn:
            counts = dict(
                conn.execute(select(forget.c.kind, func.count()).group_by(forget.c.kind)).all()
            )
            failing = conn.execute(
                select(*listed, forget.c.due_at)
                .where(forget.c.attempts > 0, forget.c.attempts < TRIES)
                .order_by(forget.c.attempts.desc())
                .limit(20)
            ).all()
            given_up = conn.execute(
                select(*listed).where(forget.c.attempts >= TRIES).order_by(forget.c.id)
            ).all()
        return {
            "waiting": counts,
            "failing": [dict(row._mapping, due_at=aware(row.due_at)) for row in failing],
            "given_up": [dict(row._mapping) for row in given_up],
        }
