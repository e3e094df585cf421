"""Hours that change on a date: weekly hours from or until a date, exceptions that name
weekdays; and the dated rules `ivr check` warns about because they do nothing."""

import pytest
from support.helpers import EVC, Call, brussels, check, edit, line_of

from ivr.app import create_app
from ivr.domain.schedule import Schedule, hours_change, weekly_windows
from ivr.domain.speech import spoken_hours

EVC_FILE = "ecoute-violences-conjugales.yaml"
TEAM = "+3220000001"
AFTER_HOLIDAYS = "  public_holidays: closed\n"


def with_schedule(config_copy, text: str):
    path = config_copy / EVC_FILE
    edit(path, AFTER_HOLIDAYS, AFTER_HOLIDAYS + text)
    return path


def reached(config_copy, clock, at: str) -> list[str]:
    clock.now = brussels(at)
    return Call(create_app(config_copy, clock=clock), EVC).start().dialled


def quiet_check(config_copy, capsys) -> None:
    """The check passes, and says nothing about the schedule."""
    code, out = check(config_copy, capsys)
    assert code == 0, out
    assert not [o for o in out if EVC_FILE in o and "placeholder" not in o], out


# -- weekly hours from a date ----------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        # Opening one hour later on Wednesdays from December: under hours ...
        "",
        # ... or as an exception that names the weekday.
        "  exceptions:\n    - every wed from 2026-12-01: 10:00-19:00\n",
    ],
)
def test_opening_later_on_wednesdays_from_a_date(config_copy, capsys, clock, written):
    if written:
        with_schedule(config_copy, written)
    else:
        edit(
            config_copy / EVC_FILE,
            "    mon-fri: 09:00-19:00\n",
            "    mon-fri: 09:00-19:00\n    wed from 2026-12-01: 10:00-19:00\n",
        )
    quiet_check(config_copy, capsys)
    assert reached(config_copy, clock, "2026-11-25 09:30") == [TEAM]  # a Wednesday before
    assert reached(config_copy, clock, "2026-12-02 09:30") == ["107"]  # the first after
    assert reached(config_copy, clock, "2026-12-02 10:00") == [TEAM]
    assert reached(config_copy, clock, "2026-12-03 09:30") == [TEAM]  # Thursday is as it was


def test_hours_between_two_dates_then_back(config_copy, capsys, clock):
    edit(
        config_copy / EVC_FILE,
        "    mon-fri: 09:00-19:00\n",
        "    mon-fri: 09:00-19:00\n"
        "    sat from 2026-12-01 until 2026-12-31: 10:00-12:00\n"
        "    mon-fri from 2027-07-01 until 2027-08-31: 10:00-16:00\n",
    )
    quiet_check(config_copy, capsys)
    assert reached(config_copy, clock, "2026-12-05 11:00") == [TEAM]
    assert reached(config_copy, clock, "2027-01-02 11:00") == ["107"]
    assert reached(config_copy, clock, "2027-07-05 09:30") == ["107"]
    assert reached(config_copy, clock, "2027-07-05 15:30") == [TEAM]
    assert reached(config_copy, clock, "2027-09-06 09:30") == [TEAM]


def test_public_holidays_still_close_a_day_whose_hours_changed(config_copy, clock):
    with_schedule(config_copy, "  exceptions:\n    - every fri from 2026-12-01: 08:00-19:00\n")
    assert reached(config_copy, clock, "2026-12-18 08:30") == [TEAM]
    assert reached(config_copy, clock, "2026-12-25 08:30") == ["107"]  # Christmas, a Friday


def test_days_grouped_with_commas(config_copy, capsys, clock):
    edit(
        config_copy / EVC_FILE,
        "    mon-fri: 09:00-19:00\n",
        "    mon-tue, thu-fri: 09:00-19:00\n    wed: 10:00-19:00\n",
    )
    quiet_check(config_copy, capsys)
    assert reached(config_copy, clock, "2026-11-25 09:30") == ["107"]
    assert reached(config_copy, clock, "2026-11-26 09:30") == [TEAM]


def test_the_change_that_starts_last_wins_and_callers_hear_the_hours_of_the_day():
    schedule = Schedule(
        "Europe/Brussels",
        weekly_windows([("mon-fri", "09:00-19:00")]),
        closes_on_public_holidays=True,
        changes=(
            hours_change("wed from 2027-01-01", "11:00-19:00"),
            hours_change("wed from 2026-12-01", "10:00-19:00"),
        ),
    )
    assert not schedule.is_open(brussels("2027-01-06 10:30"))
    assert schedule.is_open(brussels("2026-12-09 10:30"))
    assert spoken_hours(schedule, "fr", brussels("2026-11-24 10:00")) == (
        "du lundi au vendredi de 9 h à 19 h, sauf les jours fériés"
    )
    assert spoken_hours(schedule, "fr", brussels("2026-12-09 10:00")) == (
        "le lundi et le mardi de 9 h à 19 h, le mercredi de 10 h à 19 h et le jeudi et le "
        "vendredi de 9 h à 19 h, sauf les jours fériés"
    )


@pytest.mark.parametrize("at", ["2026-12-01 20:00", "2026-11-26 20:00"])
def test_on_the_eve_of_a_change_callers_hear_the_hours_of_the_coming_days(config_copy, clock, at):
    """The line reopens on the first Wednesday of the new hours: what the caller hears of
    the week agrees with when it reopens (Tuesday evening, or the Thursday before)."""
    with_schedule(config_copy, "  exceptions:\n    - every wed from 2026-12-02: 10:00-19:00\n")
    clock.now = brussels(at)
    heard = Call(create_app(config_copy, clock=clock), EVC).start().text
    assert "le mercredi de 10 h à 19 h" in heard
    assert "du lundi au vendredi de 9 h à 19 h" not in heard


# -- what ivr check says -----------------------------------------------------------------------


def only_error(config_copy, capsys) -> str:
    code, out = check(config_copy, capsys)
    assert code == 1, out
    assert out[-1] == "1 error(s): callers would meet them; fix them before starting.", out
    return out[0]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "    wed from 2026-12-32: 10:00-19:00\n",
            "'2026-12-32' is not a date; write it year-month-day, such as 2026-12-01",
        ),
        (
            "    wed from 2027-01-31 until 2027-01-01: 10:00-19:00\n",
            "'wed from 2027-01-31 until 2027-01-01' ends on 2027-01-01 before it starts on "
            "2027-01-31; write the first day after 'from' and the last after 'until'",
        ),
        (
            "    woensdag from 2027-01-01: 10:00-19:00\n",
            "'woensdag' is not a day or a range of days; days are written short and in English: "
            "wed",
        ),
        (
            "    wed from 2027-01-01: 10:00-20:00, 19:00-21:00\n",
            "wed 10:00-20:00 overlaps wed 19:00-21:00",
        ),
    ],
)
def test_a_wrong_dated_row_is_one_error_at_its_line(config_copy, capsys, row, message):
    path = config_copy / EVC_FILE
    edit(path, "    mon-fri: 09:00-19:00\n", "    mon-fri: 09:00-19:00\n" + row)
    assert only_error(config_copy, capsys) == f"{path}:{line_of(path, row.strip())}: {message}"


def test_hours_always_cannot_change_on_a_date(config_copy, capsys):
    path = config_copy / "orientation.yaml"
    edit(
        path,
        "  hours: always",
        "  hours: always\n  exceptions:\n    - every sun from 2027-01-01: closed",
    )
    assert only_error(config_copy, capsys) == (
        f"{path}:{line_of(path, 'every sun')}: 'hours: always' is open day and night, so its "
        "hours cannot change on a date; write the week out instead ('every day: 00:00-24:00') "
        "and change that"
    )


@pytest.mark.parametrize(
    ("written", "at", "message"),
    [
        (
            "  exceptions:\n    - dates: 2020-12-24\n      status: closed\n"
            "      reason: Réveillon\n",
            "2020-12-24",
            "this exception ended on 2020-12-24 (Réveillon); remove it",
        ),
        (
            "  exceptions:\n    - every sat from 2020-01-01 until 2020-12-31: 10:00-12:00\n",
            "every sat",
            "these hours ended on 2020-12-31; remove the row",
        ),
        (
            # 26 December 2027 is a Sunday: closed anyway.
            "  exceptions:\n    - dates: 2027-12-26\n      status: closed\n      reason: x\n",
            "2027-12-26",
            "this exception changes nothing: the line is closed then anyway (outside weekly "
            "hours); remove it, or check its dates and hours",
        ),
        (
            "  exceptions:\n    - dates: 2027-12-24..2027-12-25\n      hours: 20:00-23:00\n"
            "      status: closed\n      reason: x\n",
            "2027-12-24",
            "this exception changes nothing: the line is closed then anyway (outside weekly "
            "hours); remove it, or check its dates and hours",
        ),
        (
            "  exceptions:\n    - dates: 2027-12-23\n      hours: 10:00-12:00\n"
            "      status: open\n      reason: x\n",
            "2027-12-23",
            "this exception changes nothing: the line is open then anyway (weekly hours); remove "
            "it, or check its dates and hours",
        ),
        (
            "  exceptions:\n    - every wed from 2027-01-01: 09:00-19:00\n",
            "every wed",
            "these hours change nothing: the line's hours on those days are 09:00-19:00 then "
            "anyway; remove the row, or check its hours",
        ),
    ],
)
def test_a_dated_rule_that_does_nothing_is_a_warning(config_copy, capsys, written, at, message):
    path = with_schedule(config_copy, written)
    code, out = check(config_copy, capsys)
    assert code == 0, out
    assert [o for o in out if o.startswith(str(path))] == [
        f"{path}:{line_of(path, at)}: warning: {message}"
    ]


# -- windows over midnight: swapped hours ----------------------------------------------------

SWAPPED = (
    "12:00-10:00 is open 22 hours over midnight, until 10:00 the next day: if its hours are "
    "swapped, write 10:00-12:00. A night window is written from its opening to its closing, "
    "such as 20:00-02:00; to be open more than 12 hours over midnight, write 12:00-24:00 on "
    "this day and 00:00-10:00 on the next"
)


def test_hours_written_the_wrong_way_round_are_warned_about(config_copy, capsys, clock):
    """In a trial, `fri: 12:00-10:00` rang the team's phone at 3 a.m. without a word."""
    path = config_copy / "stop-it-now.yaml"
    edit(path, "    fri: 10:00-12:00\n", "    fri: 12:00-10:00\n")
    code, out = check(config_copy, capsys)
    assert code == 0, out  # a warning: a long night may be meant
    assert [o for o in out if o.startswith(str(path)) and "placeholder" not in o] == [
        f"{path}:{line_of(path, 'fri: 12:00-10:00')}: warning: {SWAPPED}"
    ]
    # The way the warning says to write a long night is read as the same hours, and quietly.
    edit(path, "    fri: 12:00-10:00\n", "    fri: 12:00-24:00\n    sat: 00:00-10:00\n")
    code, out = check(config_copy, capsys)
    assert code == 0 and not [o for o in out if o.startswith(str(path)) and "placeholder" not in o]


@pytest.mark.parametrize(
    ("written", "at"),
    [
        ("  exceptions:\n    - every wed from 2027-01-06: 12:00-10:00\n", "every wed"),
        (
            "  exceptions:\n    - dates: 2027-12-23\n      hours: 12:00-10:00\n"
            "      status: open\n      reason: x\n",
            "hours: 12:00-10:00",
        ),
    ],
)
def test_swapped_hours_are_warned_about_in_exceptions_too(config_copy, capsys, written, at):
    path = with_schedule(config_copy, written)
    _, out = check(config_copy, capsys)
    assert f"{path}:{line_of(path, at)}: warning: {SWAPPED}" in out, out


def test_a_night_of_12_hours_is_said_nothing_about_and_longer_ones_fold(config_copy, capsys):
    path = config_copy / EVC_FILE
    edit(path, "    mon-fri: 09:00-19:00\n", "    mon-thu: 20:00-08:00\n")
    quiet_check(config_copy, capsys)
    edit(path, "    mon-thu: 20:00-08:00\n", "    mon-thu: 19:00-08:00\n")
    other = config_copy / "1712.yaml"
    edit(other, "    mon-fri: 09:00-17:00\n", "    mon-fri: 17:00-09:00\n")
    _, out = check(config_copy, capsys)
    said = [o for o in out if "over midnight" in o]
    assert said == [
        f"{other}:{line_of(other, '17:00-09:00')}: warning: 17:00-09:00 is open 16 hours over "
        "midnight, until 09:00 the next day: if its hours are swapped, write 09:00-17:00. A "
        "night window is written from its opening to its closing, such as 20:00-02:00; to be "
        "open more than 12 hours over midnight, write 17:00-24:00 on this day and 00:00-09:00 "
        f"on the next (and 1 more like it: {EVC_FILE}:{line_of(path, '19:00-08:00')})"
    ], out


def test_an_exception_that_closes_part_of_an_open_day_is_said_nothing_about(config_copy, capsys):
    with_schedule(
        config_copy,
        "  exceptions:\n    - dates: 2027-12-24\n      hours: 14:00-24:00\n"
        "      status: closed\n      reason: Réveillon\n",
    )
    quiet_check(config_copy, capsys)


def test_a_repeated_rule_is_said_once_at_the_copy(config_copy, capsys):
    """Both told "remove it", an operator would remove both, and the closure with them."""
    closure = "    - dates: 2027-12-24\n      status: closed\n      reason: Réveillon\n"
    path = with_schedule(
        config_copy,
        "  exceptions:\n"
        + closure
        + closure.replace("Réveillon", "fermé")
        + "    - every wed from 2027-01-06: 10:00-19:00\n"
        + "    - every wed from 2027-01-06: 10:00-19:00\n",
    )
    code, out = check(config_copy, capsys)
    assert code == 0, out
    lines = [n for n, text in enumerate(path.read_text().splitlines(), 1) if "2027-12-24" in text]
    rows = [n for n, text in enumerate(path.read_text().splitlines(), 1) if "every wed" in text]
    assert [o for o in out if o.startswith(str(path))] == [
        f"{path}:{lines[1]}: warning: this exception repeats the one at line {lines[0]}; remove "
        "one of the two",
        f"{path}:{rows[1]}: warning: these hours repeat those at line {rows[0]}; remove one of "
        "the two",
    ]


def test_exceptions_that_change_nothing_fold_apart_when_open_and_closed(config_copy, capsys):
    path = with_schedule(
        config_copy,
        "  exceptions:\n    - dates: 2027-12-26\n      status: closed\n      reason: x\n"
        "    - dates: 2027-12-23\n      hours: 10:00-12:00\n      status: open\n      reason: y\n",
    )
    _, out = check(config_copy, capsys)
    said = [o for o in out if o.startswith(str(path))]
    assert len(said) == 2 and not [o for o in said if "more like it" in o], said


def test_two_rows_from_a_date_that_overlap_each_other_are_refused(config_copy, capsys):
    path = config_copy / EVC_FILE
    edit(
        path,
        "    mon-fri: 09:00-19:00\n",
        "    mon-fri: 09:00-19:00\n"
        "    fri from 2026-12-01: 20:00-03:00\n"
        "    sat from 2026-12-01: 01:00-05:00\n",
    )
    assert only_error(config_copy, capsys).startswith(
        f"{path}:{line_of(path, 'fri from')}: with the hours in force around 2026-12-01, those "
        "of 2026-12-04 (until 03:00) overlap those of 2026-12-05 (from 01:00); a line cannot "
        "open twice at the same time"
    )
    edit(path, "sat from 2026-12-01: 01:00-05:00", "sat from 2026-12-01: 03:00-05:00")
    quiet_check(config_copy, capsys)


def test_a_row_of_hours_among_the_exceptions_may_carry_a_reason(config_copy, capsys, clock):
    with_schedule(
        config_copy,
        "  exceptions:\n    - every wed from 2026-12-01: 10:00-19:00\n"
        "      reason: réunion d'équipe le mercredi matin\n",
    )
    quiet_check(config_copy, capsys)
    assert reached(config_copy, clock, "2026-12-02 09:30") == ["107"]


@pytest.mark.parametrize(
    ("written", "at", "message"),
    [
        (
            "    - wed from 2026-12-01: 10:00-19:00\n      reason: x\n",
            "wed from",
            "to change the hours of some days here, start the row with 'every': '- every wed "
            "from 2026-12-01: 10:00-19:00'",
        ),
        (
            "    - every wed from 2026-12-01: 10:00-19:00\n      status: closed\n",
            "status: closed",
            "'every wed from 2026-12-01: …' is an exception of its own, which only 'reason:' "
            "may go with: write 'status' in another '- ' item",
        ),
    ],
)
def test_a_row_of_hours_written_as_an_exception_is_one_error(
    config_copy, capsys, written, at, message
):
    path = with_schedule(config_copy, "  exceptions:\n" + written)
    assert only_error(config_copy, capsys) == f"{path}:{line_of(path, at)}: {message}"


def test_rows_of_hours_not_indented_under_hours_is_one_error(config_copy, capsys):
    path = config_copy / EVC_FILE
    edit(path, "    mon-fri: 09:00-19:00\n", "  mon-fri: 09:00-19:00\n")
    assert only_error(config_copy, capsys) == (
        f"{path}:{line_of(path, 'mon-fri')}: 'mon-fri' is a row of hours, but it is not indented "
        f"under 'hours:' (line {line_of(path, 'hours:')}): indent it further than 'hours:'"
    )
