"""What the router keeps at run time, through SQLAlchemy Core: SQLite by default, PostgreSQL
by URL. Shared by every worker.

- Voicemail metadata: what a counsellor needs to listen and call back in the right language,
  and nothing that identifies the caller: no phone number, no CallSid (from which Twilio's API
  would give the number back).
- Overrides: an operator closes or opens a line for a while, without editing YAML; and the
  audit log of who did it, when and why (the operator's name, never a caller's).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
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
    inspect,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from ivr.model import Override
from ivr.settings import Settings

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
    return Settings.from_env().database_url


# A database that accepts connections and never answers must not hold anything for long:
# connecting gives up after a few seconds, a statement after a few more (PostgreSQL), and dead
# connections are noticed by TCP keepalives.
POSTGRES_CONNECT = {
    "connect_timeout": 3,
    "options": "-c statement_timeout=5000 -c lock_timeout=3000",
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 3,
    "keepalives_count": 3,
    "tcp_user_timeout": 10000,
}
SQLITE_CONNECT = {"timeout": 3}


def engine_for(url: str):
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        return create_engine(url, pool_pre_ping=True, connect_args=dict(SQLITE_CONNECT))
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        args = {k: v for k, v in POSTGRES_CONNECT.items() if k not in parsed.query}
        return create_engine(parsed, pool_pre_ping=True, pool_timeout=5, connect_args=args)
    return create_engine(url, pool_pre_ping=True)


class Store:
    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        self.engine = engine_for(self.url)
        self._ready = False
        self._lock = threading.Lock()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(select(1))

    # -- schema, versioned with Alembic (never create_all on a live database) ---------------

    def _alembic(self, connection):
        cfg = Config()
        cfg.set_main_option("script_location", "ivr:migrations")
        cfg.attributes["connection"] = connection
        return cfg

    def migrate(self) -> str:
        """Brings the schema to the newest version (`ivr db upgrade`); returns it."""
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
        tables = set(inspect(conn).get_table_names())
        versioned = MigrationContext.configure(conn).get_current_revision() is not None
        return "voicemails" in tables and not versioned

    def revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head(self) -> str:
        return ScriptDirectory.from_config(self._alembic(None)).get_current_head()

    def _schema(self) -> None:
        if self._ready:
            return
        with self._lock:  # the database thread and a command may both come first
            self._prepare()

    def _prepare(self) -> None:
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
        self.add_call_outcomes([dict(line=line, outcome=outcome, language=language, at=at)])

    def add_call_outcomes(self, outcomes: list[dict]) -> None:
        """Several calls' outcomes at once (each: line, outcome, language, at)."""
        self._schema()
        rows = [
            dict(
                hour=o["at"].astimezone(UTC).replace(minute=0, second=0, microsecond=0),
                line=o["line"],
                outcome=o["outcome"],
                language=o["language"],
            )
            for o in outcomes
        ]
        with self.engine.begin() as conn:
            conn.execute(insert(call_outcomes), rows)

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
