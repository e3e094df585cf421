"""Configuration changes are picked up without a restart; a broken change is refused and the
last good configuration keeps serving calls."""

import threading
import time
import xml.etree.ElementTree as ET

import pytest
from support.helpers import EVC, OPS, Call, brussels, edit, service_of

from ivr.app import create_app

EVC_FILE = "ecoute-violences-conjugales.yaml"


@pytest.fixture
def live_app(config_copy, clock, monkeypatch):
    monkeypatch.setenv("IVR_RELOAD_SECONDS", "0")
    monkeypatch.setenv("IVR_PROMPTS_DIR", str(config_copy.parent / "prompts"))
    clock.now = brussels("2026-11-24 19:30")  # a Tuesday evening: closed until 19:00
    return create_app(config_copy, clock=clock)


def health(app) -> dict:
    return app.test_client().get("/healthz", headers=OPS).get_json()


def test_changed_hours_are_live_without_a_restart(live_app, config_copy):
    assert Call(live_app, EVC).start().dialled == ["107"]
    before = health(live_app)["config_version"]
    edit(config_copy / EVC_FILE, "mon-fri: 09:00-19:00", "mon-fri: 09:00-20:00")
    assert Call(live_app, EVC).start().dialled == ["+3220000001"]
    after = health(live_app)
    assert after["config_version"] != before
    assert after["last_refused_change"] is None


def test_a_broken_change_is_refused_and_calls_go_on(live_app, config_copy, caplog):
    edit(config_copy / EVC_FILE, "mon-fri: 09:00-19:00", "mon-fri: 09:00-20h00")
    turn = Call(live_app, EVC).start()
    assert turn.dialled == ["107"]  # the last good configuration
    assert "du lundi au vendredi de 9 h à 19 h" in turn.text
    refused = health(live_app)["last_refused_change"]
    path = config_copy / EVC_FILE
    assert refused["problems"] == [
        f"{path}:12: '20h00' is not a time; write it as HH:MM, for example 09:00"
    ]
    assert "refused a configuration change" in caplog.text
    # Once mended, the change goes live.
    edit(path, "09:00-20h00", "09:00-20:00")
    assert Call(live_app, EVC).start().dialled == ["+3220000001"]


def test_a_call_whose_step_disappeared_starts_over(live_app, config_copy, clock):
    clock.now = brussels("2026-11-24 10:00")
    c = Call(live_app, EVC)
    c.start()
    edit(config_copy / EVC_FILE, "team-unavailable", "team-away")
    edit(config_copy / EVC_FILE, "  team-unavailable:", "  team-away:")
    turn = c.dial_ends("busy")
    assert turn.dialled  # the caller still gets through somewhere
    assert "107" in " ".join(turn.dialled + [turn.text])


def test_requests_during_changes_never_fail(live_app, config_copy):
    path = config_copy / EVC_FILE
    failures, done = [], threading.Event()

    def caller():
        while not done.is_set():
            try:
                response = Call(live_app, EVC).post("/voice")
                ET.fromstring(response.get_data(as_text=True))
                if response.status_code != 200:
                    failures.append(response.status_code)
            except Exception as exc:  # noqa: BLE001 - any failure counts
                failures.append(repr(exc))

    threads = [threading.Thread(target=caller) for _ in range(4)]
    for t in threads:
        t.start()
    hours = ["09:00-19:00", "09:00-20:00", "09:00-2000", "08:00-20:00", "09:00-19:00"]
    text = path.read_text(encoding="utf-8")
    for i in range(40):
        new = text.replace("09:00-19:00", hours[i % len(hours)])
        path.write_text(new, encoding="utf-8")  # written in place, as an editor may
    done.set()
    for t in threads:
        t.join(timeout=30)
    assert failures == []
    assert Call(live_app, EVC).start().dialled == ["107"]  # back to 09:00-19:00 at 19:30


def test_a_change_is_picked_up_off_the_request_path(config_copy, clock, monkeypatch):
    monkeypatch.setenv("IVR_RELOAD_SECONDS", "0.2")
    monkeypatch.setenv("IVR_PROMPTS_DIR", str(config_copy.parent / "prompts"))
    clock.now = brussels("2026-11-24 19:30")
    app = create_app(config_copy, clock=clock)
    live = service_of(app).live
    assert Call(app, EVC).start().dialled == ["107"]  # the first request starts the watcher
    before = live.config.version
    edit(config_copy / EVC_FILE, "mon-fri: 09:00-19:00", "mon-fri: 09:00-20:00")
    deadline = time.monotonic() + 5
    while live.config.version == before and time.monotonic() < deadline:
        time.sleep(0.05)  # no request meanwhile: the watcher's own thread reads the files
    assert live.config.version != before
    assert Call(app, EVC).start().dialled == ["+3220000001"]
