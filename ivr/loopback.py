"""Real servers on loopback, for the tests and the benchmarks: the production web process
(`ivr serve`: nginx and gunicorn) or gunicorn alone, under the Procfile's settings, on a free
port, bounded in time, stopped by whoever started them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class Server:
    """A server process on 127.0.0.1:`port`; its output in `log` (a path) or nowhere."""

    def __init__(self, process: subprocess.Popen, port: int, log: Path | None):
        self.process = process
        self.port = port
        self.log = log
        self.url = f"http://127.0.0.1:{port}"

    def stop(self, seconds: float = 15) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def pid(self) -> int:
        return self.process.pid


def start(
    env: dict,
    *,
    front: bool = False,
    workers: int = 2,
    port: int | None = None,
    log: Path | None = None,
    extra: tuple[str, ...] = (),
    app: str = "ivr:create_app()",
) -> Server:
    """gunicorn under ivr/gunicorn_config.py with `workers` workers or, with `front`, the
    whole web process (`python -m ivr.serve`: nginx in front of it). `env` is added to this
    process's environment."""
    port = port or free_port()
    environment = dict(os.environ, WEB_CONCURRENCY=str(workers), **env)
    if front:
        environment.update(PORT=str(port), IVR_LISTEN="127.0.0.1")
        command = [sys.executable, "-m", "ivr.serve"]
    else:
        command = [
            str(BIN / "gunicorn"),
            "--config",
            "python:ivr.gunicorn_config",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            *extra,
            app,
        ]
    out = open(log, "wb") if log else subprocess.DEVNULL
    try:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=out)
    finally:
        if log:
            out.close()  # the server has its own copy
    server = Server(process, port, log)
    if not wait_for_port(port) or process.poll() is not None:
        server.stop()
        raise RuntimeError(f"{command[-1]} did not start on port {port}")
    return server
