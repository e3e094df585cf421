"""Stop it Now! Bruxelles: phone Monday 14-16, Wednesday 17-19, Friday 10-12."""

import pytest
from support.helpers import STOP_IT_NOW, STOP_IT_NOW_SHOWS

TEAM = "+3220000002"


@pytest.mark.parametrize("at", ["2026-11-23 14:00", "2026-11-25 18:30", "2026-11-27 11:59"])
def test_open_anonymity_message_then_the_team(call, at):
    c = call(STOP_IT_NOW, at=at)
    assert "anonyme et confidentiel" in c.turn.text
    assert c.turn.dialled == [TEAM]
    assert c.turn.waiting.get("callerId") == STOP_IT_NOW_SHOWS


def test_closed_caller_hears_phone_and_chat_hours_email_and_emergency_numbers(call):
    c = call(STOP_IT_NOW, at="2026-11-24 15:00")  # Tuesday
    text = c.turn.text
    assert (
        "le lundi de 14 h à 16 h, le mercredi de 17 h à 19 h et le vendredi de 10 h à 12 h" in text
    )
    assert "tchat le lundi de 14 h à 16 h" in text
    assert "contact, arobase, stop it now, point, brussels" in text
    assert "112" in text and "101" in text
    assert "rouvre demain à 17 h" in text  # Wednesday 17:00
    assert c.turn.kind == "Gather"


def test_closed_key_1_repeats_the_information(call):
    c = call(STOP_IT_NOW, at="2026-11-24 15:00")
    first = c.turn.text
    again = c.press("1")
    assert "tchat le lundi" in again.text
    assert again.kind == "Gather"
    assert "Notre ligne téléphonique est ouverte" in first


def test_closed_silence_ends_with_where_to_turn(call):
    c = call(STOP_IT_NOW, at="2026-11-24 15:00")
    turn = c.silence()
    assert "107" in turn.text and "112" in turn.text
    assert turn.hung_up


def test_closed_wrong_keys_end_with_where_to_turn(call):
    c = call(STOP_IT_NOW, at="2026-11-24 15:00")
    c.press("7")
    turn = c.press("8")
    assert "Ce choix n'existe pas" in turn.text
    assert "107" in turn.text and turn.hung_up


def test_team_unavailable_gives_the_information(call):
    c = call(STOP_IT_NOW, at="2026-11-23 14:30")
    turn = c.dial_ends("no-answer")
    assert "pas disponibles" in turn.text
    assert "contact, arobase" in turn.text
    assert turn.kind == "Gather"


def test_closed_on_a_public_holiday_monday(call):
    c = call(STOP_IT_NOW, at="2026-04-06 14:30")  # Easter Monday
    assert c.turn.dialled == []
    assert "rouvre mercredi à 17 h" in c.turn.text
