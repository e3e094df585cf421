"""1712: counsellors on working days 09:00-17:00, voicemail when they do not answer; when
closed, 107, the emergency numbers and the answering machine."""

import pytest
from support.helpers import CALLER, LINE_1712, service_of

COUNSELLORS = "+3220000003"


def test_open_not_an_emergency_number_then_the_counsellors(call):
    c = call(LINE_1712, at="2026-11-24 16:59")
    assert "n'est pas un numéro d'urgence" in c.turn.text
    assert c.turn.dialled == [COUNSELLORS]
    assert c.turn.waiting.get("callerId") == LINE_1712


def test_counsellors_do_not_answer_caller_leaves_a_message(call, app):
    c = call(LINE_1712, at="2026-11-24 11:00")
    turn = c.dial_ends("no-answer")
    assert "occupés" in turn.text and "après le bip" in turn.text
    assert turn.kind == "Record"
    assert int(turn.waiting.get("maxLength")) == 180
    turn = c.leave_message(seconds=42)
    assert "message est bien enregistré" in turn.text
    assert "107" in turn.text and turn.hung_up
    rows = service_of(app).store.messages.list()
    assert len(rows) == 1
    row = rows[0]
    assert row["line"] == "1712" and row["language"] == "fr"
    assert row["duration_seconds"] == 42
    assert row["recording_sid"] == "RE00000000000000000001"
    assert CALLER not in " ".join(str(v) for v in row.values())


def test_caller_who_records_nothing_still_hears_where_to_turn(call, app):
    c = call(LINE_1712, at="2026-11-24 11:00")
    c.dial_ends("busy")
    turn = c.record_nothing()
    assert "107" in turn.text and turn.hung_up
    assert service_of(app).store.messages.list() == []


@pytest.mark.parametrize(
    "at",
    ["2026-11-24 17:00", "2026-11-29 10:00", "2026-07-21 10:00", "2026-07-11 10:00"],
)
def test_closed_107_emergency_numbers_and_a_choice(call, at):
    c = call(LINE_1712, at=at)
    text = c.turn.text
    assert "fermé" in text and "du lundi au vendredi de 9 h à 17 h" in text
    assert "107" in text and "112" in text and "101" in text
    assert c.turn.kind == "Gather"


def test_flemish_community_day_falls_on_a_weekday_in_2025_and_closes_the_line(call):
    c = call(LINE_1712, at="2025-07-11 10:00")  # a Friday, not a national holiday
    assert c.turn.dialled == []


def test_closed_key_1_transfers_to_107(call):
    c = call(LINE_1712, at="2026-11-24 20:00")
    turn = c.press("1")
    assert turn.dialled == ["107"]
    assert turn.waiting.get("callerId") == LINE_1712


def test_closed_key_2_records_a_message_for_a_callback(call, app):
    c = call(LINE_1712, at="2026-11-24 20:00")
    turn = c.press("2")
    assert turn.kind == "Record"
    c.leave_message(seconds=5, sid="RE2")
    assert [r["recording_sid"] for r in service_of(app).store.messages.list()] == ["RE2"]


def test_closed_and_silent_caller_is_put_through_to_107(call):
    c = call(LINE_1712, at="2026-11-24 20:00")
    turn = c.silence()
    assert turn.kind == "Gather"  # asked once more
    turn = c.silence()
    assert turn.dialled == ["107"]


def test_twilio_sending_the_recording_twice_stores_it_once(call, app):
    c = call(LINE_1712, at="2026-11-24 20:00")
    c.press("2")
    record = c.turn.waiting
    c.leave_message(sid="RE3")
    extra = {"RecordingSid": "RE3", "RecordingUrl": "u", "RecordingStatus": "completed"}
    assert c.post(record.get("recordingStatusCallback"), extra).status_code == 200
    assert len(service_of(app).store.messages.list()) == 1
