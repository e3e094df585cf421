"""The Twilio thread's work, each piece on its own, and what a caller is told about a message:
a recording Twilio does not have holds up no other work and is given up in the open; a caller
is told a message is kept only when it is (on disk, or in the database), and the reconcile
round still takes in the ones that were not; the sweep of ended calls is right when Twilio
reads its `EndTime<` filter to the day only; a full spool leaves nothing behind; a message
stored as usual logs no error. All on loopback, against the stand-in for Twilio's REST API."""

import logging
import os
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
import sqlalchemy
from cryptography.fernet import Fernet
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
    add_message,
    brussels,
    check,
    edit,
    metric,
    service_of,
    wav,
)

from ivr.app import create_app
from ivr.cli import main
from ivr.runtime.journal import Journal
from ivr.store.forget import TRIES
from ivr.twilio.standin import TwilioStandIn

AWAY = "postgresql+psycopg://ivr:ivr@127.0.0.1:9/none?connect_timeout=1"  # nothing listens
AUDIO = os.urandom(8_000)
MISSING = "RE" + "9" * 32  # a recording Twilio answers 404 for
ONLY_AT_TWILIO = "RE" + "8" * 32
PARENT = "CA" + "a" * 32
OTHER = "CA" + "b" * 32
MESSAGE_CALL = "CA" + "c" * 32


def leave_message(app, sid: str, call_sid: str = MESSAGE_CALL):
    """A French caller of 1712 (closed at 20:00) leaves a message: what they hear after it."""
    c = Call(app, LINE_1712, sid=call_sid)
    c.start()
    c.press("2")  # French
    c.press("2")  # a message, for a callback
    return c.leave_message(sid=sid)


def utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def status_text(capsys) -> str:
    assert main(["privacy", "status"]) == 0
    return capsys.readouterr().out


# -- item 2: each piece of Twilio work fails on its own ---------------------------------------


def test_a_recording_twilio_does_not_have_holds_up_no_other_work(
    private_app, twilio, clock, caplog, capsys
):
    service = service_of(private_app)
    work, store = service.privacy, service.store
    clock.now = brussels("2026-11-24 19:50")
    leave_message(private_app, MISSING)  # Twilio has no such recording
    twilio.add_call(PARENT, to=EVC, ended=utc(clock.now - timedelta(hours=3)))  # end missed
    twilio.add_call(OTHER, to=LINE_1712, ended=utc(clock.now - timedelta(hours=1)))
    twilio.add_recording(ONLY_AT_TWILIO, OTHER, AUDIO, clock.now - timedelta(hours=1))
    add_message(store, "1712", clock.now - timedelta(days=100), audio=wav(0.1), n=7)
    caplog.set_level(logging.INFO)

    clock.now += timedelta(minutes=1)
    work.round()  # Twilio's 404 for a message this young may mean "not ready": tried again
    assert f"a message's audio to take in ({MISSING}) failed" in status_text(capsys)

    clock.now += timedelta(minutes=15)  # now it means gone; and the reconcile round is due
    work.round()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [
        f"message 1: Twilio has no recording {MISSING}, so its audio is lost (the message's "
        "details are kept; it is not asked for again)"
    ]
    assert metric(private_app, "ivr_messages_total", event="audio lost") >= 1
    out = status_text(capsys)
    assert f"GIVEN UP: a message's audio to take in ({MISSING}), after {TRIES} tries" in out
    assert "the audio is lost" in out
    # In the same round, all the rest:
    assert store.forget.status()["waiting"].get("call") == 2  # calls whose end we missed
    # The old message purged, the one only Twilio had taken in:
    assert {m["recording_sid"] for m in store.messages.list()} == {MISSING, ONLY_AT_TWILIO}

    clock.now += timedelta(minutes=2)
    work.round()
    assert PARENT not in twilio.calls and OTHER not in twilio.calls  # deleted at Twilio
    taken = next(m for m in store.messages.list() if m["recording_sid"] == ONLY_AT_TWILIO)
    assert Fernet(MESSAGE_KEY).decrypt(store.messages.get(taken["id"])["audio"]) == AUDIO
    assert twilio.recordings == {}

    def asked() -> int:
        return sum(1 for s in twilio.sent if f"/Recordings/{MISSING}." in s.path)

    before = asked()
    clock.now += timedelta(hours=3)
    work.round()
    assert asked() == before  # never asked for again
    assert main(["voicemails"]) == 0  # its details stay, and counsellors are told the truth
    (listed,) = [line for line in capsys.readouterr().out.splitlines() if MISSING in line]
    assert "(audio lost)" in listed
    assert main(["voicemails", "play", "1"]) == 1
    assert "audio is lost: Twilio no longer had the recording" in capsys.readouterr().err
    clock.now += timedelta(days=91)  # purged in its time: what was given up goes with it
    work.round()
    assert store.messages.list() == [] and store.forget.status()["waiting"] == {}


def test_a_call_twilio_keeps_refusing_to_delete_is_given_up_in_the_open_and_retried_on_demand(
    private_app, twilio, clock, capsys, caplog
):
    service = service_of(private_app)
    for sid in (PARENT, OTHER):
        twilio.add_call(sid)
        Call(private_app, EVC, sid=sid).post("/voice/status", {"CallStatus": "completed"})
    twilio.fail("DELETE", "Calls", 500, 20500, times=1000, sid=PARENT)
    gave_up = metric(private_app, "ivr_twilio_deletions_total", kind="call", result="gave up")

    def deletes() -> int:
        return sum(1 for s in twilio.sent if s.method == "DELETE" and PARENT in s.path)

    for _ in range(TRIES + 3):  # each round past the back-off of the one before
        clock.now += timedelta(minutes=61)
        service.privacy.round()
    assert OTHER not in twilio.calls  # the other call's record went at the first round
    assert PARENT in twilio.calls and deletes() == TRIES  # then no more tries
    after = metric(private_app, "ivr_twilio_deletions_total", kind="call", result="gave up")
    assert after == gave_up + 1
    assert f"deleting a call at Twilio: gave up after {TRIES} tries" in caplog.text
    out = status_text(capsys)
    assert f"GIVEN UP: a call, after {TRIES} tries: HTTP 500" in out
    assert PARENT not in out and CALLER.lstrip("+") not in out  # nothing that leads to a caller

    twilio.failures.clear()  # Twilio works again; an operator has it tried again
    assert main(["privacy", "retry"]) == 0
    assert "1 piece(s) of work given up" in capsys.readouterr().out
    clock.now = datetime.now(UTC) + timedelta(minutes=1)  # the command's time is the real one
    service.privacy.round()
    assert twilio.calls == {}
    assert "GIVEN UP" not in status_text(capsys)


def test_twilio_failing_to_list_its_recordings_stops_neither_the_deletions_nor_the_purge(
    private_app, twilio, clock
):
    service = service_of(private_app)
    store = service.store
    old = add_message(store, "1712", clock.now - timedelta(days=100), audio=wav(0.1))
    twilio.add_call(PARENT)
    Call(private_app, EVC, sid=PARENT).post("/voice/status", {"CallStatus": "completed"})
    twilio.fail("GET", "Recordings", 500, 20500, times=3)  # the reconcile's listing
    clock.now += timedelta(hours=2)
    with pytest.raises(RuntimeError, match="reconcile: .*HTTP 500"):  # said by the thread's log
        service.privacy.round()
    assert PARENT not in twilio.calls
    assert store.messages.get(old) is None


def test_a_recording_whose_call_twilio_cannot_show_waits_then_is_taken_in_all_the_same(
    private_app, twilio, clock
):
    service = service_of(private_app)
    twilio.add_call(OTHER, to=LINE_1712)
    twilio.add_recording(ONLY_AT_TWILIO, OTHER, AUDIO, clock.now - timedelta(hours=1))
    twilio.fail("GET", "Calls", 500, 20500, times=1000, sid=OTHER)  # its call, not the list
    service.privacy.round()  # not an error of the round: that recording waits
    assert service.store.messages.list() == []
    clock.now += timedelta(days=1)
    service.privacy.round()  # a day of it: taken in, its line unknown, rather than never
    (row,) = service.store.messages.list()
    assert (row["recording_sid"], row["line"]) == (ONLY_AT_TWILIO, "unknown")


# -- item 4: a caller is told a message is kept only when it is ------------------------------


def test_with_the_spool_full_and_the_database_down_callers_hear_the_truth_and_nothing_is_lost(
    private_app, twilio, clock, full_spool, caplog
):
    service = service_of(private_app)
    store = service.store
    working = store.engine
    clock.now = brussels("2026-11-24 20:00")
    Call(private_app, LINE_1712).start()  # the app is up; then the database stops
    store.engine = sqlalchemy.create_engine(AWAY)
    told_before = metric(private_app, "ivr_calls_total", line="1712", outcome="voicemail not kept")
    caplog.set_level(logging.INFO)
    sids = [f"RE{n:032x}" for n in range(1, 4)]
    for n, sid in enumerate(sids, start=1):
        call_sid = f"CA{n:032x}"
        twilio.add_call(call_sid, to=LINE_1712, ended=utc(clock.now))  # as Twilio has them
        twilio.add_recording(sid, call_sid, AUDIO, clock.now)
        heard = leave_message(private_app, sid, call_sid)  # its callback is answered 200 too
        assert "bien enregistré" not in heard.text
        assert "votre message n'a pas pu être enregistré" in heard.text
        assert "107" in heard.text and "112" in heard.text and "101" in heard.text
        assert heard.hung_up
    told = metric(private_app, "ivr_calls_total", line="1712", outcome="voicemail not kept")
    assert told == told_before + 3
    assert [f for f in os.listdir(full_spool) if f != "filler"] == []  # no leftover either
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # nothing lost yet

    store.engine = working  # the database is back; Twilio still has every recording
    clock.now += timedelta(minutes=16)  # the reconcile round's next turn
    service.privacy.round()  # takes them in
    service.privacy.round()  # and their audio, each recording then deleted at Twilio
    rows = store.messages.list()
    assert sorted(r["recording_sid"] for r in rows) == sids
    assert {(r["line"], r["state"]) for r in rows} == {("1712", "new")}
    assert all(Fernet(MESSAGE_KEY).decrypt(store.messages.get(r["id"])["audio"]) for r in rows)
    assert twilio.recordings == {}


def test_with_the_spool_full_the_database_alone_keeps_the_message_and_the_caller_is_thanked(
    app, clock, full_spool
):
    clock.now = brussels("2026-11-24 20:00")
    heard = leave_message(app, "RE" + "7" * 32)
    assert "Votre message est bien enregistré" in heard.text
    assert [m["recording_sid"] for m in service_of(app).store.messages.list()] == ["RE" + "7" * 32]


def test_the_check_wants_every_language_to_say_a_message_was_not_kept(config_copy, capsys):
    prompts = config_copy.parent / "prompts"
    german = (prompts / "de.yaml").read_text(encoding="utf-8")
    cut = german[german.index("  voicemail_not_kept:") : german.index("  referral:")]
    edit(prompts / "de.yaml", cut, "")
    code, out = check(config_copy, capsys)
    assert code == 1
    assert any("de.yaml" in line and "voicemail_not_kept" in line for line in out), out
    # Said without the emergency numbers, on a way that has not said them before: the caller
    # would hang up without them.
    line = config_copy / "1712.yaml"
    edit(line, "[welcome, closed_hours, talk_now, emergency]", "[welcome]")
    edit(line, "  talk-now:\n", "  talk-now:\n    - say: emergency\n")
    english = (prompts / "en.yaml").read_text(encoding="utf-8")
    said = english[english.index("  voicemail_not_kept:") : english.index("  referral:")]
    edit(prompts / "en.yaml", said, "  voicemail_not_kept: Sorry, your message was lost.\n")
    edit(prompts / "de.yaml", "  referral:", cut + "  referral:")
    code, out = check(config_copy, capsys)
    assert any(
        "1712.yaml" in line
        and "callers in en can hear that their message could not be kept" in line
        and "112 and 101" in line
        for line in out
    ), out


# -- item 10: a full spool leaves nothing behind ----------------------------------------------


def test_a_full_spool_leaves_no_temporary_file_behind(full_spool):
    journal = Journal(full_spool)
    message = {
        "line": "1712",
        "received_at": datetime.now(UTC),
        "recording_url": "https://api.twilio.com/x",
        "duration_seconds": 12,
        "language": "fr",
    }
    for n in range(20):
        assert journal.write(dict(message, recording_sid=f"RE{n:032x}")) is False
    assert os.listdir(full_spool) == ["filler"]


def test_temporary_files_of_a_write_cut_short_are_swept_when_the_journal_is_flushed(
    tmp_path, store
):
    journal = Journal(tmp_path / "journal")
    journal.folder.mkdir()
    stale, fresh = journal.folder / ".RE1.123.tmp", journal.folder / ".RE2.124.tmp"
    for path in (stale, fresh):
        path.write_text("{")
    hour_ago = datetime.now().timestamp() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    journal.flush(store)
    assert not stale.exists() and fresh.exists()  # a write may be under way in that one


# -- item 13: the sweep, when Twilio reads EndTime< to the day only --------------------------


@pytest.fixture
def twilio_by_the_day(monkeypatch):
    standin = TwilioStandIn(ACCOUNT_SID, API_KEY, API_SECRET, dates_only=True)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_API_KEY", API_KEY)
    monkeypatch.setenv("TWILIO_API_SECRET", API_SECRET)
    monkeypatch.setenv("TWILIO_API_BASE", standin.base)
    monkeypatch.setenv("IVR_MESSAGE_KEYS", MESSAGE_KEY)
    yield standin
    standin.close()


def test_the_sweep_is_right_when_twilio_reads_end_time_to_the_day_only(twilio_by_the_day, clock):
    twilio = twilio_by_the_day
    clock.now = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    app = create_app(CONFIG, clock=clock)
    earlier_today, yesterday, just_now = ("CA" + c * 32 for c in "123")
    twilio.add_call(earlier_today, to=EVC, ended=datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    twilio.add_call(yesterday, to=EVC, ended=datetime(2026, 11, 23, 22, 0, tzinfo=UTC))
    twilio.add_call(just_now, to=EVC, ended=datetime(2026, 11, 24, 14, 30, tzinfo=UTC))
    twilio.add_recording(ONLY_AT_TWILIO, yesterday, AUDIO, clock.now - timedelta(hours=1))
    service_of(app).privacy.round()  # finds and queues them
    service_of(app).privacy.round()  # deletes them
    assert sorted(twilio.deleted("Calls")) == sorted([earlier_today, yesterday])
    assert list(twilio.calls) == [just_now]  # ended less than the delay ago: not yet
    asked = [unquote(s.path) for s in twilio.sent if "EndTime" in s.path]
    assert asked and all("EndTime<=2026-11-25" in path for path in asked)  # a date, as documented
    # The reconcile round, on the same dates-only filters, still finds its recording.
    assert [m["recording_sid"] for m in service_of(app).store.messages.list()] == [ONLY_AT_TWILIO]


# -- item 16: an ERROR means something is lost -----------------------------------------------


def test_a_message_stored_as_usual_logs_no_error(call, app, clock, caplog):
    caplog.set_level(logging.DEBUG)
    clock.now = brussels("2026-11-24 20:00")
    heard = leave_message(app, "RE" + "6" * 32)
    assert "bien enregistré" in heard.text
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert f"voicemail {'RE' + '6' * 32} stored" in caplog.text
