"""What slow clients, a database that never answers, and a full spool with the database down
do to calls, on loopback.

    .venv/bin/python benchmarks/attacks.py [--seconds 20] [--slow 50]
    .venv/bin/python benchmarks/attacks.py --only full-spool [--calls 120] [--code DIR]

Each scenario serves the shipped configuration under the Procfile's settings, holds `--slow`
connections that send their request a byte a second (half their headers, half a body), places
calls to the information line at 2 a second for `--seconds`, and prints how many got the
line's own answer and how long the first answer took. Scenarios: gunicorn alone (sync workers,
what the Procfile ran before), and `ivr serve` (nginx in front); then `ivr serve` with a
database that accepts connections and never answers, where each call also leaves a message;
then (`full-spool`) `--calls` callers at 2 a second each leave a message while the spool is on
a full disk (a tmpfs of one page, filled: needs root; else a spool path that is a file) and
the database URL is dead, with Twilio's REST API on a local stand-in that has each call and
recording as Twilio would: how many callers were told their message was kept, how many of
those messages were kept, how many temporary files the spool was left with; then a working
database, and the reconcile round (its clock 16 minutes on): how many it took in, audio and
all. `--code DIR` runs the servers from another tree (an older commit's `git archive`), to
compare; then (`--only console`, as root, with Debian's PostgreSQL) `ivr serve` on a PostgreSQL
server of its own, frozen (SIGSTOP) while six clients send console logins in a loop. Figures go
to benchmarks/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import requests

from ivr import config as configuration
from ivr.runtime.twilio_work import TwilioWork
from ivr.settings import Settings
from ivr.store import Store
from ivr.twilio.rest import TwilioAPI
from ivr.twilio.simulate import Call, HttpClient
from ivr.twilio.standin import TwilioStandIn
from tests.support import loopback

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


ACCOUNT_SID = "AC" + "5" * 32
API_KEY, API_SECRET = "SK" + "6" * 32, "benchmark-api-secret"
MESSAGE_KEY = "u9Y3G1cBjdqVb5hJc3i5x1-1lS8m1wq0hZgYzq8yGkA="  # a Fernet key, for this run only
KEPT, NOT_KEPT = "bien enregistré", "n'a pas pu être enregistré"


def full_disk(folder: Path) -> str:
    """`folder` made a disk with no room left: a tmpfs of one page, filled (as root); else a
    file where the folder should be, which refuses every write too. Says which."""
    folder.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        folder.rmdir()
        folder.write_text("not a folder")
        return "a file where the spool folder should be"
    try:
        with open(folder / "filler", "wb") as out:
            while True:
                out.write(b"\0" * 4096)
                out.flush()
    except OSError:
        pass
    return "a full tmpfs"


def full_spool_and_database_down(calls: int, code: Path) -> str:
    scratch = Path(tempfile.mkdtemp(prefix="ivr-attack-"))
    spool = scratch / "spool"
    disk = full_disk(spool)
    twilio = TwilioStandIn(ACCOUNT_SID, API_KEY, API_SECRET)
    rest = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_API_KEY": API_KEY,
        "TWILIO_API_SECRET": API_SECRET,
        "TWILIO_API_BASE": twilio.base,
        "IVR_MESSAGE_KEYS": MESSAGE_KEY,
    }
    dead = "postgresql+psycopg://x@127.0.0.1:9/x?connect_timeout=1"  # nothing listens
    env = environment(scratch, DATABASE_URL=dead, IVR_SPOOL_DIR=str(spool), **rest)
    if code != loopback.ROOT:
        env.update(PYTHONPATH=str(code), IVR_CONFIG_DIR=str(code / "config"))
    heard: dict[str, str] = {}  # recording -> what its caller was told
    callbacks: list[int] = []
    failures: list[str] = []

    def one(n: int) -> None:
        sid, call_sid = f"RE{n:032x}", f"CA{n:032x}"
        c = Call(HttpClient(timeout=20), LINE_1712, token=TOKEN, base_url=server.url, sid=call_sid)
        try:
            c.start()
            turn = c.press("2")  # French
            turn = c.dial_ends("no-answer") if turn.kind == "Dial" else c.press("2")
            callback = turn.waiting.get("recordingStatusCallback")
            twilio.add_call(call_sid, to=LINE_1712)  # what Twilio has of the call
            twilio.add_recording(sid, call_sid, b"ID3" + os.urandom(2000), datetime.now(UTC))
            turn = c.leave_message(sid=sid, callback=False)
            heard[sid] = turn.text
            response = c.post(callback, {"RecordingSid": sid, "RecordingStatus": "completed"})
            callbacks.append(response.status_code)
        except Exception as exc:  # noqa: BLE001 - counted
            failures.append(repr(exc))

    server = loopback.start(env, front=True, workers=4, cwd=code)
    try:
        time.sleep(2)
        threads = []
        for n in range(1, calls + 1):
            threads.append(threading.Thread(target=one, args=(n,)))
            threads[-1].start()
            time.sleep(0.5)
        for thread in threads:
            thread.join(timeout=60)
    finally:
        server.stop()
    try:
        leftovers = len(list(spool.glob(".*.tmp"))) if spool.is_dir() else 0
        on_disk = len(list(spool.glob("*.json"))) if spool.is_dir() else 0
        told_kept = sorted(sid for sid, text in heard.items() if KEPT in text)
        told_not = sorted(sid for sid, text in heard.items() if NOT_KEPT in text)
        # The database is back (a new one: the dead one never stored anything), and the
        # Twilio thread's reconcile round comes, 16 minutes on.
        url = f"sqlite:///{scratch}/back.sqlite3"
        store = Store(url)
        store.migrate()
        settings = Settings.from_env({**env, "DATABASE_URL": url})
        loaded, _ = configuration.load(loopback.ROOT / "config")
        later = lambda: datetime.now(UTC) + timedelta(minutes=16)  # noqa: E731
        api = TwilioAPI.from_settings(settings)
        work = TwilioWork(settings, store, SimpleNamespace(config=loaded), later, api)
        taken = work.reconcile(later())
        rounds = 0
        while rounds < 50:  # each round takes in 20 messages' audio at most
            rows = store.messages.list()
            with_audio = sum(1 for row in rows if row["has_audio"])
            if with_audio == len(rows):
                break
            work.round()
            rounds += 1
    finally:
        twilio.close()
        if spool.is_dir():
            subprocess.run(["umount", "-l", str(spool)], check=False, capture_output=True)
    status = {code: callbacks.count(code) for code in sorted(set(callbacks))}
    return (
        f"spool on {disk}, database URL dead, {calls} callers each leaving a message: "
        f"{len(failures)} failures; told kept {len(told_kept)} (of which kept on disk or in "
        f"the database: {on_disk}), told not kept {len(told_not)}; recording callbacks "
        f"answered {status}; {leftovers} temporary files left in the spool. Database back, "
        f"reconcile: {taken} taken in, {len(rows)} messages kept, {with_audio} with their audio "
        f"after {rounds} more rounds"
    )


def console_hammered(seconds: float, workers: int = 4, clients: int = 6) -> str:
    """Calls at 2 a second while `clients` send console logins in a loop (the login page, then
    a wrong password) and the database is frozen: a PostgreSQL server of our own, every one of
    its processes stopped, which accepts connections and answers nothing."""
    from ivr.console.accounts import hash_password
    from ivr.store import Store

    folder = Path(tempfile.mkdtemp(prefix="ivr-attack-pg-"))
    postgres = loopback.PostgresServer(folder)
    postgres.start()
    scratch = Path(tempfile.mkdtemp(prefix="ivr-attack-"))
    server = None
    logins: list[tuple[float, int]] = []
    stop = threading.Event()
    token = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

    def hammer() -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                browser = requests.Session()
                page = browser.get(f"{server.url}/console/login", timeout=20).text
                form = {"csrf_token": token.search(page).group(1), "name": "ana", "password": "x"}
                status = browser.post(f"{server.url}/console/login", data=form, timeout=20)
                logins.append((time.monotonic() - started, status.status_code))
            except Exception:  # noqa: BLE001 - a login that got no answer: counted as 0
                logins.append((time.monotonic() - started, 0))

    try:
        store = Store(postgres.url)
        store.migrate()
        password = hash_password("a long password")
        store.operators.add(
            "ana", "coordinator", password, language="fr", by="bench", at=datetime.now(UTC)
        )
        store.engine.dispose()
        env = environment(scratch, DATABASE_URL=postgres.url, IVR_CONSOLE_SECRET="bench" * 8)
        server = loopback.start(env, front=True, workers=workers)
        time.sleep(2)
        calm = loopback.place_calls(server.url, ORIENTATION, TOKEN, 2, seconds / 2)
        postgres.freeze()
        hammering = [threading.Thread(target=hammer) for _ in range(clients)]
        for thread in hammering:
            thread.start()
        time.sleep(1)
        results = loopback.place_calls(server.url, ORIENTATION, TOKEN, 2, seconds)
        stop.set()
        for thread in hammering:
            thread.join(timeout=30)
    finally:
        stop.set()
        postgres.thaw()
        if server is not None:
            server.stop()
        postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)
    statuses = sorted({status for _, status in logins})
    slowest = max(s for s, _ in logins) if logins else 0
    return (
        summary(f"database calm, {len(calm)} calls", calm, REAL_ANSWER)
        + "\n"
        + summary(
            f"database frozen, {clients} clients sending console logins in a loop",
            results,
            REAL_ANSWER,
        )
        + f"\n  meanwhile {len(logins)} logins answered, HTTP {statuses}, the slowest in "
        f"{slowest * 1000:.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--slow", type=int, default=50)
    parser.add_argument(
        "--only", choices=["slow-clients", "stalled-database", "full-spool", "console"]
    )
    parser.add_argument("--calls", type=int, default=120, help="callers of full-spool")
    parser.add_argument("--code", type=Path, default=loopback.ROOT, help="the servers' tree")
    args = parser.parse_args()
    if args.only in (None, "slow-clients"):
        print(slow_clients(False, args.seconds, args.slow), flush=True)
        print(slow_clients(True, args.seconds, args.slow), flush=True)
    if args.only in (None, "stalled-database"):
        print(stalled_database(args.seconds), flush=True)
    if args.only in (None, "full-spool"):
        print(full_spool_and_database_down(args.calls, args.code.resolve()), flush=True)
    if args.only == "console":  # not among all: it needs root and Debian's PostgreSQL
        print(console_hammered(args.seconds), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
