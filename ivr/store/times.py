"""Times as the database keeps them: UTC, and aware again when read back (SQLite forgets)."""

from __future__ import annotations

from datetime import UTC, datetime


def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)
