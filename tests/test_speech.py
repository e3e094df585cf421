"""Hours, moments and numbers as the caller hears them, generated from the schedule."""

from datetime import UTC, datetime

import pytest
from support.helpers import brussels

from ivr.domain.schedule import ClosureDay, Schedule, weekly_windows
from ivr.domain.speech import number_groups, spoken_hours, spoken_moment, spoken_number

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)


def hours(rows, holidays=False, **kwargs) -> str:
    s = Schedule(
        "Europe/Brussels", weekly_windows(rows), closes_on_public_holidays=holidays, **kwargs
    )
    return spoken_hours(s, "fr", NOW)


def test_french_hours():
    assert (
        hours([("mon-fri", "09:00-19:00")], holidays=True)
        == "du lundi au vendredi de 9 h à 19 h, sauf les jours fériés"
    )
    assert (
        hours([("mon", "14:00-16:00"), ("wed", "17:00-19:00"), ("fri", "10:00-12:00")])
        == "le lundi de 14 h à 16 h, le mercredi de 17 h à 19 h et le vendredi de 10 h à 12 h"
    )
    assert hours([("every day", "10:00-24:00")]) == "tous les jours de 10 h à minuit"
    assert (
        hours([("mon-fri", "08:30-12:00, 13:00-17:30")])
        == "du lundi au vendredi de 8 h 30 à 12 h et de 13 h à 17 h 30"
    )
    assert hours([("sat,sun", "10:00-12:00")]) == "le samedi et le dimanche de 10 h à 12 h"
    assert hours([("fri", "22:00-02:00")]) == "le vendredi de 22 h à 2 h"
    assert spoken_hours(Schedule("Europe/Brussels", always_open=True), "fr", NOW) == (
        "jour et nuit, tous les jours"
    )


def test_a_change_of_hours_changes_what_callers_hear():
    assert "de 8 h à 20 h" in hours([("mon-fri", "08:00-20:00")])


EVC = Schedule(
    "Europe/Brussels",
    weekly_windows([("mon-fri", "09:00-19:00")]),
    closes_on_public_holidays=True,
    closure_days=(ClosureDay(7, 11, "x"),),
)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-24 07:00", "aujourd'hui à 9 h"),
        ("2026-11-24 20:00", "demain à 9 h"),
        ("2026-11-27 20:00", "lundi à 9 h"),
        ("2026-12-24 20:00", "lundi à 9 h"),  # Christmas Friday skipped
        ("2026-12-18 20:00", "lundi à 9 h"),
    ],
)
def test_when_the_line_opens_next(now, expected):
    at = brussels(now)
    assert spoken_moment(EVC.next_opening(at), at, EVC, "fr") == expected


def test_far_away_dates_are_said_with_the_month():
    closed_long = Schedule(
        "Europe/Brussels", weekly_windows([("mon-fri", "09:00-19:00")]), closure_days=()
    )
    at = brussels("2026-11-24 20:00")
    later = brussels("2027-01-04 09:00")
    assert spoken_moment(later, at, closed_long, "fr") == "le 4 janvier à 9 h"


@pytest.mark.parametrize(
    ("number", "groups"),
    [
        ("107", ["107"]),
        ("1712", ["17", "12"]),
        ("116000", ["116000"]),
        ("+3280030030", ["0800", "30", "030"]),
        ("+3280014112", ["0800", "14", "112"]),
        ("+3224754411", ["02", "475", "44", "11"]),
        ("+3271314779", ["071", "31", "47", "79"]),
        ("+32470123456", ["0470", "12", "34", "56"]),
    ],
)
def test_numbers_in_the_groups_people_say(number, groups):
    assert number_groups(number) == groups


@pytest.mark.parametrize(
    ("number", "lang", "spoken"),
    [
        ("+3280030030", "fr", "zéro huit cents, trente, zéro trente"),
        ("+3280030030", "nl", "nul achthonderd, dertig, nul dertig"),
        ("+3280030030", "de", "null achthundert, dreißig, null dreißig"),
        ("+3280030030", "en", "oh eight hundred, three oh, oh three oh"),
        ("107", "en", "one oh seven"),
        ("116000", "en", "one one six oh oh oh"),
        ("+3280098100", "fr", "zéro huit cents, nonante-huit, cent"),  # Belgian French
        ("107", "fr", "cent sept"),
        ("106", "nl", "honderdzes"),
        ("116000", "fr", "cent seize mille"),
        ("1712", "nl", "zeventien, twaalf"),
        ("1712", "fr", "dix-sept, douze"),
    ],
)
def test_numbers_in_words(number, lang, spoken):
    assert spoken_number(number, lang) == spoken
