"""What a deployment watches: metrics, structured logs, health, the anonymous statistics."""

import io
import json
import logging
import urllib.request

from prometheus_client.parser import text_string_to_metric_families
from support.helpers import CALLER, EVC, LINE_1712, OPS, ORIENTATION, TOKEN, Call, brussels, metric

from ivr import logs
from ivr.cli import main
from ivr.logs import JsonFormatter
from ivr.store import Store
from ivr.twilio import simulate


def test_metrics_count_outcomes_transfers_menu_failures_and_safe_answers(app, clock):
    before = {
        "voicemail": metric(app, "ivr_calls_total", line="1712", outcome="voicemail"),
        "connected": metric(
            app, "ivr_calls_total", line="ecoute-violences-conjugales", outcome="connected"
        ),
        "busy": metric(app, "ivr_transfers_total", line="1712", status="no-answer"),
        "silence": metric(app, "ivr_menu_failures_total", line="orientation", kind="silence"),
        "unknown": metric(app, "ivr_safe_answers_total", reason="unknown number"),
    }
    clock.now = brussels("2026-11-24 11:00")
    c = Call(app, LINE_1712)
    c.start()
    c.press("2")
    c.dial_ends("no-answer")
    c.leave_message()
    c = Call(app, EVC)
    c.start()
    c.dial_ends("completed")
    c = Call(app, ORIENTATION)
    c.start()
    c.press("1")
    c.silence()
    c.silence()
    Call(app, "+3200000000").start()
    assert (
        metric(app, "ivr_calls_total", line="1712", outcome="voicemail") == before["voicemail"] + 1
    )
    assert (
        metric(app, "ivr_calls_total", line="ecoute-violences-conjugales", outcome="connected")
        == before["connected"] + 1
    )
    assert metric(app, "ivr_transfers_total", line="1712", status="no-answer") == before["busy"] + 1
    assert (
        metric(app, "ivr_menu_failures_total", line="orientation", kind="silence")
        == before["silence"] + 1
    )
    assert metric(app, "ivr_safe_answers_total", reason="unknown number") == before["unknown"] + 1
    page = app.test_client().get("/metrics", headers=OPS).get_data(as_text=True)
    assert 'ivr_request_seconds_bucket{endpoint="incoming",le="0.025"}' in page
    assert CALLER not in page and CALLER.lstrip("+") not in page


def test_json_log_lines_carry_the_call_and_never_a_number(app, clock, monkeypatch):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        clock.now = brussels("2026-11-24 11:00")
        c = Call(app, LINE_1712)
        c.start()
        c.press("1")
        logging.getLogger("ivr.test").warning("a careless line with %s in it", CALLER)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    entries = [json.loads(row) for row in stream.getvalue().splitlines()]
    calls = [e for e in entries if e.get("call_sid")]
    assert calls and all(e["line"] == "1712" for e in calls)
    assert {e["step"] for e in calls} >= {"answer", "language#0:digits"}
    assert entries[-1]["message"] == "a careless line with [number] in it"
    assert CALLER not in stream.getvalue() and CALLER.lstrip("+") not in stream.getvalue()


def test_under_the_procfile_settings_logs_are_json_lines_without_numbers_metrics_added_up(
    tmp_path, web
):
    """One JSON object per line, gunicorn's own lines too; they share the workers' logging
    with ours, and both must come out."""
    Store(f"sqlite:///{tmp_path}/shared.sqlite3").migrate()
    server = web(workers=2)
    try:
        base = server.url
        c = simulate.Call(
            simulate.HttpClient(), LINE_1712, token=TOKEN, caller=CALLER, base_url=base
        )
        c.start()
        c.press("2")  # French
        scrape = urllib.request.Request(f"{base}/metrics", headers=OPS)
        with urllib.request.urlopen(scrape, timeout=5) as response:
            page = response.read().decode()
    finally:
        server.stop()
    # Added up across the workers, whichever answered.
    counts = {
        sample.labels["endpoint"]: sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
        if sample.name == "ivr_request_seconds_count" and sample.value
    }
    assert counts == {"incoming": 1.0, "next_step": 1.0}
    text = server.log.read_text()
    entries = [json.loads(row) for row in text.splitlines()]  # every line, gunicorn's too
    exiting = [e for e in entries if e["message"].startswith("Worker exiting")]
    assert [e["logger"] for e in exiting] == ["gunicorn.error"] * 2  # each worker, as it stops
    steps = [e["step"] for e in entries if e["message"] == "answered"]
    assert steps[:2] == ["answer", "language#0:digits"]
    assert CALLER not in text and CALLER.lstrip("+") not in text


def test_log_level_warning_keeps_only_what_went_wrong(app, monkeypatch):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    logs.setup(json_lines=True, level="warning")
    stream = io.StringIO()
    root.handlers[0].setStream(stream)
    c = Call(app, EVC)
    c.start()
    c.post("/voice", {"To": "+3200000000"})  # a number no line has: a warning
    entries = [json.loads(row) for row in stream.getvalue().splitlines()]
    assert [e["level"] for e in entries] == ["warning"]
    assert "no line has" in entries[0]["message"]


def test_an_unknown_log_level_says_so_and_logs_at_info(monkeypatch, capsys):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    logs.setup(json_lines=True, level="loud")  # the handler writes to (captured) stderr
    logging.getLogger("ivr.test").info("still written")
    entries = [json.loads(row) for row in capsys.readouterr().err.splitlines()]
    assert "IVR_LOG_LEVEL=loud is not one of DEBUG, INFO, WARNING, ERROR" in entries[0]["message"]
    assert entries[-1]["message"] == "still written"


def test_health_reports_configuration_and_database(app):
    health = app.test_client().get("/healthz", headers=OPS).get_json()
    assert health["status"] == "ok" and health["database"] == "reachable"
    assert len(health["config_version"]) == 12


def test_anonymous_statistics_as_csv(app, clock, capsys):
    for at, to, action in [
        ("2026-11-24 10:15", EVC, "completed"),
        ("2026-11-24 10:45", EVC, "completed"),
        ("2026-11-24 20:05", EVC, "no-answer"),
        ("2026-11-25 09:30", EVC, "completed"),
    ]:
        clock.now = brussels(at)
        c = Call(app, to)
        c.start()
        turn = c.dial_ends(action)
        if not turn.hung_up:
            c.dial_ends("completed")
    main(["stats", "--from", "2026-11-24", "--to", "2026-11-24"])
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows == [
        "date,hour,line,outcome,language,calls",
        "2026-11-24,10:00,ecoute-violences-conjugales,connected,fr,2",
        # Its transfer failed: the caller was told the number to dial, then the call ended.
        "2026-11-24,20:00,ecoute-violences-conjugales,transfer failed,fr,1",
    ]
    assert CALLER not in "\n".join(rows)
