"""Schedules on their own: no app, no clock but the instants given."""

from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.helpers import BRUSSELS, CONFIG, PROMPTS, brussels

from ivr import config as config_module
from ivr.domain.schedule import (
    ClosureDay,
    DatedException,
    Schedule,
    ScheduleError,
    minute,
    next_time_of_day,
    parse_days,
    parse_span,
    weekly_windows,
)


def schedule(rows, **kwargs) -> Schedule:
    return Schedule("Europe/Brussels", weekly_windows(rows), **kwargs)


EVC = schedule([("mon-fri", "09:00-19:00")], closes_on_public_holidays=True)


SHIPPED = config_module.load_or_raise(CONFIG, PROMPTS)
SHIPPED_SCHEDULES = [line.schedule for line in SHIPPED.lines.values()] + [
    service.schedule for service in SHIPPED.services.values()
]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- weekly windows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        ("2026-11-23 08:59:59", False),
        ("2026-11-23 09:00", True),
        ("2026-11-27 18:59:59", True),
        ("2026-11-27 19:00", False),
        ("2026-11-28 10:00", False),
        ("2026-11-29 10:00", False),
    ],
)
def test_half_open_windows(at, is_open):
    assert EVC.is_open(brussels(at)) is is_open


def test_the_clock_may_give_any_timezone():
    # 08:30 UTC is 09:30 in Brussels in winter.
    assert EVC.is_open(utc("2026-11-24 08:30"))
    assert not EVC.is_open(utc("2026-11-24 07:59"))


def test_a_window_over_midnight_belongs_to_the_day_it_starts():
    night = schedule([("fri", "22:00-02:00")], closes_on_public_holidays=True)
    assert night.is_open(brussels("2026-11-27 23:00"))
    assert night.is_open(brussels("2026-11-28 01:59"))  # Saturday morning
    assert not night.is_open(brussels("2026-11-28 02:00"))
    assert not night.is_open(brussels("2026-11-27 21:59"))
    # Christmas 2026 is a Friday: the whole night is closed, Saturday morning included.
    assert not night.is_open(brussels("2026-12-25 23:00"))
    assert not night.is_open(brussels("2026-12-26 01:00"))
    # 15 August 2026 is a Saturday: a holiday on the Saturday does not cut Friday's night.
    assert night.is_open(brussels("2026-08-15 01:00"))


def test_24_00_as_an_end_and_sunday_night_into_monday():
    late = schedule([("every day", "10:00-24:00")])
    assert late.is_open(brussels("2026-11-24 23:59:59"))
    assert not late.is_open(brussels("2026-11-25 00:00"))
    sunday = schedule([("sun", "20:00-08:00")])
    assert sunday.is_open(brussels("2026-11-30 07:00"))  # Monday morning


def test_several_windows_a_day():
    split = schedule([("mon-fri", "09:00-12:00, 13:00-17:00")])
    assert split.is_open(brussels("2026-11-24 11:00"))
    assert not split.is_open(brussels("2026-11-24 12:30"))
    assert split.is_open(brussels("2026-11-24 13:00"))


# -- public holidays ------------------------------------------------------------------------

BELGIAN_HOLIDAYS = sorted(
    holidays.country_holidays("BE", years=[2026, 2027], categories=("public",))
)


def test_the_holiday_list_is_the_one_we_expect():
    assert date(2026, 4, 6) in BELGIAN_HOLIDAYS  # Easter Monday
    assert date(2027, 5, 17) in BELGIAN_HOLIDAYS  # Whit Monday
    assert date(2026, 11, 11) in BELGIAN_HOLIDAYS
    assert len(BELGIAN_HOLIDAYS) == 24


@pytest.mark.parametrize("day", BELGIAN_HOLIDAYS, ids=str)
def test_closed_all_day_on_every_public_holiday_of_2026_and_2027(day):
    noon = datetime(day.year, day.month, day.day, 12).replace(tzinfo=EVC._zone)
    status = EVC.status(noon)
    assert not status.open
    assert status.reason.startswith("closed today:")


@pytest.mark.parametrize("day", BELGIAN_HOLIDAYS, ids=str)
def test_a_line_that_stays_open_on_holidays(day):
    open_on_holidays = schedule([("every day", "09:00-19:00")])
    noon = datetime(day.year, day.month, day.day, 12).replace(tzinfo=EVC._zone)
    assert open_on_holidays.is_open(noon)


def test_working_day_after_a_holiday_is_open():
    assert EVC.is_open(brussels("2026-12-28 09:00"))  # Monday after Christmas


def test_closure_days_every_year():
    flemish = schedule(
        [("mon-fri", "09:00-17:00")],
        closes_on_public_holidays=True,
        closure_days=(ClosureDay(7, 11, "Feest van de Vlaamse Gemeenschap"),),
    )
    assert not flemish.is_open(brussels("2025-07-11 10:00"))
    assert not flemish.is_open(brussels("2030-07-11 10:00"))
    assert flemish.is_open(brussels("2025-07-10 10:00"))
    assert flemish.status(brussels("2025-07-11 10:00")).reason.endswith("Vlaamse Gemeenschap")


# -- dated exceptions -----------------------------------------------------------------------


def exc(first, last=None, hours=(0, 1440), open_=False, reason="r"):
    last = last or first
    return DatedException(
        date.fromisoformat(first), date.fromisoformat(last), *hours, open_, reason
    )


def test_an_exception_wins_over_a_holiday_and_over_weekly_hours():
    s = schedule(
        [("mon-fri", "09:00-19:00")],
        closes_on_public_holidays=True,
        exceptions=(
            exc("2026-12-25", hours=(600, 720), open_=True, reason="Christmas morning"),
            exc("2026-12-24", hours=(840, 1440), reason="Christmas Eve afternoon"),
        ),
    )
    assert s.is_open(brussels("2026-12-25 10:00"))
    assert not s.is_open(brussels("2026-12-25 12:00"))
    assert s.is_open(brussels("2026-12-24 13:59"))
    assert not s.is_open(brussels("2026-12-24 14:00"))
    assert s.status(brussels("2026-12-24 15:00")).reason == "exception: Christmas Eve afternoon"


def test_the_shorter_exception_wins_where_two_overlap():
    s = schedule(
        [("mon-fri", "09:00-19:00")],
        exceptions=(
            exc("2026-12-28", "2027-01-01", reason="winter closure"),
            exc("2026-12-30", hours=(600, 720), open_=True, reason="open one morning"),
        ),
    )
    assert not s.is_open(brussels("2026-12-29 10:00"))
    assert s.is_open(brussels("2026-12-30 10:00"))
    assert not s.is_open(brussels("2026-12-30 13:00"))
    assert s.is_open(brussels("2027-01-04 09:00"))


# -- daylight saving ------------------------------------------------------------------------


def test_spring_forward_does_not_move_opening_hours():
    every_day = schedule([("every day", "09:00-19:00")])
    # 29 March 2026: clocks go from 02:00 to 03:00; 09:00 is 07:00 UTC, not 08:00.
    assert not every_day.is_open(utc("2026-03-29 06:59"))
    assert every_day.is_open(utc("2026-03-29 07:00"))
    assert every_day.is_open(utc("2026-03-28 08:00"))  # the day before: 09:00 CET
    assert not every_day.is_open(utc("2026-03-29 17:00"))  # 19:00 CEST


def test_fall_back_does_not_move_opening_hours():
    every_day = schedule([("every day", "09:00-19:00")])
    # 25 October 2026: clocks go from 03:00 back to 02:00.
    assert every_day.is_open(utc("2026-10-25 08:00"))  # 09:00 CET
    assert not every_day.is_open(utc("2026-10-25 07:59"))
    assert not every_day.is_open(utc("2026-10-24 17:00"))  # 19:00 CEST the day before


def test_night_window_across_the_clock_change_keeps_its_wall_clock_hours():
    night = schedule([("sat", "22:00-06:00")])
    # Saturday 28 March 22:00 CET to Sunday 29 March 06:00 CEST: seven real hours.
    s = night.status(brussels("2026-03-28 22:00"))
    assert s.open
    assert s.changes_at == utc("2026-03-29 04:00")
    # Saturday 24 October 22:00 CEST to Sunday 25 October 06:00 CET: nine real hours.
    s = night.status(brussels("2026-10-24 22:00"))
    assert s.changes_at == utc("2026-10-25 05:00")


# -- next change ----------------------------------------------------------------------------


def test_next_change_skips_weekend_and_holidays():
    # Thursday 24 Dec 2026 19:00 -> Friday 25 (Christmas) closed -> Monday 28 09:00.
    at = brussels("2026-12-24 19:30")
    assert EVC.next_change(at) == brussels("2026-12-28 09:00")
    assert EVC.next_change(brussels("2026-12-28 10:00")) == brussels("2026-12-28 19:00")


def test_always_open_has_no_next_change_and_never_closed_neither():
    always = Schedule("Europe/Brussels", always_open=True)
    assert always.is_open(brussels("2026-12-25 03:00"))
    assert always.next_change(brussels("2026-12-25 03:00")) is None
    never = Schedule("Europe/Brussels")
    assert never.next_change(brussels("2026-12-25 03:00")) is None


def test_next_opening_is_now_when_open():
    at = brussels("2026-11-24 10:00")
    assert EVC.next_opening(at) == at
    assert EVC.next_opening(brussels("2026-11-27 20:00")) == brussels("2026-11-30 09:00")


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        EVC.is_open(datetime(2026, 11, 24, 10))


# -- parsing --------------------------------------------------------------------------------


def test_parse_days():
    assert parse_days("mon-fri") == [0, 1, 2, 3, 4]
    assert parse_days("sat, sun") == [5, 6]
    assert parse_days("fri-mon") == [4, 5, 6, 0]
    assert parse_days("every day") == list(range(7))
    with pytest.raises(ScheduleError, match="'lun' is not a day"):
        parse_days("lun")


def test_parse_span():
    assert parse_span("09:00-19:00") == (540, 1140)
    assert parse_span("10:00-24:00") == (600, 1440)
    assert parse_span("22:00-02:00") == (1320, 1560)
    for bad, message in [
        ("9-19", "not a time"),
        ("24:00-02:00", "only as a closing time"),
        ("09:00-09:00", "same time"),
        ("09:00", "not a time window"),
        ("25:00-26:00", "not a time of day"),
    ]:
        with pytest.raises(ScheduleError, match=message):
            parse_span(bad)


def test_overlapping_windows_are_refused():
    with pytest.raises(ScheduleError, match="overlaps"):
        weekly_windows([("mon-fri", "09:00-12:00"), ("wed", "11:00-13:00")])
    with pytest.raises(ScheduleError, match="overlaps"):
        weekly_windows([("sun", "22:00-09:00"), ("mon", "08:00-12:00")])
    assert len(weekly_windows([("sun", "22:00-08:00"), ("mon", "08:00-12:00")])) == 2


def test_a_year_of_minutes_agrees_with_next_change():
    """Walking change to change gives the same answers as asking minute by minute."""
    s = schedule(
        [("mon-fri", "09:00-12:00, 13:00-17:00"), ("sat", "22:00-03:00")],
        closes_on_public_holidays=True,
    )
    at = brussels("2026-03-20 00:00")
    end = brussels("2026-04-10 00:00")
    while at < end:
        change = s.next_change(at)
        probe = at
        while probe < min(change, end):
            assert s.is_open(probe) == s.is_open(at)
            probe += timedelta(minutes=30)
        assert s.is_open(change) != s.is_open(at)
        at = change


@settings(max_examples=60, deadline=None)
@given(seconds=st.integers(0, 3 * 365 * 86400), within=st.integers(1, 59))
def test_nothing_a_schedule_answers_changes_within_a_minute(seconds, within):
    """What lets ivr.twilio.answers keep an answer for its minute (schedule.minute)."""
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    start -= timedelta(seconds=start.second, microseconds=start.microsecond)
    later = start + timedelta(seconds=within)
    assert minute(start) == minute(later)
    for schedule in SHIPPED_SCHEDULES:
        assert schedule.is_open(start) == schedule.is_open(later)
        if schedule.always_open:
            continue  # it never changes: asking when searches the whole horizon
        assert schedule.status(start) == schedule.status(later)
        change = schedule.next_change(start)
        assert change is None or (change.second, change.microsecond) == (0, 0)


@pytest.mark.parametrize(
    ("now", "hhmm", "expected"),
    [
        ("2026-12-01 10:00", (18, 0), "2026-12-01 18:00"),  # still to come: today
        ("2026-12-01 18:00", (18, 0), "2026-12-02 18:00"),  # this very minute: tomorrow
        ("2026-12-01 22:30", (0, 0), "2026-12-02 00:00"),  # 00:00: the coming midnight
        ("2027-03-27 22:30", (18, 0), "2027-03-28 18:00"),  # across the spring clock change
        ("2026-10-24 22:30", (18, 0), "2026-10-25 18:00"),  # and the autumn one
    ],
)
def test_a_time_alone_is_the_next_time_the_clocks_say_it(now, hhmm, expected):
    at = next_time_of_day(brussels(now).astimezone(UTC), "Europe/Brussels", *hhmm)
    assert at == brussels(expected)
    assert at.astimezone(BRUSSELS).strftime("%H:%M") == f"{hhmm[0]:02d}:{hhmm[1]:02d}"
