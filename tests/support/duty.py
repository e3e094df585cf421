"""For the duty tests: counsellors' shifts on the store's duty (`store.duty`, ivr/store/duty.py),
and their state set as the queue leaves it (busy on a call, not ready after one)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from ivr.store.duty import BUSY
from ivr.store.tables import duty_shifts
from ivr.store.times import utc


def duty_of(store):
    return store.duty


def set_state(store, name: str, state: str, now: datetime, ready_at=None) -> None:
    """`name`'s shift in progress is `state` now ("busy" on a call, "not ready" until
    `ready_at`), written as the queue's offers write it."""
    values = {}
    if state == "busy":
        values = dict(
            call_state=BUSY, call_queue="1712-fr", offer_until=utc(now + timedelta(hours=1))
        )
    elif state == "not ready":
        values = dict(not_ready_until=utc(ready_at or now + timedelta(minutes=1)))
    with store.engine.begin() as conn:
        conn.execute(
            update(duty_shifts)
            .where(duty_shifts.c.name == name, duty_shifts.c.ended_at.is_(None))
            .values(**values)
        )
