"""Real servers on loopback, for the tests and the benchmarks: the production web process
(`ivr serve`: nginx and gunicorn) or gunicorn alone, under the Procfile's settings, on a free
port, bounded in time, stopped by whoever started them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from ivr.twilio.simulate import Call, HttpClient

ROOT = Path(__file__).resolve().parent.parent.parent  # the project
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 30, path: str | None = None) -> bool:
    """Until something listens on `port` or, with `path`, until a GET of it answers (gunicorn
    listens before its workers have booted)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if path is None:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return True
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # an answer, whatever it says
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
    app: str = "ivr.app:create_app()",
    cwd: Path = ROOT,
) -> Server:
    """gunicorn under ivr/deploy/gunicorn_config.py with `workers` workers or, with `front`, the
    whole web process (`python -m ivr.deploy.serve`: nginx in front of it). `env` is added to this
    process's environment."""
    port = port or free_port()
    environment = dict(os.environ, WEB_CONCURRENCY=str(workers), **env)
    if front:
        environment.update(PORT=str(port), IVR_LISTEN="127.0.0.1")
        command = [sys.executable, "-m", "ivr.deploy.serve"]
    else:
        command = [
            str(BIN / "gunicorn"),
            "--config",
            "python:ivr.deploy.gunicorn_config",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            *extra,
            app,
        ]
    out = open(log, "wb") if log else subprocess.DEVNULL
    try:
        process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=out, stderr=out)
    finally:
        if log:
            out.close()  # the server has its own copy
    server = Server(process, port, log)
    if not wait_for_port(port, path="/healthz") or process.poll() is not None:
        server.stop()
        raise RuntimeError(f"{command[-1]} did not start on port {port}")
    return server


class PostgresServer:
    """A PostgreSQL server of our own, in a folder of ours on a free port, that a test or a
    benchmark may stop and start again, or freeze. Needs Debian's postgresql package and root
    (to run it as postgres)."""

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
        self.running = False
        self.frozen: list[int] = []

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
        self.running = True

    def stop(self) -> None:
        self._as_postgres(f"{self.bin}/pg_ctl -D {self.data} -w -m fast stop")
        self.running = False

    def freeze(self) -> None:
        """Every process of the server stopped (SIGSTOP) as they are: its port still accepts
        connections (the kernel does), and nothing answers, on new connections or old ones."""
        master = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(
            ["pgrep", "-P", str(master)], capture_output=True, text=True, check=False
        ).stdout.split()
        self.frozen = [master, *map(int, children)]
        for pid in self.frozen:
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self.frozen:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        self.frozen = []


# -- load and attacks, for the fault tests and the benchmarks --------------------------------


class SlowClients:
    """`count` connections that send their request a byte a second: half trickle their
    headers, half send headers declaring a body and trickle the body. Each one cut off is
    opened again, so that `count` are held open all along."""

    def __init__(self, port: int, count: int):
        self.port = port
        self.count = count
        self.done = threading.Event()
        self.opened = 0
        self.threads = [
            threading.Thread(target=self._hold, args=(i % 2 == 0,), daemon=True)
            for i in range(count)
        ]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        for thread in self.threads:
            thread.join(timeout=5)

    def _hold(self, headers: bool) -> None:
        while not self.done.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                    self.opened += 1
                    if headers:
                        s.sendall(b"POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                        trickle = b"X-Slow: " + b"a" * 10_000
                    else:
                        s.sendall(
                            b"POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            b"Content-Type: application/x-www-form-urlencoded\r\n"
                            b"Content-Length: 9000\r\n\r\n"
                        )
                        trickle = b"To=%2B3220000100&" + b"x" * 9000
                    for byte in trickle:
                        if self.done.wait(1.0):
                            return
                        s.sendall(bytes([byte]))
            except OSError:
                time.sleep(0.2)  # cut off: open another


def place_calls(
    base: str, to: str, token: str, per_second: float, seconds: float
) -> list[tuple[float, str]]:
    """Calls to `to` at a steady rate, each in its own thread, signed with `token`; for each,
    how long its first answer took and what the caller heard (or the error)."""
    results: list[tuple[float, str]] = []

    def one() -> None:
        started = time.monotonic()
        try:
            turn = Call(HttpClient(timeout=20), to, token=token, base_url=base).start()
            results.append((time.monotonic() - started, turn.text))
        except Exception as exc:  # noqa: BLE001 - any failure is what we count
            results.append((time.monotonic() - started, repr(exc)))

    threads = []
    for _ in range(int(per_second * seconds)):
        thread = threading.Thread(target=one)
        thread.start()
        threads.append(thread)
        time.sleep(1 / per_second)
    for thread in threads:
        thread.join(timeout=30)
    return results


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


class StallingProxy:
    """A TCP server on loopback in front of another (a database): while stalled, it accepts
    connections and never answers; once `release`d, it forwards new connections both ways."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.stalled = True
        self.held: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.stalled:
                self.held.append(client)  # accepted, never answered
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def release(self) -> None:
        self.stalled = False
        for held in self.held:
            held.close()
        self.held.clear()

    def close(self) -> None:
        self.closed.set()
        self.listener.close()
        self.release()
