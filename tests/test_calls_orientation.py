"""The information line: emergency numbers first, then a menu by situation; each choice names
the service, its number and hours, and offers a transfer only while the service is open."""

import pytest
from support.helpers import EVC_SHOWS, ORIENTATION, TEAM_EVC


def test_emergency_numbers_come_before_the_menu(call):
    c = call(ORIENTATION, at="2026-11-24 10:00")
    text = c.turn.text
    assert text.index("112") < text.index("tapez 1")
    assert "101" in text
    assert c.turn.kind == "Gather"
    assert c.turn.waiting.get("numDigits") == "1"


def test_children_in_the_evening_ecoute_enfants_is_open_and_offered(call):
    c = call(ORIENTATION, at="2026-11-24 23:30")
    turn = c.press("3")
    assert (
        "Écoute-Enfants" in turn.text
        and "Appelez le cent trois, tous les jours de 10 h à minuit" in turn.text
    )
    assert "tapez 1" in turn.text
    turn = c.press("1")
    assert turn.dialled == ["103"]
    assert turn.waiting.get("callerId") == ORIENTATION


def test_children_at_night_ecoute_enfants_is_closed_child_focus_is_offered(call):
    c = call(ORIENTATION, at="2026-11-25 03:00")
    turn = c.press("3")
    assert "Écoute-Enfants" in turn.text
    assert "fermé en ce moment" in turn.text and "aujourd'hui à 10 h" in turn.text
    assert "Child Focus" in turn.text and "cent seize mille" in turn.text
    assert turn.kind == "Gather"  # the Child Focus offer, open day and night
    turn = c.press("1")
    assert turn.dialled == ["116000"]


def test_school_line_offered_only_in_its_hours(call):
    c = call(ORIENTATION, at="2026-11-24 15:59")
    turn = c.press("5")
    assert "du lundi au vendredi de 9 h à 16 h" in turn.text
    assert "Pour être mis en relation maintenant avec Écoute École" in turn.text
    c = call(ORIENTATION, at="2026-11-24 16:00")
    turn = c.press("5")
    assert "mis en relation maintenant" not in turn.text
    assert "demain à 9 h" in turn.text
    assert "tapez 9" in turn.text  # back to the menu


def test_partner_violence_goes_into_the_evc_line_itself(call):
    c = call(ORIENTATION, at="2026-11-24 10:00")
    turn = c.press("1")
    assert "zéro huit cents, trente, zéro trente" in turn.text
    turn = c.press("1")
    # Straight into Écoute Violences Conjugales: its welcome, then its team.
    assert "Bienvenue à Écoute Violences Conjugales" in turn.text
    assert turn.dialled == [TEAM_EVC]
    # The team's phone shows Écoute Violences Conjugales' caller ID: the line that puts the
    # call through decides, never the caller's number.
    assert turn.waiting.get("callerId") == EVC_SHOWS


def test_partner_violence_at_night_reaches_107_through_evc(call):
    c = call(ORIENTATION, at="2026-11-24 22:00")
    c.press("1")
    turn = c.press("1")
    assert turn.dialled == ["107"]


def test_suicidal_thoughts_offers_the_prevention_centre(call):
    c = call(ORIENTATION, at="2026-11-24 03:00")
    turn = c.press("4")
    assert (
        "Centre de Prévention du Suicide" in turn.text
        and "zéro huit cents, trente-deux, cent vingt-trois" in turn.text
    )
    assert c.press("1").dialled == ["+3280032123"]


def test_busy_service_then_the_caller_hears_the_number_and_a_way_on(call):
    c = call(ORIENTATION, at="2026-11-24 03:00")
    c.press("2")
    c.press("1")
    turn = c.dial_ends("busy")
    assert (
        "Nous n'avons pas pu vous mettre en relation avec SOS Viol" in turn.text
        and "Raccrochez et composez le zéro huit cents, nonante-huit, cent" in turn.text
    )
    assert turn.kind == "Gather"  # back to the menu or someone to talk to


def test_nine_goes_back_to_the_main_menu_and_zero_to_someone_now(call):
    c = call(ORIENTATION, at="2026-11-24 03:00")
    c.press("2")
    c.silence()  # declines the transfer offer
    turn = c.press("9")
    assert "Pour des violences dans le couple, tapez 1" in turn.text
    c.press("2")
    c.silence()
    assert c.press("0").dialled == ["107"]


def test_silent_caller_is_put_through_to_someone(call):
    c = call(ORIENTATION, at="2026-11-24 10:00")
    turn = c.silence()
    assert "Couple, 1" in turn.text  # the shorter prompt
    turn = c.silence()
    assert turn.dialled == ["107"]


@pytest.mark.parametrize("keys", [["7", "8", "*"], ["12", "x", ""]])
def test_wrong_keys_three_times_lead_to_someone_to_talk_to(call, keys):
    c = call(ORIENTATION, at="2026-11-24 10:00")
    for key in keys[:-1]:
        turn = c.press(key)
        assert "Ce choix n'existe pas" in turn.text and turn.kind == "Gather"
    turn = c.press(keys[-1])
    assert turn.dialled == ["107"]


@pytest.mark.parametrize(
    ("utc_time", "offered"),
    [
        ("2026-03-29T07:59:00+00:00", False),  # 09:59 CEST on the day clocks go forward
        ("2026-03-29T08:00:00+00:00", True),  # 10:00 CEST
        ("2026-10-25T08:59:00+00:00", False),  # 09:59 CET on the day clocks go back
        ("2026-10-25T09:00:00+00:00", True),  # 10:00 CET
        ("2026-10-25T22:59:00+00:00", True),  # 23:59 CET
        ("2026-10-25T23:00:00+00:00", False),  # midnight
    ],
)
def test_ecoute_enfants_hours_hold_on_daylight_saving_days(app, clock, utc_time, offered):
    from datetime import datetime

    from support.helpers import Call

    clock.now = datetime.fromisoformat(utc_time)
    c = Call(app, ORIENTATION)
    c.start()
    c.press("1")  # français
    turn = c.press("3")
    offer = "Pour être mis en relation maintenant avec Écoute-Enfants" in turn.text
    assert offer is offered
