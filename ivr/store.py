"""Voicemail metadata, through SQLAlchemy Core: SQLite by default, PostgreSQL by URL.

A row holds what a counsellor needs to listen and call back in the right language, and nothing
that identifies the caller: no phone number, no CallSid (from which Twilio's API would give
the number back).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

DEFAULT_URL = "sqlite:///var/ivr.sqlite3"

metadata = MetaData()
voicemails = Table(
    "voicemails",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("line", String(64), nullable=False, index=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("recording_sid", String(64), nullable=False, unique=True),
    Column("recording_url", String(512), nullable=False),
    Column("duration_seconds", Integer, nullable=False),
    Column("language", String(8), nullable=False),
)


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


class Store:
    def __init__(self, url: str | None = None):
        url = url or database_url()
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url, pool_pre_ping=True)
        self._ready = False

    def _schema(self) -> None:
        if not self._ready:
            metadata.create_all(self.engine)
            self._ready = True

    def add_voicemail(
        self,
        *,
        line: str,
        received_at: datetime,
        recording_sid: str,
        recording_url: str,
        duration_seconds: int,
        language: str,
    ) -> bool:
        """Stores one message; False when Twilio sent the same recording again."""
        self._schema()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(voicemails).values(
                        line=line,
                        received_at=received_at,
                        recording_sid=recording_sid,
                        recording_url=recording_url,
                        duration_seconds=duration_seconds,
                        language=language,
                    )
                )
        except IntegrityError:
            return False
        return True

    def list_voicemails(self, line: str | None = None) -> list[dict]:
        self._schema()
        query = select(voicemails).order_by(voicemails.c.received_at)
        if line:
            query = query.where(voicemails.c.line == line)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]
