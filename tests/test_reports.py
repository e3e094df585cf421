"""/console/reports: the figures of a week of calls are those of `ivr stats` wherever no cell is
held back, in the page, its CSV and its spreadsheet; the heat map puts each call in its hour
in Brussels time, DST days included; no count below 5 is shown, nor can one be worked out."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from conftest import BRUSSELS, LINE_1712, add_operator, brussels, service_of
from support.reports import a_week_of_calls, messages, utc
from test_console import log_in, text_of

from ivr.cli import main
from ivr.domain import figures
from ivr.store.messages import CALLED_BACK

# The week in which the clocks go back (Sunday 25 October 2026, 03:00 CEST -> 02:00 CET).
FIRST, LAST = "2026-10-19", "2026-10-25"
PERIOD = {"from": FIRST, "to": LAST}
ORGANISATION_1712 = "caw-vertrouwenscentra"  # config/1712.yaml


@pytest.fixture
def store(console):
    return service_of(console).store


@pytest.fixture
def coordinator(console, store):
    add_operator(store, "ana", "coordinator", language="en")
    client = console.test_client()
    assert log_in(client, "ana").status_code == 302
    return client


@pytest.fixture
def week(store, console):
    # Monday 00:00 in Brussels; each call with its line's organisation, as the webhooks do.
    config = service_of(console).config
    return a_week_of_calls(store, utc("2026-10-18 22:00"), organisation_of=config.organisation_of)


def stats(tmp_path, capsys) -> list[dict]:
    out = tmp_path / "stats.csv"
    assert main(["stats", "--from", FIRST, "--to", LAST, "--output", str(out)]) == 0
    capsys.readouterr()
    return list(csv.DictReader(out.open(encoding="utf-8")))


def download(client) -> dict[tuple[str, str, str], str]:
    response = client.get("/console/reports.csv", query_string=PERIOD)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    return {(t, r, c): v for t, r, c, v in rows[1:]}


def test_a_week_of_calls_gives_the_figures_of_ivr_stats_wherever_no_cell_is_held_back(
    coordinator, week, tmp_path, capsys
):
    assert len(week) == 600
    exact = stats(tmp_path, capsys)
    assert sum(int(r["calls"]) for r in exact) == 600
    by_day, heat, outcomes = Counter(), Counter(), Counter()
    for row in exact:
        day = date.fromisoformat(row["date"])
        by_day[day.isoformat()] += int(row["calls"])
        heat[(day.weekday(), int(row["hour"][:2]))] += int(row["calls"])
        outcomes[figures.category(row["outcome"])] += int(row["calls"])
    assert set(outcomes) == set(figures.CATEGORIES)  # every outcome

    page = coordinator.get("/console/reports", query_string=PERIOD)
    assert page.status_code == 200
    shown = download(coordinator)
    held = compared = 0
    for day, calls in by_day.items():
        value = shown[("Calls by day", day, "Calls")]
        if value.startswith("<") or value == "…":
            held += 1
        else:
            assert int(value) == calls
            compared += 1
    weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    for (weekday, hour), calls in heat.items():
        value = shown[
            ("Calls by weekday and hour (Brussels time)", weekdays[weekday], f"{hour:02d}:00")
        ]
        if value.startswith("<") or value == "…":
            held += 1
            assert calls < figures.THRESHOLD or value == "…"
        else:
            assert int(value) == calls
            compared += 1
    names = {
        "answered": "answered",
        "voicemail": "message left",
        "referred": "sent to 107 or another service",
        "hung up waiting": "hung up while waiting",
        "transfer failed": "transfer failed",
        "other": "heard where to turn, then ended",
    }
    for key, calls in outcomes.items():
        value = shown[("How calls ended", names[key], "Calls")]
        if value.startswith("<") or value == "…":
            held += 1
        else:
            assert int(value) == calls
            compared += 1
    assert shown[("How calls ended", "All calls", "Calls")] == "600"
    assert compared > 60 and held > 0  # the night's few calls are held back
    # The page shows what the download says.
    text = text_of(page)
    assert "600" in text and "< 5" in text


def test_the_page_the_csv_and_the_spreadsheet_say_the_same(coordinator, week):
    from openpyxl import load_workbook

    shown = download(coordinator)
    response = coordinator.get("/console/reports.xlsx", query_string=PERIOD)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    months = book[book.sheetnames[0]]
    assert [c.value for c in months[1]] == ["Month", "Calls"]
    assert months[2][1].value == int(shown[("Calls by month", "2026-10", "Calls")])
    heat = book[book.sheetnames[3]]
    for row in heat.iter_rows(min_row=2, values_only=True):
        for hour, value in enumerate(row[1:]):
            assert (
                str(value)
                == shown[("Calls by weekday and hour (Brussels time)", row[0], f"{hour:02d}:00")]
            )


def test_no_count_below_five_is_shown_nor_can_be_worked_out_from_a_total():
    period = figures.Period(date(2026, 11, 23), date(2026, 11, 29))
    rows = [
        dict(
            hour=brussels(f"2026-11-{23 + d} {h:02d}:00"),
            line="1712",
            outcome=o,
            language="fr",
            calls=n,
        )
        for d, h, o, n in [
            (0, 10, "connected", 40),
            (0, 11, "connected", 3),
            (1, 10, "referred", 30),
            (2, 3, "connected", 1),
            (3, 10, "voicemail", 25),
            (4, 10, "connected", 12),
        ]
    ]
    report = figures.report(period, {"1712"}, rows, [])
    for table in (report.by_day, report.heat, report.outcomes):
        cells = list(table.values())
        held = [c for c in cells if c.held]
        assert all(c.held for c in cells if 0 < c.value < figures.THRESHOLD)
        assert not held or (len(held) >= 2 and sum(c.value for c in held) >= 10)
        assert all(c.shown in ("< 5", "…") for c in held)
    # The day with 1 call, and the smallest days beside it until they add up to 10: no more.
    assert [d.day for d, c in report.by_day.items() if c.held] == [25, 27]
    assert report.by_day[date(2026, 11, 23)].shown == "43"
    assert report.total.shown == "111"  # exact: no held-back cell can be taken from it
    assert report.by_week["2026-W48"].shown == "≈ 110"  # covers a held-back day


def test_the_heat_map_puts_each_call_in_its_brussels_hour_on_dst_days():
    period = figures.Period(date(2026, 3, 23), date(2026, 10, 25))
    rows = [
        # Sunday 29 March: 01:30 UTC is 03:30 CEST (02:00-03:00 never happens that day).
        dict(
            hour=utc("2026-03-29 01:00"), line="1712", outcome="connected", language="fr", calls=7
        ),
        # Sunday 25 October: 00:30 UTC is 02:30 CEST, 01:30 UTC is 02:30 CET, both in 02:00.
        dict(
            hour=utc("2026-10-25 00:00"), line="1712", outcome="connected", language="fr", calls=6
        ),
        dict(
            hour=utc("2026-10-25 01:00"), line="1712", outcome="connected", language="fr", calls=8
        ),
        # A summer Monday 12:00 UTC is 14:00 in Brussels; a winter one 13:00.
        dict(
            hour=utc("2026-06-01 12:00"), line="1712", outcome="connected", language="fr", calls=9
        ),
        dict(
            hour=utc("2026-03-23 12:00"), line="1712", outcome="connected", language="fr", calls=10
        ),
    ]
    report = figures.report(period, {"1712"}, rows, [])
    sunday, monday = 6, 0
    assert report.heat[(sunday, 3)].value == 7
    assert report.heat[(sunday, 2)].value == 14
    assert report.heat[(monday, 14)].value == 9
    assert report.heat[(monday, 13)].value == 10
    assert report.by_day[date(2026, 10, 25)].value == 14


def test_the_opening_hours_are_marked_on_the_heat_map(coordinator, console, week):
    schedule = service_of(console).config.lines["1712"].schedule
    period = figures.Period(date(2026, 10, 19), date(2026, 10, 25))
    marked = figures.open_hours(period, [schedule])
    monday, sunday = 0, 6
    assert (monday, 9) in marked and (monday, 16) in marked
    assert (monday, 8) not in marked and (monday, 17) not in marked
    assert not [cell for cell in marked if cell[0] == sunday]
    page = coordinator.get("/console/reports", query_string=PERIOD).get_data(as_text=True)
    assert "is-open" in page


def test_messages_received_called_back_how_fast_and_past_retention_outlive_the_purge(
    coordinator, store, console
):
    ids = messages(store, utc("2026-10-19 08:00"), count=30, organisation=ORGANISATION_1712)
    start = utc("2026-10-19 08:00")
    for n, message_id in enumerate(ids[:20]):  # called back n+1 hours later
        at = start + timedelta(minutes=90 * n, hours=n + 1)
        store.messages.take(message_id, operator="ana", at=at)
        store.messages.done(message_id, operator="ana", at=at, outcome=CALLED_BACK, note="")
    for message_id in ids[20:25]:
        store.messages.done(
            message_id, operator="ana", at=utc("2026-10-26 09:00"), outcome="closed", note=""
        )
    # A year on, every message has been purged: the figures stay.
    gone = store.recordings.purge(utc("2027-10-26 00:00"), lambda line: (30, 90))
    assert len(gone) == 30 and store.messages.list() == []
    shown = download(coordinator)
    assert shown[("Messages", "received", "Number")] == "30"
    assert shown[("Messages", "called back", "Number")] == "20"
    assert shown[("Messages", "closed without a call back", "Number")] == "5"
    assert shown[("Messages", "deleted, time up, nobody done with it", "Number")] == "5"
    # Waits of 1 to 20 hours: the median is 10 h, the 90th percentile 18 h.
    assert shown[("Time to call back", "median", "Hours")] == "10.0"
    assert shown[("Time to call back", "90th percentile", "Hours")] == "18.0"


def test_the_report_shows_only_the_organisations_the_account_sees(coordinator, week, monkeypatch):
    from ivr.console import access

    everything = download(coordinator)[("How calls ended", "All calls", "Calls")]
    monkeypatch.setattr(
        access, "visible_organisations", lambda account, config: {ORGANISATION_1712}
    )
    monkeypatch.setattr(access, "visible_lines", lambda account, config: {"1712"})
    monkeypatch.setattr(access, "may_see", lambda account, config, line: line == "1712")
    only = download(coordinator)[("How calls ended", "All calls", "Calls")]
    mine = sum(1 for row in week if row["line"] == "1712")
    assert everything == "600" and only == str(mine)


def test_a_counsellor_is_not_shown_the_reports(console, store):
    add_operator(store, "bert", "counsellor")
    client = console.test_client()
    log_in(client, "bert")
    assert client.get("/console/reports").status_code == 403


def test_a_caller_who_hangs_up_while_the_counsellors_ring_is_counted_so(call, app):
    c = call(LINE_1712, at="2026-11-24 11:00")
    c.dial_ends("no-answer", hung_up=True)
    service = service_of(app)
    service.upkeep.thread.fresh(5)
    rows = service.store.outcomes.report(brussels("2026-11-24 00:00"), brussels("2026-11-25 00:00"))
    assert [(r["line"], r["outcome"]) for r in rows] == [("1712", "hung up waiting")]


def test_a_call_records_its_lines_organisation_at_the_time(call, app):
    c = call(LINE_1712, at="2026-11-24 11:00")
    c.dial_ends("no-answer")
    c.leave_message(seconds=12)
    service = service_of(app)
    service.upkeep.thread.fresh(5)
    rows = service.store.outcomes.report(
        brussels("2026-11-24 00:00"), brussels("2026-11-25 00:00"), with_organisation=True
    )
    assert [(r["outcome"], r["organisation"]) for r in rows] == [("voicemail", ORGANISATION_1712)]
    figures_rows = service.store.outcomes.messages(
        brussels("2026-11-24 00:00"), brussels("2026-11-25 00:00")
    )
    assert [(r["line"], r["organisation"]) for r in figures_rows] == [("1712", ORGANISATION_1712)]
    assert isinstance(figures_rows[0]["received_hour"], datetime)
    assert figures_rows[0]["received_hour"].astimezone(BRUSSELS).hour == 11


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_the_messages_kept_before_the_upgrade_have_their_figures(database):
    from alembic import command

    from ivr.store import Store

    store = Store(database)
    received = utc("2026-11-20 09:40")
    with store.engine.begin() as conn:
        command.upgrade(store._alembic(conn), "0006")
        conn.exec_driver_sql(
            "INSERT INTO voicemails (line, received_at, recording_sid, recording_url, "
            "duration_seconds, language, state, done_at, outcome) VALUES ('1712', "
            "'2026-11-20 09:40:00', 'RE1', 'x', 30, 'fr', 'done', '2026-11-20 12:10:00', "
            "'called back')"
        )
    store.migrate()
    (row,) = store.outcomes.messages(received - timedelta(days=1), received + timedelta(days=1))
    assert (row["line"], row["organisation"], row["outcome"]) == ("1712", "1712", "called back")
    assert row["received_hour"] == utc("2026-11-20 09:00")
    assert row["wait_seconds"] == 150 * 60
    assert store.mail.claim(utc("2026-11-21 09:00")) == []  # left before mails existed


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-02-30", "to": "2026-03-01"},
        {"from": "2026-03-02", "to": "2026-03-01"},
        {"from": "2020-01-01", "to": "2026-03-01"},
    ],
)
def test_a_period_that_is_none_is_refused(coordinator, query):
    assert coordinator.get("/console/reports", query_string=query).status_code == 400
    assert coordinator.get("/console/reports.csv", query_string=query).status_code == 400


def test_a_line_the_account_does_not_see_is_no_page(coordinator, monkeypatch):
    from ivr.console import access

    monkeypatch.setattr(access, "visible_lines", lambda account, config: {"1712"})
    assert (
        coordinator.get("/console/reports", query_string={"line": "stop-it-now"}).status_code == 404
    )
    assert coordinator.get("/console/reports", query_string={"line": "1712"}).status_code == 200


def test_a_coordinator_of_one_line_sees_only_its_figures_not_its_organisation_s_others(
    config_copy, console_settings, clock
):
    from dataclasses import replace

    from support.helpers import edit
    from support.orgs import add_account

    from ivr.app import create_app

    # Stop it Now! made one organisation with 1712, whose coordinator is given 1712 alone.
    edit(
        config_copy / "stop-it-now.yaml",
        "organisation: stop-it-now",
        f"organisation: {ORGANISATION_1712}",
    )
    app = create_app(settings=replace(console_settings, config_dir=config_copy), clock=clock)
    service = service_of(app)
    week = a_week_of_calls(
        service.store, utc("2026-10-18 22:00"), organisation_of=service.config.organisation_of
    )
    add_account(service.store, "lea", "coordinator", ORGANISATION_1712)
    client = app.test_client()
    add_account(service.store, "noor", "coordinator", line="1712")
    for name in ("lea", "noor"):  # the downloads' headings in English
        service.store.operators.set_language(service.store.operators.get(name=name)["id"], "en")
    assert log_in(client, "noor").status_code == 302
    shown = download(client)[("How calls ended", "All calls", "Calls")]
    assert shown == str(sum(1 for row in week if row["line"] == "1712"))
    other = app.test_client()
    assert log_in(other, "lea").status_code == 302
    both = download(other)[("How calls ended", "All calls", "Calls")]
    assert both == str(sum(1 for row in week if row["line"] in ("1712", "stop-it-now")))
