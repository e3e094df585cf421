"""The console's sessions, on the server: a session is a row, from the login until the logout,
the account's disabling or new password, or its expiry; a browser's cookie only names it (by a
random token, of which the row keeps the SHA-256). A copy of the cookie dies with the row.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, or_, select, update

from ivr.store.tables import console_sessions, operators
from ivr.store.times import aware, utc

# A session's token: 256 random bits (what the cookie names the session by).
TOKEN_BYTES = 32
LONGEST_TOKEN = 64


def hashed(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Sessions:
    def __init__(self, store):
        self.store = store

    def start(self, operator_id: int, now: datetime, *, lasting: timedelta, idle: timedelta) -> str:
        """A new session of the account; its token. Sessions over (anyone's: `lasting` since
        their start or `idle` since their last click) are deleted meanwhile."""
        self.store.ready()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self.store.engine.begin() as conn:
            conn.execute(
                delete(console_sessions).where(
                    or_(
                        console_sessions.c.started_at < utc(now - lasting),
                        console_sessions.c.seen_at < utc(now - idle),
                    )
                )
            )
            conn.execute(
                insert(console_sessions).values(
                    token_hash=hashed(token),
                    operator_id=operator_id,
                    started_at=utc(now),
                    seen_at=utc(now),
                )
            )
        return token

    def find(self, token: str) -> dict | None:
        """The active account a session belongs to, with the session's `started_at` and
        `seen_at`; None when there is no such session (ended, or never was)."""
        if not token or len(token) > LONGEST_TOKEN:
            return None
        self.store.ready()
        query = (
            select(operators, console_sessions.c.started_at, console_sessions.c.seen_at)
            .join(console_sessions, console_sessions.c.operator_id == operators.c.id)
            .where(console_sessions.c.token_hash == hashed(token), operators.c.active.is_(True))
        )
        with self.store.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        found = dict(row._mapping)
        for key in ("created_at", "disabled_at", "started_at", "seen_at"):
            found[key] = aware(found[key])
        return found

    def seen(self, token: str, now: datetime) -> None:
        """A click: the session's idle time starts again."""
        with self.store.engine.begin() as conn:
            conn.execute(
                update(console_sessions)
                .where(console_sessions.c.token_hash == hashed(token))
                .values(seen_at=utc(now))
            )

    def end(self, token: str) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(
                delete(console_sessions).where(console_sessions.c.token_hash == hashed(token))
            )

    @staticmethod
    def end_all(conn, operator_id) -> int:
        """Within the caller's transaction (an account disabled, a new password): every
        session of the account ends; how many there were."""
        return conn.execute(
            delete(console_sessions).where(console_sessions.c.operator_id == operator_id)
        ).rowcount

    def of(self, operator_id: int) -> int:
        """How many sessions the account has open."""
        self.store.ready()
        query = select(console_sessions.c.token_hash).where(
            console_sessions.c.operator_id == operator_id
        )
        with self.store.engine.connect() as conn:
            return len(conn.execute(query).all())
