"""Overrides the same everywhere: planned for later, closed with --to, cleared by number; what
a caller meets at each minute, what an operator reads in status, the schedule and the log."""

import pytest
from support.helpers import (
    EVC,
    LINE_1712,
    TEAM_EVC,
    Call,
    brussels,
    check,
    edit,
    line_of,
    service_of,
)

from ivr.cli import main
from ivr.domain.model import Override
from ivr.flow.status import line_status
from ivr.store import Store
from ivr.store.overrides import OverrideOverlap
from ivr.twilio.simulate import is_trunked, number_reached


def run(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def at(when: str) -> tuple[str, str]:
    return ("--at", when)


CHRISTMAS_EVE_AFTERNOON = (
    "--from",
    "2026-12-24 12:00",
    "--until",
    "2026-12-24 18:00",
    "--reason",
    "fête du personnel",
)


# -- a planned override ----------------------------------------------------------------------


def test_a_planned_override_takes_effect_at_its_start_and_ends_at_its_end(
    capsys, app, clock, monkeypatch
):
    code, out = run(
        capsys, "override", EVC, "closed", *CHRISTMAS_EVE_AFTERNOON, *at("2026-12-24 09:00")
    )
    assert code == 0, out
    assert "will be CLOSED from today 12:00 until today Thu 24 Dec 18:00 (fête du personnel)" in out
    assert "  then a call goes → Télé-Accueil 107" in out
    clock.now = brussels("2026-12-24 11:59")
    assert Call(app, EVC).start().dialled == [TEAM_EVC]
    # From now on the database does not answer: the router still follows what it last read.
    store = service_of(app).store

    def away(now):
        raise OSError("database away")

    monkeypatch.setattr(store.overrides, "in_force_or_planned", away)
    clock.now = brussels("2026-12-24 12:00")
    assert Call(app, EVC).start().dialled == ["107"]
    clock.now = brussels("2026-12-24 17:59")
    assert Call(app, EVC).start().dialled == ["107"]
    clock.now = brussels("2026-12-24 18:00")
    assert Call(app, EVC).start().dialled == [TEAM_EVC]


def test_status_before_a_planned_override_says_when_it_starts(capsys, monkeypatch):
    monkeypatch.setenv("IVR_OPERATOR", "marie")
    run(capsys, "override", EVC, "closed", *CHRISTMAS_EVE_AFTERNOON, *at("2026-12-24 09:00"))
    code, out = run(capsys, "status", *at("2026-12-24 10:00"))
    assert (
        "ecoute-violences-conjugales: OPEN (weekly hours)\n"
        "  a call goes → the team (02 000 00 01); if nobody takes the call → Télé-Accueil 107\n"
        "  override #1 starts today 12:00\n"
        "  planned: #1 CLOSED from today 12:00 until today 18:00 (marie: fête du personnel)\n"
    ) in out
    code, out = run(capsys, "status", *at("2026-12-24 12:00"))
    assert "ecoute-violences-conjugales: CLOSED (override by" in out
    assert "  override ends: today 18:00; then the schedule applies again" in out


def test_overlapping_overrides_are_refused_naming_the_one_in_the_way(capsys, monkeypatch):
    monkeypatch.setenv("IVR_OPERATOR", "marie")
    run(capsys, "override", EVC, "closed", *CHRISTMAS_EVE_AFTERNOON, *at("2026-12-24 09:00"))
    code, out = run(
        capsys,
        "override",
        EVC,
        "open",
        "--from",
        "2026-12-24 17:00",
        "--until",
        "20:00",
        "--reason",
        "permanence",
        *at("2026-12-24 09:00"),
    )
    assert (code, out) == (
        2,
        "ivr override: ecoute-violences-conjugales already has override #1 at that time "
        "(CLOSED from today 12:00 until today 18:00 (marie: fête du personnel)); clear it "
        "first with 'ivr override ecoute-violences-conjugales --clear 1', or choose another "
        "time\n",
    )
    # Right after it, it is kept: one ends when the other starts.
    code, out = run(
        capsys,
        "override",
        EVC,
        "open",
        "--from",
        "2026-12-24 18:00",
        "--until",
        "20:00",
        "--reason",
        "permanence",
        *at("2026-12-24 09:00"),
    )
    assert code == 0 and "override #2:" in out
    code, out = run(capsys, "status", *at("2026-12-24 13:00"))
    assert "  override ends: today 18:00; then override #2 applies" in out


def test_an_override_is_cleared_by_its_number(capsys, app, clock, monkeypatch):
    monkeypatch.setenv("IVR_OPERATOR", "jan")
    run(capsys, "override", EVC, "closed", *CHRISTMAS_EVE_AFTERNOON, *at("2026-12-24 09:00"))
    run(
        capsys,
        "override",
        EVC,
        "closed",
        "--until",
        "10:00",
        "--reason",
        "réunion",
        *at("2026-12-24 09:00"),
    )
    code, out = run(capsys, "override", EVC, "--clear", "1", *at("2026-12-24 09:30"))
    assert code == 0
    assert out.startswith("ecoute-violences-conjugales: override #1 cleared: CLOSED from today")
    clock.now = brussels("2026-12-24 09:45")
    assert Call(app, EVC).start().dialled == ["107"]  # #2 is still in force
    clock.now = brussels("2026-12-24 12:30")
    assert Call(app, EVC).start().dialled == [TEAM_EVC]  # #1 never starts
    code, out = run(capsys, "override", EVC, "--clear", "1", *at("2026-12-24 09:30"))
    assert out.startswith("ecoute-violences-conjugales has no override #1, in force or planned")
    code, out = run(capsys, "override", "1712", "--clear", "2", *at("2026-12-24 09:30"))
    assert out.startswith("1712 has no override #2")  # another line's is left alone


def test_a_time_alone_already_past_is_tomorrow_as_on_the_phone_console(capsys, app, clock):
    """At 22:30, `--until 18:00` was refused as "already past" while the phone console's 1800
    meant tomorrow: one rule for both, and the confirmation says which day."""
    code, out = run(
        capsys, "override", EVC, "closed", "--until", "18:00", "--reason", "x",
        *at("2026-12-01 22:30"),
    )  # fmt: skip
    assert code == 0, out
    assert "is now CLOSED until tomorrow Wed 2 Dec 18:00 (x)." in out
    (o,) = Store().overrides.in_force_or_planned(brussels("2026-12-01 22:30"))
    assert o.until == brussels("2026-12-02 18:00")
    clock.now = brussels("2026-12-02 17:59")  # open hours, and the line closed
    assert Call(app, EVC).start().dialled == ["107"]
    clock.now = brussels("2026-12-02 18:00")
    assert Call(app, EVC).start().dialled == [TEAM_EVC]
    # --from too; and --until is the next such time after the start: a night.
    code, out = run(
        capsys, "override", "1712", "closed", "--from", "20:00", "--until", "06:00",
        "--reason", "y", *at("2026-12-02 21:00"),
    )  # fmt: skip
    assert code == 0, out
    assert "will be CLOSED from tomorrow Thu 3 Dec 20:00 until Friday 4 December 06:00 (y)." in out
    # 00:00 is the coming midnight.
    code, out = run(
        capsys, "override", "stop-it-now", "closed", "--until", "00:00", "--reason", "z",
        *at("2026-12-02 21:00"),
    )  # fmt: skip
    assert code == 0 and "until tomorrow Thu 3 Dec 00:00 (z)." in out, out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "2026-12-24 08:00"], "--from 2026-12-24 08:00 is already past"),
        (
            ["--from", "2026-12-24 12:00", "--until", "2026-12-24 11:00"],
            "--until 2026-12-24 11:00 is not after --from",
        ),
        (["--from", "2026-12-25 09:01"], "is more than a year away"),
        (["--to", "+3220001712"], "one of our own lines"),
        (["--to", "ecoute-violences-conjugales"], "one of our own lines"),
        (["--to", "nowhere"], "neither a service of services.yaml nor a phone number"),
        (["--to", "02 000 00 1"], "a Belgian number has 9 digits with its 0, a mobile 10"),
        (["--to", "+3220000"], "a Belgian number has 9 digits with its 0, a mobile 10"),
    ],
)
def test_override_times_and_targets_mistakes_are_explained(capsys, argv, message):
    now = "2026-12-24 09:00" if "2026-12-25 09:01" not in argv else "2025-12-24 09:00"
    code, out = run(capsys, "override", "1712", "closed", "--reason", "x", *argv, *at(now))
    assert code == 2 and message in out, out
    assert out.count("\n") == 1  # one line
    assert Store().overrides.history() == []


# -- closed --to ----------------------------------------------------------------------------


def test_closed_to_106_sends_callers_there_through_the_trunk_then_the_closed_path(
    capsys, app, clock
):
    code, out = run(
        capsys,
        "override",
        "1712",
        "closed",
        "--to",
        "106",
        "--until",
        "17:00",
        "--reason",
        "teamdag",
        *at("2026-11-24 09:00"),
    )
    assert code == 0, out
    assert (
        "  a call goes → the language choice, then Tele-Onthaal 106; if that fails → a menu: "
        "1 → Télé-Accueil 107 (in Dutch: Tele-Onthaal 106), 2 → voicemail"
    ) in out
    clock.now = brussels("2026-11-24 10:00")  # the counsellors' hours
    c = Call(app, LINE_1712)
    c.start()
    turn = c.press("2")  # français
    (target,) = turn.targets
    assert is_trunked(target) and number_reached(target) == "106"
    assert turn.heard == []  # straight into the transfer
    assert turn.waiting.get("callerId") == LINE_1712  # the caller's own number never shows
    assert target.get("url") is None  # a service's own system answers: not screened
    turn = c.dial_ends("busy")
    assert "composez le cent six" in turn.text  # where to turn themselves
    assert "Bienvenue" in turn.text  # then the line's closed path
    assert turn.kind == "Gather"
    assert c.press("1").dialled == ["107"]


def test_closed_to_a_service_by_its_id_and_a_person_who_answers(capsys, app, clock):
    run(
        capsys,
        "override",
        EVC,
        "closed",
        "--to",
        "tele-accueil",
        "--reason",
        "x",
        *at("2026-11-24 09:00"),
    )
    clock.now = brussels("2026-11-24 10:00")
    c = Call(app, EVC)
    turn = c.start()
    assert turn.dialled == ["107"] and turn.heard == []
    assert c.dial_ends("completed").hung_up  # they talked; when 107 hangs up, so do we
    run(capsys, "override", EVC, "--clear", *at("2026-11-24 10:00"))
    run(
        capsys,
        "override",
        EVC,
        "closed",
        "--to",
        "0470 11 22 33",
        "--reason",
        "x",
        *at("2026-11-24 10:00"),
    )
    c = Call(app, EVC)
    assert c.start().dialled == ["+32470112233"]
    turn = c.counsellor_answers(press=None)  # a phone's voicemail never takes the caller
    assert "Bienvenue" in turn.text and turn.dialled == ["107"]


def test_closed_to_a_service_sends_each_caller_to_the_one_for_their_language(capsys, call):
    argv = [
        "override",
        "1712",
        "closed",
        "--to",
        "tele-accueil",
        "--reason",
        "x",
        *at("2026-11-24 09:00"),
    ]
    code, out = run(capsys, *argv)
    assert "  a call goes → the language choice, then Télé-Accueil 107 (in Dutch: " in out
    assert call(LINE_1712, at="2026-11-24 10:00", lang="nl").turn.dialled == ["106"]
    assert call(LINE_1712, lang="fr").turn.dialled == ["107"]


def test_open_to_a_service_by_its_id_rings_it_instead_of_the_team(capsys, app, clock):
    code, out = run(
        capsys,
        "override",
        EVC,
        "open",
        "--to",
        "tele-onthaal",
        "--reason",
        "x",
        *at("2026-11-28 09:00"),
    )
    assert "  a call goes → the team, forwarded to Tele-Onthaal 106; if nobody takes" in out
    clock.now = brussels("2026-11-28 10:00")  # a Saturday
    assert Call(app, EVC).start().dialled == ["106"]


# -- where the router reads them -------------------------------------------------------------


def test_the_flow_and_status_pick_the_override_in_force_at_their_own_instant(app):
    config = service_of(app).config
    line = config.lines["ecoute-violences-conjugales"]
    planned = [
        Override(
            line.id,
            False,
            brussels("2026-12-24 18:00"),
            None,
            "fête",
            "an",
            brussels("2026-12-24 12:00"),
            1,
        ),
        Override(
            line.id,
            True,
            brussels("2026-12-24 20:00"),
            None,
            "perm",
            "an",
            brussels("2026-12-24 18:00"),
            2,
        ),
    ]
    seen = {
        when: line_status(config, line, brussels(when), planned)
        for when in ("2026-12-24 11:59", "2026-12-24 12:00", "2026-12-24 18:00", "2026-12-24 20:00")
    }
    assert [(s.open, s.override and s.override.id) for s in seen.values()] == [
        (True, None),
        (False, 1),
        (True, 2),
        (False, None),  # after 19:00, the schedule is closed
    ]
    assert [o.id for o in seen["2026-12-24 11:59"].planned] == [1, 2]


def test_upkeep_publishes_the_planned_overrides(app, clock):
    service = service_of(app)
    now = brussels("2026-12-24 09:00")
    service.store.overrides.set(
        Override(
            "1712",
            False,
            brussels("2026-12-24 18:00"),
            None,
            "x",
            starts_at=brussels("2026-12-24 12:00"),
        ),
        operator="an",
        now=now,
    )
    clock.now = now
    service.upkeep.round()
    assert [o.reason for o in service.live.overrides] == ["x"]


def test_store_refuses_overlaps_and_keeps_what_was_cleared_in_the_week():
    store = Store()
    now = brussels("2026-12-24 09:00")
    first = store.overrides.set(
        Override("1712", False, brussels("2026-12-24 12:00"), None, "a"), operator="an", now=now
    )
    assert first.id is not None and first.starts_at == now
    with pytest.raises(OverrideOverlap) as refused:
        store.overrides.set(
            Override(
                "1712",
                True,
                brussels("2026-12-24 13:00"),
                None,
                "b",
                starts_at=brussels("2026-12-24 11:00"),
            ),
            operator="bo",
            now=now,
        )
    assert refused.value.existing == first
    store.overrides.set(  # another line is another matter
        Override(EVC_ID, False, brussels("2026-12-24 12:00"), None, "c"), operator="an", now=now
    )
    cleared = store.overrides.clear(
        "1712", operator="an", reason="fini", now=brussels("2026-12-24 10:30")
    )
    assert cleared == first
    (kept,) = [
        o for o in store.overrides.during(now, brussels("2026-12-25 00:00")) if o.line == "1712"
    ]
    assert kept.until == brussels("2026-12-24 10:30")  # it was in force until then
    assert store.overrides.active(brussels("2026-12-24 10:31")).keys() == {EVC_ID}


EVC_ID = "ecoute-violences-conjugales"


# -- the week, on the screen and on the wall -------------------------------------------------


def set_christmas_overrides(capsys) -> None:
    """Closed on the afternoon of the 24th, calls to 106; open on Christmas day on a mobile;
    and, planned for the next week, closed on the 28th."""
    for argv in (
        [EVC, "closed", *CHRISTMAS_EVE_AFTERNOON, "--to", "106"],
        [EVC, "open", "--from", "2026-12-25 10:00", "--until", "2026-12-25 16:00"]
        + ["--to", "0470 11 22 33", "--reason", "permanence de Noël"],
        [EVC, "closed", "--from", "2026-12-28 09:00", "--until", "2026-12-29 00:00"]
        + ["--reason", "inventaire"],
    ):
        code, out = run(capsys, "override", *argv, *at("2026-12-21 09:00"))
        assert code == 0, out


def test_the_week_on_the_screen_shows_its_overrides_and_the_planned_ones(capsys, monkeypatch):
    monkeypatch.setenv("IVR_OPERATOR", "marie")
    set_christmas_overrides(capsys)
    code, out = run(capsys, "schedule", EVC, "--week", "2026-W52", *at("2026-12-24 13:00"))
    assert code == 0
    assert out.splitlines() == [
        "ecoute-violences-conjugales — week 2026-W52, Mon 21 Dec to Sun 27 Dec 2026 "
        "(Europe/Brussels)",
        "  Mon 21 Dec  09:00-19:00",
        "  Tue 22 Dec  09:00-19:00",
        "  Wed 23 Dec  09:00-19:00",
        "  Thu 24 Dec  09:00-12:00, 18:00-19:00   (override #1: closed 12:00-18:00, calls → "
        "Tele-Onthaal 106: fête du personnel)",
        "  Fri 25 Dec  10:00-16:00   (closed: Noël; override #2: open 10:00-16:00, the team's "
        "calls → 0470 11 22 33: permanence de Noël)",
        "  Sat 26 Dec  closed",
        "  Sun 27 Dec  closed",
        "  now: closed (override by marie: fête du personnel); override ends today 18:00",
        "  planned: #2 OPEN from tomorrow 10:00 until tomorrow 16:00, the team's calls → "
        "0470 11 22 33 (marie: permanence de Noël)",
        "  planned: #3 CLOSED from Monday 28 December 09:00 until Tuesday 29 December 00:00 "
        "(marie: inventaire)",
        "",
    ]
    code, out = run(capsys, "schedule", EVC, "--week", "2026-W52", *at("2026-12-24 10:00"))
    assert "  now: open (weekly hours); override #1 starts today 12:00\n" in out


def test_the_wall_page_shows_the_overrides_of_its_week_and_the_planned_ones(capsys, tmp_path):
    set_christmas_overrides(capsys)
    page = tmp_path / "week.html"
    code, out = run(
        capsys, "schedule", "--week", "2026-W52", "--html", str(page), *at("2026-12-21 10:00")
    )
    assert code == 0, out
    html = page.read_text(encoding="utf-8")
    assert "dérogation: fermé 12:00-18:00, appels → Tele-Onthaal 106: fête du personnel" in html
    assert "dérogation: ouvert 10:00-16:00, renvoi vers 0470 11 22 33" in html
    assert html.count('<td class="override">') == 2
    # The 24th: open 09:00-12:00 and 18:00-19:00 only.
    assert 'style="left:37.50%;width:12.50%"' in html
    assert 'style="left:75.00%;width:4.17%"' in html
    assert "<h2>Dérogations prévues</h2>" in html
    assert (
        "<li>Écoute Violences Conjugales — fermé du lun. 28 déc. 09:00 au mar. 29 déc. 00:00 : "
        "inventaire</li>"
    ) in html


def test_the_week_is_printed_without_overrides_when_the_database_is_away(capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://ivr@127.0.0.1:1/ivr")
    code, out = run(capsys, "schedule", EVC, "--week", "2026-W52")
    assert code == 0
    assert "  Thu 24 Dec  09:00-19:00" in out
    assert "ivr schedule: the overrides are not shown: cannot reach the database" in out


def test_a_step_named_redirect_is_refused_it_is_built_in(config_copy, capsys):
    path = config_copy / "stop-it-now.yaml"
    edit(path, "  information:", "  redirect:")
    edit(path, "goto: information", "goto: redirect")
    edit(path, '"1": information', '"1": redirect')
    code, out = check(config_copy, capsys)
    assert code == 1
    assert f"{path}:{line_of(path, '  redirect:')}: 'redirect' is built in" in "\n".join(out)


@pytest.mark.parametrize("written", ["0470 11 22 33", "0470/11.22.33", "+32 470 11 22 33"])
def test_override_to_a_number_written_the_belgian_way(app, capsys, monkeypatch, written):
    from ivr.cli import main

    monkeypatch.setenv("IVR_OPERATOR", "coordinator")
    assert (
        main(
            [
                "override",
                "ecoute-violences-conjugales",
                "open",
                "--to",
                written,
                "--reason",
                "x",
                "--at",
                "2026-11-24 10:00",
            ]
        )
        == 0
    )
    store = service_of(app).store
    (o,) = store.overrides.in_force_or_planned(brussels("2026-11-24 10:00"))
    assert o.forward_to == "+32470112233"
