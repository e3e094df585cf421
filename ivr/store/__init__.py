"""What the router keeps, through SQLAlchemy Core: SQLite by default, PostgreSQL by URL,
shared by every worker and instance. `Store` is the database; its parts are the messages,
the overrides, the anonymous statistics, the records to forget at Twilio, the audit log, and
the console's accounts, sessions and throttle, and the counsellors on duty."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from ivr.settings import Settings
from ivr.store.audit import Audit
from ivr.store.duty import Duty
from ivr.store.forget import Forget
from ivr.store.grants import Grants
from ivr.store.mail import Mail
from ivr.store.messages import Messages
from ivr.store.operators import Operators
from ivr.store.outcomes import Outcomes
from ivr.store.overrides import Overrides
from ivr.store.recordings import Recordings
from ivr.store.sessions import Sessions
from ivr.store.tables import call_outcomes, first_version_tables, metadata
from ivr.store.throttle import Throttle

__all__ = ["Store", "call_outcomes", "database_url", "engine_for", "metadata"]


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
# Alembic runs its migration scripts through module-wide state: one migration at a time in a
# process, whichever Store asks (the database thread and a command may both come first).
MIGRATING = threading.RLock()


def engine_for(url: str, pooled: bool = True):
    """The engine of a database URL. Not `pooled`, a PostgreSQL engine connects anew for each
    use: every wait on a server that hangs is then bounded by connect_timeout."""
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
        if not pooled:
            return create_engine(parsed, poolclass=NullPool, connect_args=args)
        return create_engine(parsed, pool_pre_ping=True, pool_timeout=5, connect_args=args)
    return create_engine(url, pool_pre_ping=True)


class Store:
    def __init__(self, url: str | None = None, *, pooled: bool = True):
        self.url = url or database_url()
        self.engine = engine_for(self.url, pooled)
        self._ready = False
        self.messages = Messages(self)
        self.recordings = Recordings(self)
        self.overrides = Overrides(self)
        self.outcomes = Outcomes(self)
        self.forget = Forget(self)
        self.mail = Mail(self)
        self.audit = Audit(self)
        self.operators = Operators(self)
        self.grants = Grants(self)
        self.sessions = Sessions(self)
        self.throttle = Throttle(self)
        self.duty = Duty(self)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(select(1))

    # -- schema, versioned with Alembic (never create_all on a live database) ---------------

    def _alembic(self, connection) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", "ivr.store:migrations")
        cfg.attributes["connection"] = connection
        return cfg

    def migrate(self) -> str:
        """Brings the schema to the newest version (`ivr db upgrade`); returns it."""
        with MIGRATING, self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Two workers starting at once must not both create the tables.
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(1712)")
            cfg = self._alembic(conn)
            if conn.dialect.name == "sqlite" and self._unversioned(conn):
                # A local file made before the schema was versioned: its tables are those of
                # the first version; complete it, and mark it as being at that version.
                first_version_tables().create_all(conn)
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

    def ready(self) -> None:
        """Before any use: the schema must be the newest (a local SQLite file is set up on
        first use, for trials; a PostgreSQL database only by `ivr db upgrade`)."""
        if self._ready:
            return
        with MIGRATING:
            if self._ready:
                return
            current = self.revision()
            if current != self.head():
                if self.engine.dialect.name != "sqlite":
                    raise RuntimeError(
                        f"the database schema is at {current or 'nothing'}, not {self.head()}: "
                        "run 'ivr db upgrade' (the Procfile's release step does)"
                    )
                self.migrate()
            self._ready = True
