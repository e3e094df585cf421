"""Overrides: an operator closes, opens or redirects a line for a while, now or planned for
later, without editing YAML; and the audit log of who did it, when and why (the operator's name,
never a caller's).

Several overrides of a line may be set, one after the other; two of one line are never in force
at the same instant (`set` refuses the second). Each has a number (`Override.id`), by which it is
cleared. Times are kept on the minute, like every other time rule (the router keeps its answers
per minute: `ivr.domain.schedule.minute`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from ivr.domain.model import Override
from ivr.store.tables import override_log, overrides
from ivr.store.times import aware, utc

# PostgreSQL: one override set at a time, so that two operators cannot both set overlapping
# ones (each would not see the other's before it is committed).
SETTING_LOCK = 1713


class OverrideOverlap(ValueError):
    """A new override would be in force at the same time as `existing`, of the same line."""

    def __init__(self, existing: Override):
        super().__init__(f"it overlaps override #{existing.id}")
        self.existing = existing


def on_the_minute(at: datetime) -> datetime:
    return utc(at).replace(second=0, microsecond=0)


class Overrides:
    def __init__(self, store):
        self.store = store

    def set(self, override: Override, *, operator: str, now: datetime) -> Override:
        """Stores `override` (its `id` is ignored) and logs it; returns it as stored, with its
        id, its start (`starts_at`, or `now` when it has none) and its times on the minute.
        Raises OverrideOverlap when another override of the line would be in force at some
        same instant; that one must be cleared first (`clear`). A start before `now` is taken
        as `now`; ValueError if it does not end after it starts."""
        self.store.ready()
        starts_at = on_the_minute(max(override.starts_at or now, now))
        if on_the_minute(override.until) <= starts_at:
            raise ValueError("an override must end after it starts")
        new = Override(
            override.line,
            override.open,
            on_the_minute(override.until),
            override.forward_to,
            override.reason,
            operator,
            starts_at,
        )
        with self.store.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SETTING_LOCK})")
            for existing in self._rows(conn, overrides.c.line == new.line, ends_after=now):
                if existing.overlaps(new):
                    raise OverrideOverlap(existing)
            values = dict(
                line=new.line,
                open=new.open,
                starts_at=new.starts_at,
                until=new.until,
                forward_to=new.forward_to,
                reason=new.reason,
                operator=operator,
            )
            added = conn.execute(insert(overrides).values(**values, set_at=utc(now)))
            new = replace(new, id=added.inserted_primary_key[0])
            self._log(conn, "set", new, operator=operator, reason=new.reason, now=now)
        return new

    def clear(
        self,
        line: str,
        *,
        operator: str,
        reason: str,
        now: datetime,
        number: int | None = None,
    ) -> Override | None:
        """Ends an override of `line` and logs it: override `number`, or without one, the one
        in force at `now`. One in force ends now (it stays in the week's record); a planned
        one is taken away. Returns the override as it was, or None when there was none (an
        ended one, or one of another line, is not cleared)."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            if number is not None:
                found = self._rows(conn, overrides.c.id == number, ends_after=now)
                found = [o for o in found if o.line == line]
            else:
                found = self._rows(conn, overrides.c.line == line, ends_after=now)
                found = [o for o in found if o.in_force(now)]
            if not found:
                return None
            cleared = found[0]
            end, row = on_the_minute(now), overrides.c.id == cleared.id
            if cleared.starts_at < end:
                conn.execute(update(overrides).where(row).values(until=end))
            else:
                conn.execute(delete(overrides).where(row))
            self._log(conn, "clear", cleared, operator=operator, reason=reason, now=now)
        return cleared

    def active(self, now: datetime) -> dict[str, Override]:
        """The override in force at `now` for each line that has one."""
        return {o.line: o for o in self.in_force_or_planned(now) if o.in_force(now)}

    def in_force_or_planned(self, now: datetime) -> list[Override]:
        """The overrides not over at `now`: those in force and those planned, by line and
        start. What the router needs to follow them minute by minute (`CallFlow`)."""
        self.store.ready()
        with self.store.engine.connect() as conn:
            return self._rows(conn, ends_after=now)

    def during(self, start: datetime, end: datetime) -> list[Override]:
        """The overrides in force at some time of [start, end) (ended ones too, cleared ones
        until they were cleared), by line and start: what a week's page shows."""
        self.store.ready()
        with self.store.engine.connect() as conn:
            return self._rows(conn, overrides.c.starts_at < utc(end), ends_after=start)

    def history(self, line: str | None = None) -> list[dict]:
        """The audit log, oldest first: `at`, `line`, `action` (set, clear), `override_id`,
        and what was set or cleared (`open`, `starts_at`, `until`, `forward_to`), `operator`
        and `reason`. Entries from before overrides had numbers have no id nor start."""
        self.store.ready()
        query = select(override_log).order_by(override_log.c.id)
        if line:
            query = query.where(override_log.c.line == line)
        with self.store.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        for row in rows:
            for key in ("at", "until", "starts_at"):
                row[key] = aware(row[key])
        return rows

    # -- inside -----------------------------------------------------------------------------

    @staticmethod
    def _rows(conn, *where, ends_after: datetime) -> list[Override]:
        query = (
            select(overrides)
            .where(overrides.c.until > utc(ends_after), *where)
            .order_by(overrides.c.line, overrides.c.starts_at)
        )
        return [
            Override(
                row.line,
                row.open,
                aware(row.until),
                row.forward_to,
                row.reason,
                row.operator,
                aware(row.starts_at),
                row.id,
            )
            for row in conn.execute(query)
        ]

    @staticmethod
    def _log(conn, action: str, o: Override, *, operator: str, reason: str, now: datetime):
        conn.execute(
            insert(override_log).values(
                at=utc(now),
                line=o.line,
                action=action,
                override_id=o.id,
                open=o.open,
                starts_at=o.starts_at,
                until=o.until,
                forward_to=o.forward_to,
                reason=reason,
                operator=operator,
            )
        )
