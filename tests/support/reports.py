"""A week of calls and messages written through the store, as the webhooks write them: several
hundred calls, every outcome, every line, a few hours with only a call or two."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

LINES = ("1712", "ecoute-violences-conjugales", "stop-it-now", "orientation")
OUTCOMES = (
    ("connected", 50),
    ("voicemail", 14),
    ("voicemail not kept", 1),
    ("referred", 20),
    ("hung up waiting", 8),
    ("transfer failed", 3),
    ("ended after message", 4),
)


def a_week_of_calls(
    store, monday_utc: datetime, calls: int = 600, seed: int = 23, organisation_of=None
) -> list[dict]:
    """`calls` calls over the 7 days from `monday_utc` (mostly in the day, a few at night),
    each with its line's organisation (`organisation_of(line)`, as the webhooks record it;
    without it, none recorded); returns what was written."""
    rng = random.Random(seed)
    names, weights = zip(*OUTCOMES, strict=True)
    rows = []
    for _ in range(calls):
        day = rng.randrange(7)
        hour = rng.choice(range(7, 20)) if rng.random() < 0.95 else rng.randrange(24)
        at = monday_utc + timedelta(days=day, hours=hour, minutes=rng.randrange(60))
        line = rng.choice(LINES)
        rows.append(
            dict(
                line=line,
                outcome=rng.choices(names, weights)[0],
                language=rng.choice(("fr", "nl", "en")),
                at=at,
                organisation=organisation_of(line) if organisation_of else None,
            )
        )
    store.outcomes.add(rows)
    return rows


def messages(
    store, start_utc: datetime, count: int = 30, seed: int = 5, organisation: str | None = None
) -> list[int]:
    """`count` messages on 1712 from `start_utc`, one an hour and a half, of `organisation`
    (1712's own when not given); returns their ids."""
    ids = []
    for n in range(count):
        at = start_utc + timedelta(minutes=90 * n)
        sid = f"RE{seed:04d}{n:028d}"
        store.messages.add(
            line="1712",
            received_at=at,
            recording_sid=sid,
            recording_url=f"https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/{sid}",
            duration_seconds=30,
            language="fr",
            organisation=organisation,
        )
        ids.append(next(m["id"] for m in store.messages.list() if m["recording_sid"] == sid))
    return ids


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
