"""Faults, bounded in time and on loopback only: the database goes away mid-call, a worker is
killed under load, two instances share one call."""

import json
import os
import signal
import subprocess
import threading
import time
import urllib.request

import pytest
import sqlalchemy
from support.helpers import CONFIG, LINE_1712, OPS, TOKEN, Call, brussels, service_of
from support.loopback import StallingProxy

from ivr.app import create_app
from ivr.store import Store
from ivr.twilio.links import RETRIES
from ivr.twilio.simulate import Call as PlainCall
from ivr.twilio.simulate import HttpClient

AWAY = "postgresql+psycopg://ivr:ivr@127.0.0.1:9/none?connect_timeout=1"  # nothing listens


def test_the_database_stops_mid_call_and_nothing_is_lost(app, clock, caplog):
    store = service_of(app).store
    working = store.engine
    clock.now = brussels("2026-11-24 20:00")
    c = Call(app, LINE_1712)
    c.start()
    store.engine = sqlalchemy.create_engine(AWAY)  # the database stops
    turn = c.press("2")  # French; overrides cannot be read, the call goes on
    assert "fermé" in turn.text and turn.kind == "Gather"
    turn = c.press("2")  # leave a message
    record = turn.waiting
    assert record.tag == "Record"
    turn = c.leave_message(sid="REdown", callback=False)
    assert "Merci" in turn.text and turn.hung_up  # the caller hears nothing of it
    callback = record.get("recordingStatusCallback")
    assert callback.endswith(RETRIES)  # Twilio will retry a 5xx
    extra = {
        "RecordingSid": "REdown",
        "RecordingUrl": "https://x/REdown",
        "RecordingStatus": "completed",
        "RecordingDuration": "40",
    }
    assert c.post(callback, extra).status_code == 200  # written ahead: Twilio need not retry
    assert "voicemail REdown kept on disk until the database is back" in caplog.text
    store.engine = working  # the database is back
    Call(app, LINE_1712).start()  # the database thread stores what was kept
    rows = store.messages.list()
    assert [(r["recording_sid"], r["duration_seconds"]) for r in rows] == [("REdown", 40)]
    # Twilio's retry of the same callback now also succeeds, and stores nothing twice.
    assert c.post(callback, extra).status_code == 200
    assert len(store.messages.list()) == 1


def test_a_real_postgresql_stopped_mid_call_and_started_again(postgres, clock, monkeypatch):
    """The same, with a real PostgreSQL server stopped and started during the call."""
    monkeypatch.setenv("DATABASE_URL", postgres.url)
    Store(postgres.url).migrate()
    clock.now = brussels("2026-11-24 20:00")
    app = create_app(CONFIG, clock=clock)
    c = Call(app, LINE_1712)
    c.start()
    c.press("2")
    turn = c.press("2")
    record = turn.waiting
    postgres.stop()  # mid-call
    turn = c.leave_message(sid="REpgstop", callback=False)
    assert "Merci" in turn.text and turn.hung_up
    extra = {
        "RecordingSid": "REpgstop",
        "RecordingUrl": "https://x/REpgstop",
        "RecordingStatus": "completed",
        "RecordingDuration": "12",
    }
    assert c.post(record.get("recordingStatusCallback"), extra).status_code == 200
    turn = Call(app, LINE_1712).start()  # a new call while it is down: still answered
    assert turn.kind == "Gather"
    postgres.start()
    service_of(app).store.engine.dispose()  # the old connections died with it
    Call(app, LINE_1712).start()  # the database thread stores what was kept
    assert [r["recording_sid"] for r in Store(postgres.url).messages.list()] == ["REpgstop"]


def test_two_instances_serve_one_call_alternately(tmp_path, web):
    Store(f"sqlite:///{tmp_path}/shared.sqlite3").migrate()
    public = "http://ivr.example.test"
    ports = [web(workers=1, IVR_PUBLIC_URL=public).port for _ in range(2)]
    served = []

    def balance(url: str) -> str:
        port = ports[len(served) % 2]  # alternately, like a round-robin balancer
        served.append(port)
        return url.replace(public, f"http://127.0.0.1:{port}")

    c = PlainCall(HttpClient(balance), LINE_1712, token=TOKEN, base_url=public)
    c.start()
    turn = c.press("2")  # French, on the other instance
    if turn.kind == "Dial":  # the servers use the real clock: open, nobody answers
        turn = c.dial_ends("no-answer")
    else:  # closed: the menu, 2 to leave a message
        turn = c.press("2")
    assert turn.kind == "Record"
    turn = c.leave_message(sid="REboth")
    assert turn.hung_up and ("Merci" in turn.text)
    assert set(served) == set(ports) and len(served) >= 5
    rows = Store(f"sqlite:///{tmp_path}/shared.sqlite3").messages.list()
    assert [r["recording_sid"] for r in rows] == ["REboth"]


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX signals")
def test_a_worker_killed_under_load_loses_only_its_requests_in_flight(tmp_path, web):
    Store(f"sqlite:///{tmp_path}/shared.sqlite3").migrate()
    server = web(workers=2)
    port = server.port
    results, stop_at = [], time.monotonic() + 4.0
    clients = 4

    def load():
        while time.monotonic() < stop_at:
            c = PlainCall(
                HttpClient(timeout=5), LINE_1712, token=TOKEN, base_url=f"http://127.0.0.1:{port}"
            )
            try:
                response = c.post("/voice")
                results.append((time.monotonic(), response.status_code))
            except Exception as exc:  # noqa: BLE001 - a dropped connection, in any form
                results.append((time.monotonic(), repr(exc)))

    try:
        threads = [threading.Thread(target=load) for _ in range(clients)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        workers = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert len(workers) == 2
        killed_at = time.monotonic()
        os.kill(int(workers[0]), signal.SIGKILL)
        for t in threads:
            t.join(timeout=20)
    finally:
        server.stop()
    failures = [r for r in results if r[1] != 200]
    after = [r for r in results if r[0] > killed_at + 0.5]
    assert len(results) > 50
    # At most the requests that worker was answering, one per client connection.
    assert len(failures) <= clients, failures
    assert after and all(code == 200 for _, code in after)


def test_a_database_that_never_answers_delays_no_call_and_loses_no_message(postgres, web):
    Store(postgres.url).migrate()
    proxy = StallingProxy(postgres.port)
    stalled = f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/postgres"
    server = web(front=True, workers=4, DATABASE_URL=stalled)
    time.sleep(2)  # every worker has booted
    requests: list[tuple[float, int, str]] = []  # seconds, HTTP status, what it was
    sids: list[str] = []

    def timed(what: str, step):
        started = time.monotonic()
        result = step()
        requests.append((time.monotonic() - started, 200, what))
        return result

    def one_call(n: int) -> None:
        c = PlainCall(HttpClient(timeout=10), LINE_1712, token=TOKEN, base_url=server.url)
        try:
            timed("answer", c.start)
            turn = timed("language", lambda: c.press("2"))
            assert "dix-sept douze" in turn.text  # the line's own answer, not the safe one
            if turn.kind == "Dial":  # the real clock: open, nobody answers
                turn = timed("transfer", lambda: c.dial_ends("no-answer"))
            else:  # closed: 2 leaves a message
                turn = timed("menu", lambda: c.press("2"))
            sid = f"RE{n:032x}"
            callback = turn.waiting.get("recordingStatusCallback")
            turn = timed("message", lambda: c.leave_message(sid=sid, callback=False))
            assert "Merci" in turn.text
            started = time.monotonic()
            response = c.post(callback, {"RecordingSid": sid, "RecordingStatus": "completed"})
            requests.append((time.monotonic() - started, response.status_code, "callback"))
            sids.append(sid)
        except Exception as exc:  # noqa: BLE001 - counted as a failure
            requests.append((99.0, 0, repr(exc)))

    try:
        threads = []
        for n in range(40):  # 2 calls a second for 20 s
            threads.append(threading.Thread(target=one_call, args=(n,)))
            threads[-1].start()
            time.sleep(0.5)
        health = urllib.request.Request(f"{server.url}/healthz", headers=OPS)
        started = time.monotonic()
        with urllib.request.urlopen(health, timeout=5) as response:
            assert json.loads(response.read())["database"] != "reachable"
        assert time.monotonic() - started < 1
        for thread in threads:
            thread.join(timeout=30)
        failures = [r for r in requests if r[1] != 200]
        assert failures == [] and len(sids) == 40
        calls = [seconds for seconds, _, what in requests if what != "callback"]
        callbacks = [seconds for seconds, _, what in requests if what == "callback"]
        assert max(calls) < 1.0, sorted((round(s, 2), w) for s, _, w in requests)[-8:]
        assert max(callbacks) < 2.0, sorted(callbacks)[-5:]
        proxy.release()  # a working database is back
        store = Store(postgres.url)
        deadline = time.monotonic() + 30
        while len(store.messages.list()) < 40 and time.monotonic() < deadline:
            time.sleep(0.5)
        stored = [row["recording_sid"] for row in store.messages.list()]
        assert sorted(stored) == sorted(sids)  # every one, each once
    finally:
        proxy.close()
