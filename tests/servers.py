"""Real servers on loopback for the tests that need them: gunicorn on a free port."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from conftest import CONFIG, OPS_TOKEN, ROOT, TOKEN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(tmp_path: Path, port: int, workers: int = 2, *, production: bool = False, **env):
    """With `production`, under the Procfile's settings (ivr/gunicorn_config.py), its log lines
    in tmp_path/gunicorn.log."""
    environment = dict(
        os.environ,
        TWILIO_AUTH_TOKEN=TOKEN,
        IVR_CONFIG_DIR=str(CONFIG),
        DATABASE_URL=f"sqlite:///{tmp_path}/shared.sqlite3",
        IVR_REFRESH_SECONDS="1",
        IVR_RELOAD_SECONDS="1",
        IVR_OPS_TOKEN=OPS_TOKEN,
        **env,
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    settings = ["--config", "python:ivr.gunicorn_config"] if production else []
    if production:
        environment["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "metrics")
    log = open(tmp_path / "gunicorn.log", "wb") if production else subprocess.DEVNULL
    server = subprocess.Popen(
        [
            str(gunicorn),
            *settings,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "10",
            "ivr:create_app()",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=log,
    )
    if production:
        log.close()  # gunicorn has its own copy
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("gunicorn did not start")


def stop(server) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


class PostgresServer:
    """A PostgreSQL server of our own, in a temporary folder on a free port, that a test may
    stop and start again. Needs Debian's postgresql package and root (to run it as postgres)."""

    def __init__(self, folder: Path):
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not versions or os.geteuid() != 0:
            raise RuntimeError("no PostgreSQL server binaries, or not root")
        self.bin = versions[-1].parent
        self.data = folder / "pgdata"
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["chown", "-R", "postgres", str(folder)], check=True)
        self._as_postgres(f"{self.bin}/initdb -D {self.data} -A trust -U postgres")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, command: str) -> None:
        subprocess.run(
            ["su", "postgres", "-c", command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self._as_postgres(
            f"{self.bin}/pg_ctl -D {self.data} -w -l {self.data}/log "
            f"-o '-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1' start"
        )

    def stop(self) -> None:
        self._as_postgres(f"{self.bin}/pg_ctl -D {self.data} -w -m fast stop")
