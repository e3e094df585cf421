"""Overrides: an operator closes, opens or redirects a line for a while, without editing YAML;
and the audit log of who did it, when and why (the operator's name, never a caller's)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select

from ivr.model import Override
from ivr.store.tables import override_log, overrides
from ivr.store.times import aware, utc


class Overrides:
    def __init__(self, store):
        self.store = store

    def set(self, override: Override, *, operator: str, now: datetime) -> None:
        self.store.ready()
        # On the minute, like every other time rule (the router keeps answers per minute).
        until = utc(override.until).replace(second=0, microsecond=0)
        with self.store.engine.begin() as conn:
            conn.execute(delete(overrides).where(overrides.c.line == override.line))
            conn.execute(
                insert(overrides).values(
                    line=override.line,
                    open=override.open,
                    until=until,
                    forward_to=override.forward_to,
                    reason=override.reason,
                    operator=operator,
                    set_at=utc(now),
                )
            )
            conn.execute(
                insert(override_log).values(
                    at=utc(now),
                    line=override.line,
                    action="set",
                    open=override.open,
                    until=until,
                    forward_to=override.forward_to,
                    reason=override.reason,
                    operator=operator,
                )
            )

    def clear(self, line: str, *, operator: str, reason: str, now: datetime) -> bool:
        self.store.ready()
        with self.store.engine.begin() as conn:
            removed = conn.execute(delete(overrides).where(overrides.c.line == line)).rowcount
            conn.execute(
                insert(override_log).values(
                    at=utc(now), line=line, action="clear", reason=reason, operator=operator
                )
            )
        return bool(removed)

    def active(self, now: datetime) -> dict[str, Override]:
        """The overrides still in force at `now`; expired ones are simply ignored."""
        self.store.ready()
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(overrides)).all()
        result = {}
        for row in rows:
            until = aware(row.until)
            if until > now:
                result[row.line] = Override(
                    row.line, row.open, until, row.forward_to, row.reason, row.operator
                )
        return result

    def history(self, line: str | None = None) -> list[dict]:
        self.store.ready()
        query = select(override_log).order_by(override_log.c.id)
        if line:
            query = query.where(override_log.c.line == line)
        with self.store.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        for row in rows:
            row["at"], row["until"] = aware(row["at"]), aware(row["until"])
        return rows
