"""Storage on SQLite and, when a server is there (IVR_TEST_POSTGRES_URL, set by .ci/run), on
PostgreSQL: the same tests, the same code, another URL."""

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy
from support.helpers import CALLER, CONFIG, LINE_1712, Call, brussels

from ivr.app import create_app
from ivr.domain.model import Override
from ivr.store import Store
from ivr.store.overrides import OverrideOverlap
from ivr.store.times import utc


def test_migrations_bring_an_empty_database_to_the_newest_schema(database):
    store = Store(database)
    assert store.revision() is None
    assert store.migrate() == store.head()
    assert store.migrate() == store.head()  # running it again changes nothing
    tables = set(sqlalchemy.inspect(store.engine).get_table_names())
    assert {"voicemails", "overrides", "override_log", "call_outcomes"} <= tables
    assert {"forget", "audit_log", "operators", "login_throttle", "console_sessions"} <= tables


# SQLite files are set up on first use, for local trials: on PostgreSQL only (not a skip that
# `make test` would list at every run as if something were missing).
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_postgresql_is_never_set_up_behind_the_operators_back(database):
    with pytest.raises(RuntimeError, match="ivr db upgrade"):
        Store(database).messages.list()


def test_voicemails_are_stored_once(database):
    store = Store(database)
    store.migrate()
    at = brussels("2026-11-24 20:15")
    for _ in range(2):
        store.messages.add(
            line="1712",
            received_at=at,
            recording_sid="RE1",
            recording_url="https://x/RE1",
            duration_seconds=12,
            language="nl",
        )
    rows = store.messages.list()
    assert len(rows) == 1 and rows[0]["language"] == "nl"
    assert rows[0]["received_at"].replace(tzinfo=None) in (
        at.replace(tzinfo=None),
        at.astimezone(brussels("2026-01-01 00:00").tzinfo).replace(tzinfo=None)
        - timedelta(hours=1),
    )


def test_overrides_expire_and_are_logged(database):
    store = Store(database)
    store.migrate()
    now = brussels("2026-11-24 09:00")
    store.overrides.set(
        Override("1712", False, now + timedelta(hours=3), None, "ziek"), operator="an", now=now
    )
    assert store.overrides.active(now + timedelta(hours=2))["1712"].reason == "ziek"
    assert store.overrides.active(now + timedelta(hours=3)) == {}
    # Two of one line are never in force at once: the second is planned after the first.
    later = Override("1712", True, now + timedelta(hours=5), "+3247011", "x")
    with pytest.raises(OverrideOverlap):
        store.overrides.set(later, operator="bo", now=now)
    later = replace(later, starts_at=now + timedelta(hours=3))
    later = store.overrides.set(later, operator="bo", now=now)
    assert store.overrides.active(now + timedelta(hours=3))["1712"].forward_to == "+3247011"
    assert [o.reason for o in store.overrides.in_force_or_planned(now)] == ["ziek", "x"]
    assert store.overrides.clear("1712", operator="bo", reason="klaar", now=now)
    assert store.overrides.clear("1712", operator="bo", reason="weg", now=now, number=later.id)
    assert store.overrides.in_force_or_planned(now) == []
    assert [(r["action"], r["reason"]) for r in store.overrides.history("1712")] == [
        ("set", "ziek"),
        ("set", "x"),
        ("clear", "klaar"),
        ("clear", "weg"),
    ]


def test_an_override_from_before_planned_overrides_is_kept_by_the_migration(database):
    """Version 0003 gives overrides a number and a start: one set before it starts when it
    was set; going back to 0002 keeps one a line."""
    from alembic import command

    store = Store(database)
    set_at = brussels("2026-11-24 09:00")
    old = sqlalchemy.table(
        "overrides",
        *(sqlalchemy.column(name) for name in ("line", "open", "forward_to", "reason", "operator")),
        *(
            sqlalchemy.column(name, sqlalchemy.DateTime(timezone=True))
            for name in ("until", "set_at")
        ),
    )
    with store.engine.begin() as conn:
        command.upgrade(store._alembic(conn), "0002")
        conn.execute(
            sqlalchemy.insert(old).values(
                line="1712",
                open=False,
                until=utc(set_at + timedelta(hours=8)),  # in UTC, as the store writes them
                forward_to="106",
                reason="ziek",
                operator="an",
                set_at=utc(set_at),
            )
        )
    assert store.migrate() == store.head()  # 0003, and the versions after it
    (kept,) = store.overrides.in_force_or_planned(set_at)
    assert (kept.id, kept.starts_at, kept.forward_to, kept.reason) == (1, set_at, "106", "ziek")
    store.overrides.set(
        Override(
            "1712",
            True,
            set_at + timedelta(hours=10),
            "tele-onthaal",
            "x",
            starts_at=set_at + timedelta(hours=8),
        ),
        operator="bo",
        now=set_at,
    )
    with store.engine.begin() as conn:
        command.downgrade(store._alembic(conn), "0002")
        rows = conn.execute(sqlalchemy.select(old.c.line, old.c.reason)).all()
    assert [tuple(row) for row in rows] == [("1712", "x")]  # the one that ends last
    assert Store(database).migrate() == Store(database).head()


def test_call_outcomes_are_counted_by_hour(database):
    store = Store(database)
    store.migrate()
    store.outcomes.add(
        [
            dict(line="1712", outcome="voicemail", language="fr", at=brussels(at))
            for at in ("2026-11-24 20:01", "2026-11-24 20:20", "2026-11-24 20:59")
        ]
    )
    store.outcomes.add(
        [dict(line="1712", outcome="voicemail", language="fr", at=brussels("2026-11-24 21:00"))]
    )
    rows = store.outcomes.report(brussels("2026-11-24 00:00"), brussels("2026-11-25 00:00"))
    assert [(r["hour"], r["calls"]) for r in rows] == [
        (brussels("2026-11-24 20:00"), 3),
        (brussels("2026-11-24 21:00"), 1),
    ]


def test_a_whole_call_with_a_message_on_this_database(database, clock):
    Store(database).migrate()
    clock.now = brussels("2026-11-24 20:00")
    app = create_app(CONFIG, clock=clock)
    c = Call(app, LINE_1712)
    c.start()
    c.press("2")
    c.press("2")
    c.leave_message(seconds=31, sid="REpg")
    rows = Store(database).messages.list()
    assert [(r["line"], r["language"], r["duration_seconds"]) for r in rows] == [("1712", "fr", 31)]
    assert CALLER not in str(rows)


def test_a_local_file_from_before_the_versioned_schema_is_adopted(tmp_path):
    url = f"sqlite:///{tmp_path}/old.sqlite3"
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE voicemails (id INTEGER PRIMARY KEY, line VARCHAR(64) NOT NULL, "
            "received_at DATETIME NOT NULL, recording_sid VARCHAR(64) NOT NULL UNIQUE, "
            "recording_url VARCHAR(512) NOT NULL, duration_seconds INTEGER NOT NULL, "
            "language VARCHAR(8) NOT NULL)"
        )
        # An empty version table, as a failed first upgrade can leave behind on SQLite.
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.exec_driver_sql(
            "INSERT INTO voicemails VALUES "
            "(1, '1712', '2026-11-20 10:00:00', 'REold', 'u', 3, 'nl')"
        )
    store = Store(url)
    assert store.messages.list()[0]["recording_sid"] == "REold"  # kept, not lost
    assert store.revision() == store.head()
    assert store.overrides.active(brussels("2026-11-24 10:00")) == {}  # tables completed


def test_attempts_are_counted_by_name_and_by_address_within_their_window(database):
    from ivr.store.throttle import Limit

    store = Store(database)
    store.migrate()
    at = brussels("2026-11-24 20:15")
    store.operators.add("ana", "coordinator", "scrypt:hash", language="fr", by="test", at=at)
    minute = timedelta(minutes=1)

    def attempt(name, address, seconds):
        limits = (Limit(f"name:{name}", 3, name, "for the name"), Limit(address, 4, "-", "from"))
        return store.throttle.count(limits, minute, at + timedelta(seconds=seconds), "throttled")

    assert attempt("ana", "192.0.2.1", 0).count == 1
    assert attempt("ana", "192.0.2.1", 1).count == 2
    right = attempt("ana", "192.0.2.2", 2)
    assert right.count == 3
    store.throttle.forgive(right)  # the right password: no failure
    assert store.throttle.counts("name:ana") == (2, 0)
    assert attempt("bert", "192.0.2.1", 3).count == 3  # the address's third
    assert attempt("ana", "192.0.2.9", 4).count == 3
    assert attempt("ana", "192.0.2.9", 5) is None  # the name's fourth: refused
    assert attempt("ana", "192.0.2.9", 6) is None
    assert attempt("carl", "192.0.2.1", 7).count == 4  # the address's fourth
    assert attempt("dirk", "192.0.2.1", 8) is None  # its fifth: refused, and no row for dirk
    assert store.throttle.counts("name:ana") == (3, 2)
    assert store.throttle.counts("192.0.2.1") == (4, 1)
    assert store.throttle.counts("name:dirk") == (0, 0)
    (address, ana) = [
        e for e in store.audit.entries() if e["action"] == "throttled"
    ]  # newest first
    assert (address["operator"], address["detail"]) == ("-", "1 refused: from")
    assert (ana["operator"], ana["detail"]) == ("ana", "2 refused: for the name")
    assert attempt("ana", "192.0.2.7", 60).count == 1  # a minute after its window began
    assert store.throttle.counts("name:ana") == (1, 0)
    assert store.operators.get(name="ana")["role"] == "coordinator"
    store.operators.disable("ana", by="test", at=at)
    assert store.operators.get(name="ana") is None
