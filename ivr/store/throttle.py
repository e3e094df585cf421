"""Attempts counted against a limit, the same count on every worker and instance: the
console's logins (by the name typed, and by the address they come from) and the phone
console's PINs (by coordinator).

A subject's row holds the count of its window, which begins at its first counted attempt and
lasts `window`. An attempt is counted *before* its password is checked, in one transaction that
holds the subject's row (PostgreSQL: the row's lock, SQLite: the database's), so attempts made
at the same moment on several workers are counted each once: never more than the limit is
checked. A right password takes its count back (`forgive`).

An attempt past the limit is refused unchecked and counted too, in the same row: the audit log
gets one row a subject and window, rewritten with each refusal to say how many were refused,
never a row a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, null, update
from sqlalchemy.dialects import postgresql, sqlite

from ivr.store.tables import login_throttle
from ivr.store.times import aware, utc

# A subject's row is of no use once its window is over: rows older than this are deleted as
# new attempts come.
KEPT = timedelta(days=1)
INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class Limit:
    """At most `most` attempts of `subject` counted in a window. A refusal goes in the audit
    log under `who` ("-": nobody we name), with `reason` after the count of refusals."""

    subject: str
    most: int
    who: str
    reason: str


@dataclass(frozen=True)
class Counted:
    """An attempt let through: a failure of each subject's window until forgiven."""

    windows: tuple[tuple[str, datetime], ...]  # each subject and the start of its window
    count: int  # the most any of its subjects has counted, this attempt included


@dataclass(frozen=True)
class Window:
    start: datetime
    failures: int
    refused: int


class Throttle:
    def __init__(self, store):
        self.store = store

    def count(self, limits, window: timedelta, now: datetime, refusal: str) -> Counted | None:
        """Counts an attempt against every limit, atomically: Counted when each subject is
        below its limit; None when one is not (the attempt is refused, and the refusal counted
        and written in the audit log as the action `refusal`)."""
        self.store.ready()
        limits = sorted(limits, key=lambda limit: limit.subject)  # rows held in one order
        with self.store.engine.begin() as conn:
            rows = {
                limit.subject: self._window(conn, limit.subject, window, now) for limit in limits
            }
            over = [limit for limit in limits if rows[limit.subject].failures >= limit.most]
            if over:
                for limit in limits:
                    if limit in over:
                        self._refused(conn, limit, now, refusal)
                    elif rows[limit.subject].failures == rows[limit.subject].refused == 0:
                        # Made by this attempt alone (a new name typed, say): nothing to keep.
                        conn.execute(
                            delete(login_throttle).where(login_throttle.c.subject == limit.subject)
                        )
                return None
            counts = []
            for limit in limits:
                counts.append(
                    conn.execute(
                        update(login_throttle)
                        .where(login_throttle.c.subject == limit.subject)
                        .values(failures=login_throttle.c.failures + 1)
                        .returning(login_throttle.c.failures)
                    ).scalar_one()
                )
            conn.execute(
                delete(login_throttle).where(login_throttle.c.window_start < utc(now - KEPT))
            )
        windows = tuple((limit.subject, rows[limit.subject].start) for limit in limits)
        return Counted(windows, max(counts))

    def forgive(self, counted: Counted) -> None:
        """A right password: its attempt is no failure (unless its window is over already)."""
        with self.store.engine.begin() as conn:
            for subject, start in counted.windows:
                conn.execute(
                    update(login_throttle)
                    .where(
                        login_throttle.c.subject == subject,
                        login_throttle.c.window_start == start,
                        login_throttle.c.failures > 0,
                    )
                    .values(failures=login_throttle.c.failures - 1)
                )

    def failed(self, *, at: datetime, who: str, detail: str) -> None:
        """A wrong password or PIN, counted already: in the audit log."""
        with self.store.engine.begin() as conn:
            self.store.audit.add(
                conn, at=at, operator=who, action="login failed", subject="console", detail=detail
            )

    def counts(self, subject: str) -> tuple[int, int]:
        """The failures and refusals of a subject's current window (0, 0 without one)."""
        self.store.ready()
        query = login_throttle.select().where(login_throttle.c.subject == subject)
        with self.store.engine.connect() as conn:
            row = conn.execute(query).first()
        return (row.failures, row.refused) if row else (0, 0)

    def _window(self, conn, subject: str, window: timedelta, now: datetime):
        """The subject's row, made or begun afresh if its window is over, and held until the
        transaction ends."""
        table = login_throttle
        over = table.c.window_start <= utc(now - window)
        statement = INSERTS[conn.dialect.name](table).values(
            subject=subject, window_start=utc(now), failures=0, refused=0, audit_id=None
        )
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.subject],
            set_={
                # Every expression reads the row as it was before this statement.
                "window_start": case(
                    (over, literal(utc(now), table.c.window_start.type)), else_=table.c.window_start
                ),
                "failures": case((over, 0), else_=table.c.failures),
                "refused": case((over, 0), else_=table.c.refused),
                "audit_id": case((over, null()), else_=table.c.audit_id),
            },
        ).returning(table.c.window_start, table.c.failures, table.c.refused, table.c.audit_id)
        row = conn.execute(statement).one()
        return Window(aware(row.window_start), row.failures, row.refused)

    def _refused(self, conn, limit: Limit, now: datetime, action: str) -> None:
        table = login_throttle
        refused, audit_id = conn.execute(
            update(table)
            .where(table.c.subject == limit.subject)
            .values(refused=table.c.refused + 1)
            .returning(table.c.refused, table.c.audit_id)
        ).one()
        detail = f"{refused} refused: {limit.reason}"
        if audit_id is None:
            audit_id = self.store.audit.add(
                conn, at=now, operator=limit.who, action=action, subject="console", detail=detail
            )
            conn.execute(
                update(table).where(table.c.subject == limit.subject).values(audit_id=audit_id)
            )
        else:
            self.store.audit.reword(conn, audit_id, detail)
