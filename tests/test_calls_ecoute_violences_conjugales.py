"""Écoute Violences Conjugales: team Monday-Friday 09:00-19:00 except holidays, 107 otherwise."""

import pytest
from support.helpers import EVC, EVC_SHOWS

TEAM = "+3220000001"


def test_open_hours_caller_hears_not_an_emergency_line_and_reaches_the_team(call):
    c = call(EVC, at="2026-11-24 10:00")  # a Tuesday
    assert "Écoute Violences Conjugales" in c.turn.text
    assert "pas une ligne d'urgence" in c.turn.text
    assert "112" in c.turn.text and "101" in c.turn.text
    assert c.turn.kind == "Dial"
    assert c.turn.dialled == [TEAM]
    assert c.turn.waiting.get("callerId") == EVC_SHOWS


@pytest.mark.parametrize("status", ["busy", "no-answer", "failed", "canceled"])
def test_team_busy_or_silent_goes_on_to_107(call, status):
    c = call(EVC, at="2026-11-24 10:00")
    turn = c.dial_ends(status)
    assert "occupée" in turn.text
    assert turn.dialled == ["107"]
    assert turn.waiting.get("callerId") == EVC_SHOWS


def test_when_107_does_not_answer_either_the_caller_hears_where_to_turn(call):
    c = call(EVC, at="2026-11-24 10:00")
    c.dial_ends("busy")
    turn = c.dial_ends("no-answer")
    assert "107" in turn.text and "112" in turn.text and "101" in turn.text
    assert turn.hung_up


def test_after_a_conversation_the_call_ends(call):
    c = call(EVC, at="2026-11-24 10:00")
    turn = c.dial_ends("completed", duration=600)
    assert turn.hung_up and turn.heard == []


@pytest.mark.parametrize(
    "at",
    [
        "2026-11-24 08:59",  # before opening
        "2026-11-24 19:00",  # closing time itself is closed: [09:00, 19:00)
        "2026-11-28 12:00",  # Saturday
        "2026-12-25 10:00",  # Christmas, a Friday
        "2027-05-06 10:00",  # Ascension Day, a Thursday
    ],
)
def test_closed_caller_hears_the_hours_and_goes_to_107(call, at):
    c = call(EVC, at=at)
    assert "du lundi au vendredi de 9 h à 19 h, sauf les jours fériés" in c.turn.text
    assert c.turn.dialled == ["107"]
    assert c.turn.waiting.get("callerId") == EVC_SHOWS


@pytest.mark.parametrize("at", ["2026-11-24 09:00", "2026-11-24 18:59"])
def test_open_at_the_edges_of_the_window(call, at):
    c = call(EVC, at=at)
    assert c.turn.dialled == [TEAM]
