"""The audit log: who did what, when (an operator's name; never a caller's detail)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update

from ivr.store.tables import audit_log
from ivr.store.times import aware, utc


class Audit:
    def __init__(self, store):
        self.store = store

    def add(
        self, conn, *, at: datetime, operator: str, action: str, subject: str, detail=""
    ) -> int:
        """Within the caller's transaction, so that an action and its record go together;
        returns the row's number."""
        return conn.execute(
            insert(audit_log).values(
                at=utc(at),
                operator=operator[:100],
                action=action[:32],
                subject=subject[:100],
                detail=detail[:500],
            )
        ).inserted_primary_key[0]

    def reword(self, conn, entry: int, detail: str) -> None:
        """A row that counts something (refused logins) says its new count."""
        conn.execute(update(audit_log).where(audit_log.c.id == entry).values(detail=detail[:500]))

    def entries(self, subject_prefix: str | None = None, limit: int = 500) -> list[dict]:
        self.store.ready()
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if subject_prefix:
            query = query.where(audit_log.c.subject.startswith(subject_prefix))
        with self.store.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        for row in rows:
            row["at"] = aware(row["at"])
        return rows
