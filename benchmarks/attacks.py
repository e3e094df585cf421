"""What slow clients and a database that never answers do to calls, on loopback.

    .venv/bin/python benchmarks/attacks.py [--seconds 20] [--slow 50]

Each scenario serves the shipped configuration under the Procfile's settings, holds `--slow`
connections that send their request a byte a second (half their headers, half a body), places
calls to the information line at 2 a second for `--seconds`, and prints how many got the
line's own answer and how long the first answer took. Scenarios: gunicorn alone (sync workers,
what the Procfile ran before), and `ivr serve` (nginx in front); then `ivr serve` with a
database that accepts connections and never answers, where each call also leaves a message.
Figures go to benchmarks/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from ivr import loopback
from ivr.simulate import Call, HttpClient

TOKEN = "benchmark-token"
ORIENTATION = "+3220000100"
LINE_1712 = "+3220001712"
REAL_ANSWER = "Voor Nederlands, druk 2"


def environment(scratch: Path, **extra) -> dict:
    return {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "IVR_SECRET": "benchmark-state-key",
        "IVR_CONFIG_DIR": str(loopback.ROOT / "config"),
        "DATABASE_URL": f"sqlite:///{scratch}/bench.sqlite3",
        "IVR_SPOOL_DIR": str(scratch / "spool"),
        "IVR_OPS_TOKEN": "benchmark-ops",
        "PROMETHEUS_MULTIPROC_DIR": str(scratch / "metrics"),
        **extra,
    }


def summary(name: str, results: list[tuple[float, str]], wanted: str) -> str:
    seconds = sorted(s for s, _ in results)
    good = sum(1 for _, text in results if wanted in text)
    p50 = statistics.median(seconds)
    p99 = loopback.p99(seconds)
    return (
        f"{name}: {good}/{len(results)} got the line's answer; first answer p50 "
        f"{p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {seconds[-1] * 1000:.0f} ms"
    )


def slow_clients(front: bool, seconds: float, slow: int) -> str:
    scratch = Path(tempfile.mkdtemp(prefix="ivr-attack-"))
    server = loopback.start(environment(scratch), front=front, workers=4)
    try:
        time.sleep(2)
        with loopback.SlowClients(server.port, slow):
            time.sleep(2)
            results = loopback.place_calls(server.url, ORIENTATION, TOKEN, 2, seconds)
    finally:
        server.stop()
    name = "ivr serve (nginx in front)" if front else "gunicorn alone"
    return summary(f"{name}, {slow} slow clients", results, REAL_ANSWER)


def stalled_database(seconds: float) -> str:
    scratch = Path(tempfile.mkdtemp(prefix="ivr-attack-"))
    proxy = loopback.StallingProxy(target_port=9)
    url = f"postgresql+psycopg://x@127.0.0.1:{proxy.port}/x"
    server = loopback.start(environment(scratch, DATABASE_URL=url), front=True, workers=4)
    steps: list[float] = []
    callbacks: list[float] = []
    failures: list[str] = []

    def one(n: int) -> None:
        c = Call(HttpClient(timeout=20), LINE_1712, token=TOKEN, base_url=server.url)
        try:
            for step in (c.start, lambda: c.press("2")):
                started = time.monotonic()
                turn = step()
                steps.append(time.monotonic() - started)
            started = time.monotonic()
            turn = c.dial_ends("no-answer") if turn.kind == "Dial" else c.press("2")
            steps.append(time.monotonic() - started)
            callback = turn.waiting.get("recordingStatusCallback")
            started = time.monotonic()
            c.leave_message(sid=f"RE{n:032x}", callback=False)
            steps.append(time.monotonic() - started)
            started = time.monotonic()
            response = c.post(callback, {"RecordingSid": f"RE{n:032x}"})
            callbacks.append(time.monotonic() - started)
            if response.status_code != 200:
                failures.append(f"callback {response.status_code}")
        except Exception as exc:  # noqa: BLE001 - counted
            failures.append(repr(exc))

    try:
        time.sleep(2)
        threads = []
        for n in range(int(2 * seconds)):
            threads.append(threading.Thread(target=one, args=(n,)))
            threads[-1].start()
            time.sleep(0.5)
        for thread in threads:
            thread.join(timeout=60)
        waiting = len(list((scratch / "spool").glob("*.json")))
    finally:
        server.stop()
        proxy.close()
    return (
        f"database that never answers: {len(failures)} failures; call steps p99 "
        f"{loopback.p99(steps) * 1000:.0f} ms (max {max(steps) * 1000:.0f}); recording "
        f"callbacks p99 {loopback.p99(callbacks) * 1000:.0f} ms (max "
        f"{max(callbacks) * 1000:.0f}); {waiting} messages waiting on disk for the database"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--slow", type=int, default=50)
    args = parser.parse_args()
    print(slow_clients(False, args.seconds, args.slow), flush=True)
    print(slow_clients(True, args.seconds, args.slow), flush=True)
    print(stalled_database(args.seconds), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
