"""Real servers on loopback for the tests that need them: gunicorn on a free port."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from conftest import CONFIG, ROOT, TOKEN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(tmp_path: Path, port: int, workers: int = 2, **env):
    environment = dict(
        os.environ,
        TWILIO_AUTH_TOKEN=TOKEN,
        IVR_CONFIG_DIR=str(CONFIG),
        DATABASE_URL=f"sqlite:///{tmp_path}/shared.sqlite3",
        IVR_REFRESH_SECONDS="0",
        **env,
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [
            str(gunicorn),
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
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
