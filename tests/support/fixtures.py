"""The tests' fixtures (tests/conftest.py makes them pytest's). An app is built from a
`Settings` made here, not from the environment; `environment` still sets the same values in
the process's environment for the tests of reading it and for the commands (`ivr ...`) that
read it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy

from ivr.app import create_app
from ivr.settings import Settings
from ivr.twilio.standin import TwilioStandIn
from support import loopback
from support.helpers import (
    ACCOUNT_SID,
    API_KEY,
    API_SECRET,
    CONFIG,
    CONSOLE_SECRET,
    FORMER_TABLES,
    MESSAGE_KEY,
    OPS_TOKEN,
    POSTGRES,
    PROMPTS,
    TOKEN,
    Call,
    Clock,
    brussels,
    service_of,
)


@pytest.fixture
def settings(tmp_path) -> Settings:
    """What a test's app is started with: this test's token, database, spool and prompts; no
    threads on timers (an app of an earlier test would go on working into the next ones)."""
    return Settings(
        auth_token=TOKEN,
        database_url=f"sqlite:///{tmp_path}/ivr.sqlite3",
        config_dir=CONFIG,
        prompts_dir=PROMPTS,
        spool_dir=tmp_path / "spool",
        refresh_seconds=0,
        reload_seconds=0,
        twilio_seconds=0,
        queue_seconds=0,
        ops_token=OPS_TOKEN,
    )


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/ivr.sqlite3")
    monkeypatch.setenv("IVR_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.setenv("IVR_PROMPTS_DIR", str(PROMPTS))
    monkeypatch.delenv("IVR_PUBLIC_URL", raising=False)
    monkeypatch.delenv("IVR_INSECURE", raising=False)
    monkeypatch.delenv("IVR_SECRET", raising=False)
    monkeypatch.setenv("IVR_REFRESH_SECONDS", "0")
    monkeypatch.setenv("IVR_RELOAD_SECONDS", "0")
    # The Twilio thread too runs only when asked: on a timer, an app of an earlier test would
    # go on working (and logging) into the tests that follow.
    monkeypatch.setenv("IVR_TWILIO_SECONDS", "0")
    monkeypatch.setenv("IVR_OPS_TOKEN", OPS_TOKEN)


@pytest.fixture
def config_copy(tmp_path) -> Path:
    """A copy of the shipped configuration that a test may break."""
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    shutil.copytree(PROMPTS, tmp_path / "prompts")
    return target


@pytest.fixture
def service(app):
    return service_of(app)


@pytest.fixture
def store(service):
    """The app's database."""
    return service.store


@pytest.fixture
def clock() -> Clock:
    return Clock(brussels("2026-11-24 10:00"))


@pytest.fixture
def app(settings, clock):
    return create_app(settings=settings, clock=clock)


@pytest.fixture
def call(app, clock):
    """call(number, at='2026-12-24 18:30') -> a started Call."""

    def start(to: str, at: str | None = None, lang: str | None = "fr", **kwargs) -> Call:
        """With `lang`, the caller answers the language choice of a line that asks."""
        if at:
            clock.now = brussels(at)
        c = Call(app, to, **kwargs)
        c.start()
        line = service_of(app).config.line_by_number.get(to)
        if lang and line and len(line.languages) > 1:
            c.press(str(line.languages.index(lang) + 1))
        return c

    return start


@pytest.fixture
def web(tmp_path):
    """web(front=False, workers=2, **env): a real server on loopback under the Procfile's
    settings (with `front`, the whole web process: nginx and gunicorn), with this test's
    token, configuration and database (tmp_path/shared.sqlite3); stopped at the end."""
    started: list[loopback.Server] = []

    def start(front: bool = False, workers: int = 2, cwd=loopback.ROOT, **env) -> loopback.Server:
        n = len(started)
        environment = {
            "TWILIO_AUTH_TOKEN": TOKEN,
            "IVR_CONFIG_DIR": str(CONFIG),
            "DATABASE_URL": f"sqlite:///{tmp_path}/shared.sqlite3",
            "IVR_SPOOL_DIR": str(tmp_path / "spool"),
            "IVR_REFRESH_SECONDS": "1",
            "IVR_RELOAD_SECONDS": "1",
            "IVR_TWILIO_SECONDS": "30",  # as in production: a server's threads are its own
            "IVR_OPS_TOKEN": OPS_TOKEN,
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / f"metrics-{n}"),
            **env,
        }
        server = loopback.start(
            environment, front=front, workers=workers, log=tmp_path / f"server-{n}.log", cwd=cwd
        )
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, monkeypatch, tmp_path):
    """The URL of an empty database, SQLite or the PostgreSQL server of IVR_TEST_POSTGRES_URL
    (skipped without it), in DATABASE_URL."""
    from ivr.store import metadata

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/store.sqlite3"
    else:
        if not POSTGRES:
            pytest.skip("no PostgreSQL server: set IVR_TEST_POSTGRES_URL (.ci/run does)")
        url = POSTGRES
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        if worker:
            # Tests run side by side (pytest -n): each process its own schema of the database.
            with sqlalchemy.create_engine(url).begin() as conn:
                conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {worker}")
            url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{worker}"
        engine = sqlalchemy.create_engine(url)
        with engine.begin() as conn:
            # Every table of the schema (version 0002's too, which this list once missed).
            for table in (*metadata.tables, *FORMER_TABLES, "alembic_version"):
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
        engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def postgres():
    """A PostgreSQL server of the test's own, started; skipped where there is none."""
    # Outside pytest's own folder, which the postgres user may not enter.
    folder = Path(tempfile.mkdtemp(prefix="ivr-pg-"))
    try:
        server = loopback.PostgresServer(folder)
        server.start()
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"cannot run a PostgreSQL server here: {exc}")
    yield server
    server.thaw()  # a test that froze it and failed: it must be able to stop
    if server.running:
        try:
            server.stop()
        except subprocess.CalledProcessError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def full_spool(tmp_path):
    """The app's spool folder (tmp_path/spool) on a disk with no room left, as a full disk
    is: a tmpfs of one page, filled, where a file can be made but not written. Needs root (to
    mount it); skipped where there is none. Unmounted at the end."""
    folder = tmp_path / "spool"
    folder.mkdir(exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tiny tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        try:
            with open(folder / "filler", "wb") as out:
                while True:
                    out.write(b"\0" * 4096)
                    out.flush()
        except OSError:
            pass  # full
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


@pytest.fixture
def twilio():
    """A stand-in for Twilio's REST API on loopback (ivr/twilio/standin.py)."""
    standin = TwilioStandIn(ACCOUNT_SID, API_KEY, API_SECRET)
    yield standin
    standin.close()


@pytest.fixture
def rest_settings(settings, twilio, monkeypatch) -> Settings:
    """The settings of a service that uses Twilio's REST API (the stand-in's). The commands a
    test runs (`ivr voicemails`, `ivr privacy`) read theirs from the environment, as on a
    server: it says the same."""
    for name, value in {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_API_KEY": API_KEY,
        "TWILIO_API_SECRET": API_SECRET,
        "TWILIO_API_BASE": twilio.base,
        "IVR_MESSAGE_KEYS": MESSAGE_KEY,
    }.items():
        monkeypatch.setenv(name, value)
    return replace(
        settings,
        twilio_account_sid=ACCOUNT_SID,
        twilio_api_key=API_KEY,
        twilio_api_secret=API_SECRET,
        twilio_api_base=twilio.base,
        message_keys=(MESSAGE_KEY,),
    )


@pytest.fixture
def private_app(rest_settings, clock):
    """The app, with Twilio's REST API (the stand-in's) and a key for messages."""
    return create_app(settings=rest_settings, clock=clock)


@pytest.fixture
def console_settings(settings) -> Settings:
    """The settings of an app with its console: a secret set, and a key for messages."""
    return replace(settings, console_secret=CONSOLE_SECRET, message_keys=(MESSAGE_KEY,))


@pytest.fixture
def console(console_settings, clock):
    """The app with its console; `console.test_client()` is a browser on it."""
    return create_app(settings=console_settings, clock=clock)
