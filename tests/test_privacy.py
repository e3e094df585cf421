"""Anonymous at Twilio too, and every message back to a counsellor: call records deleted at
Twilio a while after the call, messages' audio taken in sealed and deleted there, messages
moved through their life and purged on time; all against a stand-in for Twilio's REST API."""

import logging
import os
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import inspect, select, text
from sqlalchemy import table as sql_table
from support.helpers import (
    ACCOUNT_SID,
    API_KEY,
    API_SECRET,
    CALLER,
    CONFIG,
    EVC,
    LINE_1712,
    MESSAGE_KEY,
    Call,
    brussels,
    metric,
    service_of,
)

from ivr.app import create_app
from ivr.cli import main
from ivr.twilio.links import RETRIES

PARENT = "CA" + "a" * 32
LEG = "CA" + "b" * 32
RECORDING = "RE" + "c" * 32
AUDIO = os.urandom(24_000)  # as a real recording would be: bytes nobody could guess


def status_callback(app, sid: str, status: str = "completed"):
    """What Twilio posts to the number's statusCallback when the call is over."""
    c = Call(app, EVC, sid=sid)
    return c.post(f"/voice/status{RETRIES}", {"CallStatus": status, "CallDuration": "75"})


# -- forgetting calls at Twilio -----------------------------------------------------------------


def test_a_finished_call_and_its_transfer_legs_are_deleted_at_twilio_an_hour_later(
    private_app, twilio, clock
):
    twilio.add_call(PARENT)
    twilio.add_call(LEG, parent=PARENT, caller=EVC, to="+3220000001")
    assert status_callback(private_app, PARENT).status_code == 200
    service_of(private_app).privacy.round()
    assert twilio.deleted("Calls") == [] and PARENT in twilio.calls  # not yet: an hour later
    clock.now += timedelta(minutes=61)
    service_of(private_app).privacy.round()
    assert twilio.deleted("Calls") == [LEG, PARENT]  # the legs first
    assert twilio.calls == {}
    assert service_of(private_app).store.forget.status()["waiting"] == {}  # its CallSid gone too


def test_a_call_whose_end_we_were_never_told_of_is_deleted_at_twilio_all_the_same(
    private_app, twilio, clock
):
    """A statusCallback lost (or not set on a number): the sweep finds the call at Twilio."""
    long_ago = datetime.now(UTC) - timedelta(hours=3)
    twilio.add_call(PARENT, to=EVC, ended=long_ago)
    twilio.add_call(LEG, parent=PARENT, caller=EVC, to="+3220000001", ended=long_ago)
    twilio.add_call("CA" + "d" * 32, to=EVC, ended=datetime.now(UTC))  # ended just now
    twilio.add_call("CA" + "e" * 32, to="+3220009876", ended=long_ago)  # not one of our lines
    twilio.add_call("CA" + "f" * 32, to=EVC, status="in-progress")
    clock.now = datetime.now(UTC)
    service_of(private_app).privacy.round()  # finds it, and queues it
    service_of(private_app).privacy.round()  # deletes it, legs first
    assert twilio.deleted("Calls") == [LEG, PARENT]
    assert sorted(twilio.calls) == ["CA" + c * 32 for c in "def"]


def test_deletions_twilio_refuses_are_tried_again_and_a_restart_loses_nothing(
    private_app, twilio, clock, capsys
):
    twilio.add_call(PARENT)
    twilio.fail("DELETE", "Calls", 500, 20500, times=2)
    assert status_callback(private_app, PARENT).status_code == 200
    clock.now += timedelta(hours=2)
    service_of(private_app).privacy.round()
    assert PARENT in twilio.calls
    assert main(["privacy", "status"]) == 0
    out = capsys.readouterr().out
    assert "waiting to be deleted at Twilio: 1 call(s)" in out
    assert "a call failed 1 time(s)" in out and "HTTP 500" in out
    # The service restarts: a new app on the same database carries on.
    restarted = create_app(CONFIG, clock=clock)
    service_of(restarted).privacy.round()
    assert PARENT in twilio.calls  # the retry waits its back-off: a minute
    clock.now += timedelta(minutes=1)
    service_of(restarted).privacy.round()
    assert PARENT in twilio.calls  # failed again: two minutes now
    clock.now += timedelta(minutes=2)
    service_of(restarted).privacy.round()
    assert twilio.calls == {} and twilio.deleted("Calls") == [PARENT] * 3
    tried = metric(restarted, "ivr_twilio_deletions_total", kind="call", result="tried again")
    assert tried >= 1


def test_a_call_twilio_has_not_finished_is_tried_again_later(private_app, twilio, clock):
    twilio.add_call(PARENT, status="in-progress")
    status_callback(private_app, PARENT)
    clock.now += timedelta(hours=2)
    service_of(private_app).privacy.round()
    assert PARENT in twilio.calls
    twilio.calls[PARENT]["status"] = "completed"
    clock.now += timedelta(minutes=2)
    service_of(private_app).privacy.round()
    assert twilio.calls == {}


def test_without_rest_credentials_nothing_of_the_call_is_kept(app, capsys):
    assert status_callback(app, PARENT).status_code == 200
    assert service_of(app).store.forget.status()["waiting"] == {}
    assert main(["check", str(CONFIG)]) == 0
    assert "calls and recordings stay at Twilio" in capsys.readouterr().out


# -- messages: sealed, deleted at Twilio, played back, moved along, purged -----------------------


def leave_a_message(app, twilio, clock, sid=RECORDING, at="2026-11-24 20:00") -> int:
    clock.now = brussels(at)
    twilio.add_recording(sid, PARENT, AUDIO, clock.now)
    c = Call(app, LINE_1712)
    c.start()
    c.press("2")  # French: the closed line's menu
    c.press("2")  # a message for a callback
    c.leave_message(sid=sid, seconds=31)
    (row,) = [r for r in service_of(app).store.messages.list() if r["recording_sid"] == sid]
    return row["id"]


def test_a_message_is_sealed_kept_by_us_and_deleted_at_twilio(private_app, twilio, clock):
    message_id = leave_a_message(private_app, twilio, clock)
    service_of(private_app).privacy.round()
    stored = service_of(private_app).store.messages.get(message_id)
    assert stored["audio"] and stored["audio"] != AUDIO and AUDIO[:64] not in stored["audio"]
    assert Fernet(MESSAGE_KEY.encode()).decrypt(stored["audio"]) == AUDIO
    assert twilio.recordings == {} and twilio.deleted("Recordings") == [RECORDING]
    assert stored["deleted_at_twilio"] is not None
    assert metric(private_app, "ivr_messages_total", event="audio kept") >= 1


def test_a_counsellor_plays_takes_and_closes_a_message(
    private_app, twilio, clock, capsys, tmp_path, monkeypatch
):
    message_id = leave_a_message(private_app, twilio, clock)
    service_of(private_app).privacy.round()
    monkeypatch.setenv("IVR_OPERATOR", "marie")
    assert main(["voicemails", "--state", "new"]) == 0
    listed = capsys.readouterr().out
    assert f"{message_id:>5}  2026-11-24 20:00  1712" in listed and "new" in listed
    assert "audio kept" in listed and "api.twilio.com" not in listed
    output = tmp_path / "heard.mp3"
    assert main(["voicemails", "play", str(message_id), "--output", str(output)]) == 0
    assert output.read_bytes() == AUDIO  # byte for byte, opened with the key
    assert main(["voicemails", "take", str(message_id)]) == 0
    assert "is yours, marie" in capsys.readouterr().out
    refused = main(["voicemails", "done", str(message_id), "--note", "rappelée au 0470 12 34 56"])
    assert refused == 2
    assert "seems to hold a phone number" in capsys.readouterr().err
    note = "rappelée le 2026-11-25 à 10:30, orientée vers le CAW"
    assert main(["voicemails", "done", str(message_id), "--note", note]) == 0
    row = service_of(private_app).store.messages.get(message_id)
    assert (row["state"], row["outcome"], row["taken_by"], row["note"]) == (
        "done",
        "called back",
        "marie",
        note,
    )
    actions = [e["action"] for e in service_of(private_app).store.audit.entries("message")]
    assert actions == ["message called back", "message take", "message played"]


def test_messages_are_purged_on_time(private_app, twilio, clock):
    done_id = leave_a_message(private_app, twilio, clock, "RE" + "1" * 32, "2026-11-24 20:00")
    store = service_of(private_app).store
    store.messages.done(
        done_id, operator="marie", at=clock.now, outcome="closed", note="sans suite"
    )
    old_id = leave_a_message(private_app, twilio, clock, "RE" + "2" * 32, "2026-11-24 21:00")
    work = service_of(private_app).privacy
    clock.now += timedelta(days=29)
    assert work.purge(clock.now) == 0
    clock.now += timedelta(days=2)  # 1712: 30 days after it was done
    assert work.purge(clock.now) == 1
    assert [r["id"] for r in store.messages.list()] == [old_id]
    clock.now += timedelta(days=60)  # 90 days at most, whatever its state
    assert work.purge(clock.now) == 1 and store.messages.list() == []
    purged = [e for e in store.audit.entries("message") if e["action"] == "message purged"]
    assert len(purged) == 2
    # The audit log, which stays, never held the note: it went with the message.
    assert "sans suite" not in str(store.audit.entries("message"))


def test_a_key_change_keeps_every_message_playable(
    private_app, twilio, clock, monkeypatch, tmp_path
):
    message_id = leave_a_message(private_app, twilio, clock)
    service_of(private_app).privacy.round()
    newer = Fernet.generate_key().decode()
    monkeypatch.setenv("IVR_MESSAGE_KEYS", f"{newer},{MESSAGE_KEY}")
    output = tmp_path / "heard.mp3"
    assert main(["voicemails", "play", str(message_id), "--output", str(output)]) == 0
    assert output.read_bytes() == AUDIO
    monkeypatch.setenv("IVR_MESSAGE_KEYS", newer)
    assert main(["voicemails", "play", str(message_id), "--output", str(output)]) == 1


# -- nothing missed ------------------------------------------------------------------------------


def test_reconcile_takes_in_a_recording_only_twilio_has_exactly_once(
    private_app, twilio, clock, capsys
):
    twilio.add_call(PARENT, to=LINE_1712)
    twilio.add_recording(RECORDING, PARENT, AUDIO, clock.now - timedelta(hours=1))
    assert main(["voicemails", "reconcile"]) == 0
    assert "1 recording(s) that only Twilio had taken in" in capsys.readouterr().out
    assert main(["voicemails", "reconcile"]) == 0
    assert "0 recording(s)" in capsys.readouterr().out
    (row,) = service_of(private_app).store.messages.list()
    assert (row["recording_sid"], row["line"], row["language"]) == (RECORDING, "1712", "nl")
    service_of(private_app).privacy.round()  # its audio follows the usual way
    assert service_of(private_app).store.messages.get(row["id"])["audio"]
    assert twilio.recordings == {}


# -- no caller's number anywhere -----------------------------------------------------------------


def test_no_caller_number_in_the_database_the_logs_or_what_twilio_was_sent(
    private_app, twilio, clock, caplog
):
    caplog.set_level(logging.DEBUG)
    twilio.add_call(PARENT, caller=CALLER, to=LINE_1712)
    twilio.add_call(LEG, parent=PARENT, caller=LINE_1712, to="+3220000003")
    twilio.add_recording(RECORDING, PARENT, AUDIO, clock.now)
    clock.now = brussels("2026-11-24 20:00")
    c = Call(private_app, LINE_1712, sid=PARENT)
    c.start()
    c.press("2")
    c.press("2")
    c.leave_message(sid=RECORDING)
    c.post("/voice/status", {"CallStatus": "completed"})
    clock.now += timedelta(hours=2)
    work = service_of(private_app).privacy
    work.round()
    work.reconcile(clock.now)
    assert twilio.calls == {} and twilio.recordings == {}
    digits = CALLER.lstrip("+")
    engine = service_of(private_app).store.engine
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(select(text("*")).select_from(sql_table(table))):
                assert digits not in repr(tuple(row)), table
    assert digits not in caplog.text
    for sent in twilio.sent:
        assert digits not in sent.path + sent.body + repr(sent.headers)


@pytest.mark.parametrize("secret", [API_SECRET])
def test_the_stand_in_refuses_a_wrong_api_key(twilio, secret):
    from ivr.twilio.rest import TwilioAPI, TwilioError

    good = TwilioAPI(ACCOUNT_SID, API_KEY, secret, twilio.base)
    bad = TwilioAPI(ACCOUNT_SID, API_KEY, "wrong", twilio.base)
    twilio.add_call(PARENT)
    with pytest.raises(TwilioError):
        bad.forget_call(PARENT)
    assert good.forget_call(PARENT)


@pytest.mark.parametrize(
    ("note", "holds"),
    [
        ("rappelée au 0470 12 34 56", True),
        ("call her on +32 470 12 34 56", True),
        ("0032470123456", True),
        ("terugbellen op 470123456", True),
        # As people write them too (an attack review found each let through).
        ("rappelée au 0470 / 99 91 11, ok", True),
        ("(0470) 99 91 11", True),
        ("0470  99  91  11", True),
        ("0470,99,91,11", True),
        ("0470_999_111", True),
        # As word processors and phones write them (libphonenumber's matcher finds them).
        ("rappelée au 0470\u00a012\u00a034\u00a056", True),  # no-break spaces
        ("0470\u201312\u201334\u201356", True),  # en dashes
        ("rappelée le 2026-11-25 à 10:30", False),
        ("teruggebeld om 14u30 op 1/12/2026, doorverwezen naar 1712", False),
        ("called back, 5 minutes, referred to CAW", False),
    ],
)
def test_a_note_that_may_hold_a_phone_number_is_told_apart(note, holds):
    from ivr.domain import phone
    from ivr.logs import scrub

    assert phone.in_text(note) is holds
    if holds and not note.startswith("terugbellen"):  # (bare 9 digits: told apart, not scrubbed)
        assert not phone.in_text(scrub(note))  # a log line writes none of it


@pytest.mark.parametrize(
    "number",
    [
        # What the hand-written patterns caught, libphonenumber's matcher misses some of.
        "%2B32470123456",
        "0470_12_34_56",
        "(0470) 99 91 11",
        "0470,99,91,11",
        "0470 / 99 91 11",
        "0470  99  91  11",
        "0032470123456",
        "+32 470 12 34 56",
        "32470123456",
        "0470-12-34-56",
        "02/000.00.01",
        "+32 (0)2 555 01 23",
        "+1 212 555 0100",
        "06 12 34 56 78",  # a French mobile, written the French way
        # What the matcher finds that they did not.
        "0470\u00a012\u00a034\u00a056",
        "0470\u201312\u201334\u201356",
        "0 470 12 34 56",
        "\uff10\uff14\uff17\uff10\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width digits
    ],
)
def test_a_log_line_blanks_a_number_however_it_is_written(number):
    from ivr.logs import scrub

    assert scrub(f"call back on {number} today") == "call back on [number] today"


def test_a_log_line_keeps_what_is_no_ones_number():
    from ivr.logs import scrub

    line = "call=CA0123456789abcdef0123456789abcdef line=1712 at 2026-11-25 10:30, 107, 116 000"
    assert scrub(line) == line
    many = "0470 12 34 56 " * 700  # too long for the matcher: each blanked all the same
    assert scrub(many).split() == ["[number]"] * 700


def test_a_status_callback_that_fails_is_answered_200_and_the_sweep_deletes_the_call(
    private_app, twilio, clock, monkeypatch
):
    """An error would have Twilio's Debugger keep the request, the caller's number in it,
    where we cannot delete it; the sweep of ended calls finds the call at Twilio instead."""

    def broken(*_):
        raise RuntimeError("a bug")

    with monkeypatch.context() as patched:
        patched.setattr(service_of(private_app).privacy, "call_ended", broken)
        answer = status_callback(private_app, PARENT)
    assert answer.status_code == 200
    assert answer.get_data(as_text=True).endswith("<Response />")
    twilio.add_call(PARENT, to=EVC, ended=datetime.now(UTC) - timedelta(hours=2))
    clock.now = datetime.now(UTC) + timedelta(minutes=20)  # the sweep's next turn
    service_of(private_app).privacy.round()  # finds it, and queues it
    service_of(private_app).privacy.round()  # deletes it
    assert twilio.calls == {} and twilio.deleted("Calls") == [PARENT]
