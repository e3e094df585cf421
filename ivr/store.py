"""What the router keeps at run time, through SQLAlchemy Core: SQLite by default, PostgreSQL
by URL. Shared by every worker.

- Voicemail metadata: what a counsellor needs to listen and call back in the right language,
  and nothing that identifies the caller: no phone number, no CallSid (from which Twilio's API
  would give the number back).
- Overrides: an operator closes or opens a line for a while, without editing YAML; and the
  audit log of who did it, when and why (the operator's name, never a caller's).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from ivr.model import Override

DEFAULT_URL = "sqlite:///var/ivr.sqlite3"
DEFAULT_SPOOL = "var/spool"

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


overrides = Table(
    "overrides",
    metadata,
    Column("line", String(64), primary_key=True),
    Column("open", Boolean, nullable=False),
    Column("until", DateTime(timezone=True), nullable=False),
    Column("forward_to", String(32)),
    Column("reason", String(500), nullable=False),
    Column("operator", String(100), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
)
override_log = Table(
    "override_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("line", String(64), nullable=False, index=True),
    Column("action", String(16), nullable=False),  # set, clear
    Column("open", Boolean),
    Column("until", DateTime(timezone=True)),
    Column("forward_to", String(32)),
    Column("reason", String(500), nullable=False),
    Column("operator", String(100), nullable=False),
)


# One row per call that ended, for the annual report: the line, the hour (not the minute), how
# it ended and in which language. Nothing else: no number, no CallSid.
call_outcomes = Table(
    "call_outcomes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("hour", DateTime(timezone=True), nullable=False, index=True),
    Column("line", String(64), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("language", String(8), nullable=False),
)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes; we always store UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


class Store:
    def __init__(self, url: str | None = None):
        url = url or database_url()
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url, pool_pre_ping=True)
        self._ready = False

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(select(1))

    # -- schema, versioned with Alembic (never create_all on a live database) ---------------

    def _alembic(self, connection):
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", "ivr:migrations")
        cfg.attributes["connection"] = connection
        return cfg

    def migrate(self) -> str:
        """Brings the schema to the newest version (`ivr db upgrade`); returns it."""
        from alembic import command

        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Two workers starting at once must not both create the tables.
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(1712)")
            cfg = self._alembic(conn)
            if conn.dialect.name == "sqlite" and self._unversioned(conn):
                # A local file made before the schema was versioned: its tables are those of
                # the first version; complete it, and mark it as being at that version.
                metadata.create_all(conn)
                command.stamp(cfg, "0001")
            command.upgrade(cfg, "head")
        self._ready = True
        return self.revision()

    @staticmethod
    def _unversioned(conn) -> bool:
        from alembic.runtime.migration import MigrationContext
        from sqlalchemy import inspect

        tables = set(inspect(conn).get_table_names())
        versioned = MigrationContext.configure(conn).get_current_revision() is not None
        return "voicemails" in tables and not versioned

    def revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head(self) -> str:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self._alembic(None)).get_current_head()

    def _schema(self) -> None:
        if self._ready:
            return
        current = self.revision()
        if current != self.head():
            if self.engine.dialect.name != "sqlite":
                raise RuntimeError(
                    f"the database schema is at {current or 'nothing'}, not {self.head()}: "
                    "run 'ivr db upgrade' (the Procfile's release step does)"
                )
            # A local SQLite file (make run, the tests): set it up on first use.
            self.migrate()
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
                        received_at=received_at.astimezone(UTC),
                        recording_sid=recording_sid,
                        recording_url=recording_url,
                        duration_seconds=duration_seconds,
                        language=language,
                    )
                )
        except IntegrityError:
            return False
        return True

    # -- messages kept on disk while the database is away ------------------------------------

    @staticmethod
    def spool_dir() -> Path:
        return Path(os.environ.get("IVR_SPOOL_DIR") or DEFAULT_SPOOL)

    def spool_voicemail(self, message: dict) -> bool:
        """Writes one message's metadata to disk (no caller detail is in it); True if kept."""
        import json

        folder = self.spool_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            name = "".join(c for c in message["recording_sid"] if c.isalnum()) or "unnamed"
            tmp = folder / f".{name}.tmp"
            record = dict(message, received_at=message["received_at"].isoformat())
            tmp.write_text(json.dumps(record), encoding="utf-8")
            tmp.replace(folder / f"{name}.json")  # whole or not at all
            return True
        except OSError:
            return False

    def flush_spool(self) -> int:
        """Stores the messages kept on disk; returns how many were new to the database."""
        import json

        folder = self.spool_dir()
        if not folder.is_dir():
            return 0
        stored = 0
        for path in sorted(folder.glob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            record["received_at"] = datetime.fromisoformat(record["received_at"])
            stored += self.add_voicemail(**record)
            path.unlink()
        return stored

    def list_voicemails(self, line: str | None = None) -> list[dict]:
        self._schema()
        query = select(voicemails).order_by(voicemails.c.received_at)
        if line:
            query = query.where(voicemails.c.line == line)
        with self.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        for row in rows:
            row["received_at"] = _aware(row["received_at"])
        return rows

    # -- overrides -------------------------------------------------------------------------

    def set_override(self, override: Override, *, operator: str, now: datetime) -> None:
        self._schema()
        # On the minute, like every other time rule (the router keeps answers per minute).
        until = override.until.astimezone(UTC).replace(second=0, microsecond=0)
        with self.engine.begin() as conn:
            conn.execute(delete(overrides).where(overrides.c.line == override.line))
            conn.execute(
                insert(overrides).values(
                    line=override.line,
                    open=override.open,
                    until=until,
                    forward_to=override.forward_to,
                    reason=override.reason,
                    operator=operator,
                    set_at=now.astimezone(UTC),
                )
            )
            conn.execute(
                insert(override_log).values(
                    at=now.astimezone(UTC),
                    line=override.line,
                    action="set",
                    open=override.open,
                    until=until,
                    forward_to=override.forward_to,
                    reason=override.reason,
                    operator=operator,
                )
            )

    def clear_override(self, line: str, *, operator: str, reason: str, now: datetime) -> bool:
        self._schema()
        with self.engine.begin() as conn:
            removed = conn.execute(delete(overrides).where(overrides.c.line == line)).rowcount
            conn.execute(
                insert(override_log).values(
                    at=now.astimezone(UTC),
                    line=line,
                    action="clear",
                    reason=reason,
                    operator=operator,
                )
            )
        return bool(removed)

    def active_overrides(self, now: datetime) -> dict[str, Override]:
        """The overrides still in force at `now`; expired ones are simply ignored."""
        self._schema()
        with self.engine.connect() as conn:
            rows = conn.execute(select(overrides)).all()
        result = {}
        for row in rows:
            until = _aware(row.until)
            if until > now:
                result[row.line] = Override(
                    row.line, row.open, until, row.forward_to, row.reason, row.operator
                )
        return result

    def override_history(self, line: str | None = None) -> list[dict]:
        self._schema()
        query = select(override_log).order_by(override_log.c.id)
        if line:
            query = query.where(override_log.c.line == line)
        with self.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        for row in rows:
            row["at"], row["until"] = _aware(row["at"]), _aware(row["until"])
        return rows

    # -- anonymous statistics --------------------------------------------------------------

    def add_call_outcome(self, *, line: str, outcome: str, language: str, at: datetime) -> None:
        self._schema()
        hour = at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        with self.engine.begin() as conn:
            conn.execute(
                insert(call_outcomes).values(
                    hour=hour, line=line, outcome=outcome, language=language
                )
            )

    def call_outcomes(self, start: datetime, end: datetime) -> list[dict]:
        """Calls that ended in [start, end), counted by hour, line, outcome and language."""
        self._schema()
        query = (
            select(
                call_outcomes.c.hour,
                call_outcomes.c.line,
                call_outcomes.c.outcome,
                call_outcomes.c.language,
                func.count().label("calls"),
            )
            .where(call_outcomes.c.hour >= start.astimezone(UTC))
            .where(call_outcomes.c.hour < end.astimezone(UTC))
            .group_by(
                call_outcomes.c.hour,
                call_outcomes.c.line,
                call_outcomes.c.outcome,
                call_outcomes.c.language,
            )
            .order_by(call_outcomes.c.hour, call_outcomes.c.line, call_outcomes.c.outcome)
        )
        with self.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        for row in rows:
            row["hour"] = _aware(row["hour"])
        return rows
