"""What an operator sees: ivr call, schedule, holidays, status and override, at fixed dates."""

from datetime import timedelta

import pytest
from support.helpers import EVC, EVC_SHOWS, Call, brussels, service_of

from ivr.cli import main
from ivr.store import Store


def run(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# -- ivr call -------------------------------------------------------------------------------


def test_call_prints_what_the_caller_meets(capsys):
    code, out = run(
        capsys,
        "call",
        "1712",
        "--at",
        "2026-12-24 10:30",
        "--lang",
        "nl",
        "--dial-result",
        "not-taken",
    )
    assert code == 0
    lines = out.splitlines()
    assert (
        lines[0]
        == "Calling 1712 (02 000 17 12) on Thursday 24 December 2026 10:30 (Europe/Brussels)"
    )
    assert "  presses 1" in lines
    assert "  transferred to 02 000 00 03 (the phone there shows 02 000 17 12, rings 30 s)" in lines
    assert "  the counsellor first hears: Oproep via de lijn 1712, in het Nederlands." in lines
    assert "  then: Druk op een toets om dit gesprek aan te nemen." in lines
    assert "  nobody presses a key: their phone hangs up" in lines
    assert "  the transfer ends: not taken" in lines
    assert "  a message is recorded (at most 180 s; not stored)" in lines
    assert lines[-1] == "  the call ends"
    assert Store().messages.list() == []  # a trial call leaves nothing behind


def test_call_on_a_holiday_with_keys(capsys):
    code, out = run(capsys, "call", "+3280030030", "--at", "2026-12-25 10:00")
    assert code == 0
    assert "sauf les jours fériés" in out
    assert "transferred to 107" in out
    code, out = run(
        capsys,
        "call",
        "orientation",
        "--at",
        "2026-11-24 23:30",
        "--press",
        "1",
        "--press",
        "3",
        "--press",
        "-",
        "--press",
        "9",
    )
    assert "presses nothing" in out
    assert "Écoute-Enfants" in out and "Pour des violences dans le couple" in out


def test_call_refuses_an_unknown_line(capsys):
    code, out = run(capsys, "call", "nowhere")
    assert code == 2
    assert "no line 'nowhere'; the lines are: 1712, ecoute-violences-conjugales" in out


# -- ivr schedule ---------------------------------------------------------------------------


def test_schedule_of_christmas_week(capsys):
    code, out = run(
        capsys,
        "schedule",
        "ecoute-violences-conjugales",
        "--week",
        "2026-W52",
        "--at",
        "2026-12-24 18:30",
    )
    assert code == 0
    assert out.splitlines() == [
        "ecoute-violences-conjugales — week 2026-W52, Mon 21 Dec to Sun 27 Dec 2026 "
        "(Europe/Brussels)",
        "  Mon 21 Dec  09:00-19:00",
        "  Tue 22 Dec  09:00-19:00",
        "  Wed 23 Dec  09:00-19:00",
        "  Thu 24 Dec  09:00-19:00",
        "  Fri 25 Dec  closed   (closed: Noël)",
        "  Sat 26 Dec  closed",
        "  Sun 27 Dec  closed",
        "  now: open (weekly hours); closes today 19:00, opens Monday 28 December 09:00",
        "",
    ]


def test_schedule_of_the_week_clocks_change(capsys):
    code, out = run(capsys, "schedule", "orientation", "--week", "2026-W13")
    assert "  Sun 29 Mar  00:00-24:00" in out  # a 23-hour day, open all of it
    code, out = run(capsys, "schedule", "stop-it-now", "--week", "2026-W15")
    assert "  Mon 06 Apr  closed   (closed: Lundi de Pâques)" in out
    assert "  Wed 08 Apr  17:00-19:00" in out


def test_schedule_as_a_page_to_pin_on_the_wall(capsys, tmp_path):
    page = tmp_path / "week.html"
    code, out = run(capsys, "schedule", "--week", "2026-W52", "--html", str(page))
    assert code == 0
    html = page.read_text(encoding="utf-8")
    assert html.count('<tr><th class="line">') == 4  # one row per line
    assert "Écoute Violences Conjugales" in html and "Stop it Now! Bruxelles" in html
    assert "fermé: Noël" in html  # the holiday is marked
    assert "<th>vendredi<br>25 décembre</th>" in html
    assert 'style="left:37.50%;width:41.67%"' in html  # 09:00-19:00 coloured


def test_a_bad_week_is_explained(capsys):
    code, out = run(capsys, "schedule", "1712", "--week", "52")
    assert code == 2 and "write it like 2026-W52" in out


# -- ivr holidays ---------------------------------------------------------------------------


def test_holidays_of_2027(capsys):
    code, out = run(capsys, "holidays", "--year", "2027")
    assert code == 0
    # Each line's holidays in its language, as its schedule names them: 1712 speaks Dutch
    # first, Écoute Violences Conjugales French.
    assert "1712:\n  closed on the Belgian public holidays (from the holidays package):\n" in out
    assert "  Mon 29 Mar  Paasmaandag\n" in out
    assert "  Mon 29 Mar  Lundi de Pâques\n" in out
    assert "  Sat 25 Dec  Noël\n" in out
    assert "  Sun 11 Jul  Fête de la Communauté flamande (closure day, every year)" in out
    assert "Easter" not in out and "Labor Day" not in out
    assert "orientation:\n  open every day, public holidays included" in out


# -- ivr override and ivr status ------------------------------------------------------------


def test_override_closes_a_line_for_calls_and_for_status(capsys, app, clock, monkeypatch):
    monkeypatch.setenv("IVR_OPERATOR", "marie")
    clock.now = brussels("2026-11-24 10:00")
    assert Call(app, EVC).start().dialled == ["+3220000001"]
    code, out = run(
        capsys,
        "override",
        "ecoute-violences-conjugales",
        "closed",
        "--until",
        "2026-11-24 14:00",
        "--reason",
        "équipe en formation",
        "--at",
        "2026-11-24 09:55",
    )
    assert code == 0
    assert "is now CLOSED until today Tue 24 Nov 14:00 (équipe en formation)" in out
    assert Call(app, EVC).start().dialled == ["107"]  # the running app follows it
    code, out = run(capsys, "status", "--at", "2026-11-24 10:00")
    assert "ecoute-violences-conjugales: CLOSED (override by marie: équipe en formation)" in out
    assert "  override ends: today 14:00; then the schedule applies again" in out
    clock.now = brussels("2026-11-24 14:00")  # it expires by itself
    assert Call(app, EVC).start().dialled == ["+3220000001"]
    code, out = run(capsys, "status", "--at", "2026-11-24 14:00")
    assert "ecoute-violences-conjugales: OPEN (weekly hours)" in out


def test_override_open_on_a_holiday_with_another_number(capsys, app, clock):
    clock.now = brussels("2026-12-25 11:00")
    assert Call(app, EVC).start().dialled == ["107"]
    code, out = run(
        capsys,
        "override",
        EVC,
        "open",
        "--until",
        "2026-12-25 17:00",
        "--to",
        "0470 11 22 33",
        "--reason",
        "permanence de Noël",
        "--at",
        "2026-12-25 10:00",
    )
    assert code == 0
    assert "  a call goes → the team, forwarded to 0470 11 22 33; if nobody takes the" in out
    c = Call(app, EVC)
    turn = c.start()
    assert turn.dialled == ["+32470112233"]
    assert turn.waiting.get("callerId") == EVC_SHOWS  # still anonymous


def test_override_clear_and_the_audit_log(capsys, app, clock, monkeypatch):
    monkeypatch.setenv("IVR_OPERATOR", "jan")
    run(capsys, "override", "1712", "closed", "--reason", "ziekte", "--at", "2026-11-24 09:00")
    code, out = run(capsys, "override", "1712", "--clear", "--at", "2026-11-24 11:00")
    assert "override #1 cleared" in out
    log = Store().overrides.history("1712")
    assert [(r["action"], r["override_id"], r["operator"], r["reason"]) for r in log] == [
        ("set", 1, "jan", "ziekte"),
        ("clear", 1, "jan", "cleared"),
    ]
    # Without --until, an override ends at midnight.
    assert log[0]["until"] == brussels("2026-11-25 00:00")
    code, out = run(capsys, "override-log", "--line", "1712")
    assert [" ".join(row.split()) for row in out.splitlines()] == [
        "2026-11-24 09:00 1712 #1 CLOSED from 2026-11-24 09:00 until 2026-11-25 00:00 jan: ziekte",
        "2026-11-24 11:00 1712 cleared #1: CLOSED from 2026-11-24 09:00 until 2026-11-25 00:00 "
        "jan: cleared",
    ]


def test_override_beats_exceptions_and_holidays_and_lasts_until_its_end(app, clock):
    store = Store()
    from ivr.domain.model import Override

    store.overrides.set(
        Override("1712", True, brussels("2026-12-26 00:00"), None, "Kerstpermanentie"),
        operator="an",
        now=brussels("2026-12-24 09:00"),
    )
    clock.now = brussels("2026-12-25 20:00")  # Christmas evening
    c = Call(app, "+3220001712")
    c.start()
    assert c.press("1").dialled == ["+3220000003"]
    clock.now = brussels("2026-12-26 00:00") + timedelta(minutes=1)
    c = Call(app, "+3220001712")
    c.start()
    assert c.press("1").kind == "Gather"  # closed again: the menu


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["override", "1712", "closed"], "give a --reason"),
        (["override", "1712", "--reason", "x"], "say 'open' or 'closed'"),
        (["override", "1712", "open", "--to", "112", "--reason", "x"], "not a number"),
        (
            ["override", "orientation", "open", "--to", "+3220000009", "--reason", "x"],
            "no contacts",
        ),
        (
            ["override", "1712", "closed", "--until", "2020-01-01 10:00", "--reason", "x"],
            "already past",
        ),
        (["override", "1712", "closed", "--until", "tomorrow", "--reason", "x"], "is not a time"),
    ],
)
def test_override_mistakes_are_explained(capsys, argv, message):
    code, out = run(capsys, *argv)
    assert code == 2 and message in out


def test_status_of_every_line(capsys):
    code, out = run(capsys, "status", "--at", "2026-12-24 18:30")
    assert code == 0
    assert "1712: CLOSED (outside weekly hours)" in out
    assert (
        "  a call goes → the language choice, then a menu: 1 → Télé-Accueil 107 (in Dutch: "
        "Tele-Onthaal 106), 2 → voicemail\n"
    ) in out
    assert "  opens Monday 28 December 09:00" in out
    assert "ecoute-violences-conjugales: OPEN (weekly hours)" in out
    assert (
        "  a call goes → the team (02 000 00 01); if nobody takes the call → Télé-Accueil 107\n"
    ) in out
    assert "  closes today 19:00" in out
    assert "orientation: OPEN (always open)\n" in out and "  open day and night" in out
    assert "stop-it-now: CLOSED (outside weekly hours)\n  a call goes → a menu: 1 → hear it" in out


def test_an_unreachable_database_does_not_stop_calls(app, clock, monkeypatch):
    router = service_of(app)

    def broken(now):
        raise OSError("database away")

    monkeypatch.setattr(router.store.overrides, "in_force_or_planned", broken)
    clock.now = brussels("2026-11-24 10:00")
    assert Call(app, EVC).start().dialled == ["+3220000001"]


def test_call_presses_the_keys_piped_on_standard_input(tmp_path):
    """`printf '2\\n2\\n' | ivr call 1712` pressed nothing before, without a word."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/pipe.sqlite3")
    command = [sys.executable, "-m", "ivr", "call", "1712", "--at", "2026-12-24 18:30"]
    done = subprocess.run(
        command, input="2\n2\n9\n", capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "  (keys from standard input, one line a question; an empty line: none)" in lines
    assert [line for line in lines if line.startswith("  presses")] == ["  presses 2"] * 2
    assert "  a message is recorded (at most 180 s; not stored)" in lines  # French, then 2
    assert lines[-1] == "  (not pressed, the call had ended: 9)"
    # With --press, what is piped in is not read, and that is said.
    done = subprocess.run(
        [*command, "--press", "2"], input="1\n", capture_output=True, text=True, env=env,
        timeout=60,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines[1] == "  (the keys on standard input are not read: --press gives the keys)"
    assert [line for line in lines if line.startswith("  presses")][0] == "  presses 2"


def test_call_is_interactive_in_a_terminal(tmp_path):
    """Without --press, `ivr call` waits for keys typed in the terminal."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    controller, terminal = pty.openpty()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/tty.sqlite3")
    process = subprocess.Popen(
        [sys.executable, "-m", "ivr", "call", "stop-it-now", "--at", "2026-11-24 15:00"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        close_fds=True,
    )
    os.close(terminal)
    seen, typed = b"", []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                seen += os.read(controller, 4096)
            except OSError:
                break
        if seen.count(b"keys (Enter = nothing") > len(typed):
            key = b"1\n" if not typed else b"\n"  # hear it again, then nothing
            os.write(controller, key)
            typed.append(key)
    process.wait(timeout=10)
    os.close(controller)
    text = seen.decode("utf-8", "replace")
    assert "asked to press a key (waits 6 s)" in text
    assert "presses 1" in text and "presses nothing" in text
    assert text.count("Notre ligne téléphonique est ouverte") == 2  # heard again after 1
    assert "the call ends" in text
