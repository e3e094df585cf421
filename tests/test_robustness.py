"""Bad input, odd fields and our own failures: the caller always gets a spoken, useful answer."""

import builtins
import io
import logging

import pytest
from support.helpers import (
    CALLER,
    EVC,
    EVC_SHOWS,
    LINE_1712,
    ORIENTATION,
    STOP_IT_NOW,
    STOP_IT_NOW_SHOWS,
    TOKEN,
    Call,
    assert_safe_answer,
    service_of,
    spoken,
)
from twilio.request_validator import RequestValidator

from ivr import flow
from ivr.twilio.links import Links


@pytest.mark.parametrize(
    "digits", ["", "#", "**", "9" * 500, "<Say>x</Say>", "1 OR 1=1", "١", "\x00", "12#"]
)
def test_junk_keypresses_are_an_invalid_choice(call, digits):
    c = call(ORIENTATION, at="2026-11-24 10:00")
    turn = c.press(digits, exactly=True)  # as a hand-made request may send them
    assert "Ce choix n'existe pas" in turn.text
    assert turn.kind == "Gather"


@pytest.mark.parametrize("caller", ["anonymous", "unknown", "restricted", "+266696687", None])
def test_withheld_or_missing_caller_numbers_are_fine(app, caller):
    c = Call(app, EVC, caller=caller)
    turn = c.start()
    assert turn.dialled == ["+3220000001"]


def test_a_number_no_line_has_gets_the_safe_answer(app):
    c = Call(app, "+3225550000")
    response = c.post("/voice")
    assert response.status_code == 200
    assert_safe_answer(response.get_data(as_text=True), shows="+3225550000")


def test_no_to_field_gets_the_safe_answer_without_a_dial(app):
    response = app.test_client().post("/voice", data={}, headers=_signed(app, "/voice", {}))
    assert response.status_code == 200
    assert_safe_answer(response.get_data(as_text=True), shows=None)


def _signed(app, path, params):
    signature = RequestValidator(TOKEN).compute_signature("http://localhost" + path, params)
    return {"X-Twilio-Signature": signature}


def test_an_exception_while_answering_gives_the_safe_answer_and_a_log_line(
    app, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(flow.CallFlow, "answer", broken)
    c = Call(app, EVC)
    with caplog.at_level(logging.ERROR):
        response = c.post("/voice")
    assert response.status_code == 200
    assert_safe_answer(response.get_data(as_text=True), shows=EVC_SHOWS)
    assert c.params["CallSid"] in caplog.text
    assert CALLER not in caplog.text


def test_an_exception_later_in_the_call_too(app, monkeypatch, clock):
    c = Call(app, ORIENTATION)
    c.start()
    monkeypatch.setattr(flow.CallFlow, "resume", lambda *a, **k: 1 / 0)
    response = c.post(c.turn.waiting.get("action"), {"Digits": "1"})
    assert response.status_code == 200
    assert_safe_answer(response.get_data(as_text=True), shows=ORIENTATION)


def test_fallback_url_gives_the_safe_answer(app):
    c = Call(app, STOP_IT_NOW)
    response = c.post("/voice/fallback", {"ErrorCode": "11200", "ErrorUrl": "http://x/voice"})
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert_safe_answer(response.get_data(as_text=True), shows=STOP_IT_NOW_SHOWS)


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/voice"), ("POST", "/voice/nowhere"), ("PUT", "/voice/next")]
)
def test_wrong_urls_and_methods_under_voice_still_speak(app, method, path):
    assert app.test_client().open(path, method=method).status_code == 403  # unsigned
    response = app.test_client().open(path, method=method, headers=_signed(app, path, {}))
    assert response.status_code == 200
    assert_safe_answer(response.get_data(as_text=True), shows=None)


def test_a_state_for_a_line_that_no_longer_exists_starts_over(app):
    links = Links("http://localhost", service_of(app).codec)
    url = links.state(flow.CallState("gone", "open", 0, "fr"))
    c = Call(app, LINE_1712)
    c._new_turn()
    turn = c.follow(list(c.request(url)))
    assert "Voor Nederlands, druk 1" in turn.text  # the call starts again


def test_the_webhook_hot_path_reads_no_file(app, monkeypatch):
    app.test_client().get("/healthz")  # the test client reads werkzeug's metadata once

    def no_files(*args, **kwargs):
        raise AssertionError(f"a webhook opened a file: {args[:1]}")

    monkeypatch.setattr(builtins, "open", no_files)
    monkeypatch.setattr(io, "open", no_files)
    for to, keys in [
        (ORIENTATION, ["3", "1"]),
        (ORIENTATION, ["5"]),
        (LINE_1712, []),
        (EVC, []),
        (STOP_IT_NOW, []),
    ]:
        c = Call(app, to)
        c.start()
        for key in keys:
            if c.turn.kind == "Gather":
                c.press(key)


def test_no_caller_number_in_logs_rows_or_what_twilio_is_told(app, clock, caplog):
    documents = []
    with caplog.at_level(logging.DEBUG):
        for to, at, actions in [
            (
                LINE_1712,
                "2026-11-24 11:00",
                [("press", "1"), ("dial", "no-answer"), ("message", None)],
            ),
            (LINE_1712, "2026-11-24 20:00", [("press", "3"), ("press", "2"), ("message", None)]),
            (EVC, "2026-11-24 11:00", [("dial", "busy"), ("dial", "completed")]),
            (ORIENTATION, "2026-11-24 11:00", [("press", "2"), ("press", "1"), ("press", "1")]),
            (STOP_IT_NOW, "2026-11-24 11:00", [("press", "1"), ("silence", None)]),
            ("+3200000000", "2026-11-24 11:00", []),
        ]:
            clock.now = clock.now.fromisoformat(at).replace(tzinfo=clock.now.tzinfo)
            c = Call(app, to, sid=f"CA{abs(hash(at + to)):032x}")
            c.start()
            for kind, value in actions:
                if kind == "dial":
                    c.dial_ends(value)
                elif kind == "press":
                    c.press(value)
                elif kind == "silence":
                    c.silence()
                else:
                    c.leave_message(sid=f"RE{abs(hash(at + to)):020d}")
                documents += c.turn.documents
    assert documents
    assert all(CALLER not in d and CALLER.lstrip("+") not in d for d in documents)
    assert CALLER not in caplog.text and CALLER.lstrip("+") not in caplog.text
    rows = service_of(app).store.messages.list()
    assert len(rows) == 2
    assert all(CALLER not in str(v) for row in rows for v in row.values())
    with service_of(app).store.engine.connect() as conn:
        dump = "\n".join(conn.connection.iterdump())
    assert "voicemails" in dump
    assert CALLER not in dump and CALLER.lstrip("+") not in dump
    assert "CallSid" not in dump and "CA0" not in dump


def test_an_unencoded_plus_in_to_still_finds_the_line(app):
    # `curl -d To=+3280030030` sends a '+' that form decoding turns into a space.
    body = app.test_client().post(
        "/voice",
        data="To=+3280030030&CallSid=CA1",
        content_type="application/x-www-form-urlencoded",
        headers=_signed(app, "/voice", {"To": " 3280030030", "CallSid": "CA1"}),
    )
    assert "Écoute Violences Conjugales" in spoken(body.get_data(as_text=True))


def test_a_failure_before_the_view_still_gives_the_safe_answer(app, monkeypatch):
    service = service_of(app)

    def broken(*args):
        raise RuntimeError("checking went wrong")

    monkeypatch.setattr(service.signatures, "check", broken)
    response = Call(app, EVC).post("/voice")
    assert response.status_code == 200
    assert_safe_answer(response.get_data(as_text=True), shows=EVC_SHOWS)


def test_a_failure_looking_for_changes_still_answers_with_what_was_known(app, monkeypatch):
    service = service_of(app)

    def broken():
        raise RuntimeError("reload went wrong")

    monkeypatch.setattr(service, "begin", broken)
    turn = Call(app, EVC).start()
    assert "Écoute Violences Conjugales" in turn.text and turn.dialled


def test_an_unreadable_body_still_gives_the_safe_answer(app):
    response = app.test_client().post(
        "/voice/fallback",
        data=b"\xff\xfe%%%&&&==",
        content_type="application/x-www-form-urlencoded",
        headers=_signed(app, "/voice/fallback", {}),
    )
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert_safe_answer(response.get_data(as_text=True), shows=None)
