"""`ivr new-line`: a line from a few questions, answered on standard input; what it writes
passes `ivr check` and answers calls."""

import io

import pytest
from support.helpers import Call, brussels, check

from ivr.app import create_app
from ivr.cli import main

ADOS = "+3225550123"


def new_line(config_copy, capsys, monkeypatch, answers: list[str]) -> tuple[int, list[str]]:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(a + "\n" for a in answers)))
    code = main(["new-line", "--config", str(config_copy)])
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).splitlines()


ANSWERS = [
    "Écoute Ados",  # the name
    "",  # its id: the one offered, ecoute-ados
    "02 555 01 23",  # the number
    "fr, nl",
    "mon-fri 09:00-17:00; sat 10:00-12:00",
    "yes",  # closed on public holidays
    "0470 12 34 56",  # the team
    "3",  # while closed: the caller chooses 107 or a message
]


def test_a_new_line_from_a_few_answers_passes_the_check_and_answers_calls(
    config_copy, capsys, monkeypatch, clock
):
    code, out = new_line(config_copy, capsys, monkeypatch, ANSWERS)
    assert code == 0, out
    prompts = config_copy.parent / "prompts"
    assert out[0] == "The line's name, as callers hear it (such as Écoute Ados): Écoute Ados"
    assert out[1] == "Its short name in the files (lowercase, digits, -) [ecoute-ados]: "
    assert out[-5:] == [
        f"wrote {config_copy / 'ecoute-ados.yaml'}",
        f"added the section 'ecoute-ados:' to {prompts / 'fr.yaml'}",
        f"added the section 'ecoute-ados:' to {prompts / 'nl.yaml'}",
        "",
        "Next: put your own words in the prompts under 'ecoute-ados:', run 'ivr check', then "
        "try a call: ivr call ecoute-ados",
    ]
    code, said = check(config_copy, capsys)
    assert code == 0, said
    assert not [s for s in said if "ecoute-ados" in s], said
    assert said[-1].startswith("configuration is sound: 5 lines")

    monkeypatch.setenv("IVR_PROMPTS_DIR", str(prompts))
    app = create_app(config_copy, clock=clock)
    clock.now = brussels("2026-11-24 10:00")  # open: the team
    c = Call(app, ADOS)
    c.start()
    turn = c.press("1")  # français
    assert "Bienvenue à Écoute Ados." in turn.text and "112" in turn.text
    assert turn.dialled == ["+32470123456"]
    clock.now = brussels("2026-11-28 18:00")  # a Saturday evening: closed
    c = Call(app, ADOS)
    c.start()
    turn = c.press("2")  # Nederlands
    assert "Écoute Ados is nu gesloten. We zijn bereikbaar van maandag tot vrijdag" in turn.text
    assert c.press("1").dialled == ["106"]  # Tele-Onthaal, in Dutch


@pytest.mark.parametrize(
    ("after", "step"),
    [("1", "    - transfer: tele-accueil\n"), ("2", "    - voicemail: leave_message\n")],
)
def test_where_calls_go_while_closed(config_copy, capsys, monkeypatch, after, step):
    answers = [*ANSWERS[:3], "en", "always", "0470 12 34 56", after]
    code, out = new_line(config_copy, capsys, monkeypatch, answers)
    assert code == 0, out
    written = (config_copy / "ecoute-ados.yaml").read_text(encoding="utf-8")
    assert "  hours: always\n" in written and step in written
    code, said = check(config_copy, capsys)
    assert code == 0, said


def test_an_answer_that_does_not_fit_is_asked_again(config_copy, capsys, monkeypatch):
    answers = [
        *ANSWERS[:2],
        "0800 30 030",  # Écoute Violences Conjugales' number
        "02 555 01 23",
        "fr, xx",
        "fr",
        "lun-ven 09:00-17:00",
        *ANSWERS[4:],
    ]
    code, out = new_line(config_copy, capsys, monkeypatch, answers)
    assert code == 0, out
    assert "  +3280030030 is the number of line 'ecoute-violences-conjugales'" in out
    assert "  write some of: fr, nl, de, en, such as: fr, nl" in out
    assert (
        "  'lun-ven' is not a day or a range of days; days are written short and in English: "
        "mon-fri"
    ) in out


def test_misses_at_one_question_never_throw_the_answers_away(config_copy, capsys, monkeypatch):
    """Three misses at one question used to end it all, nothing written: it asks on."""
    wrong = ["lun-ven 09:00-17:00", "mon-fri 9-17", "weekdays", "mon-fri 17:00", "mon-fri"]
    answers = [*ANSWERS[:4], *wrong, *ANSWERS[4:]]
    code, out = new_line(config_copy, capsys, monkeypatch, answers)
    assert code == 0, out
    hours = (
        "Its opening hours (such as: mon-fri 09:00-17:00; sat 10:00-12:00; or: always) "
        "[mon-fri 09:00-17:00]: "
    )
    asked = [line for line in out if line.startswith(hours)]
    assert asked == [hours + answer for answer in [*wrong, ANSWERS[4]]]
    # Each miss says why, right after it.
    for answer in wrong:
        assert out[out.index(hours + answer) + 1].startswith("  "), answer
    assert f"wrote {config_copy / 'ecoute-ados.yaml'}" in out


def test_no_more_answers_writes_nothing(config_copy, capsys, monkeypatch):
    before = sorted(p.name for p in config_copy.iterdir())
    fr = (config_copy.parent / "prompts" / "fr.yaml").read_text(encoding="utf-8")
    code, out = new_line(config_copy, capsys, monkeypatch, ANSWERS[:4])
    assert code == 2
    assert out[-1] == (
        "ivr new-line: no answer to 'Its opening hours (such as: mon-fri 09:00-17:00; sat "
        "10:00-12:00; or: always)': nothing was written"
    )
    assert sorted(p.name for p in config_copy.iterdir()) == before
    assert (config_copy.parent / "prompts" / "fr.yaml").read_text(encoding="utf-8") == fr


def test_an_id_that_exists_is_refused(config_copy, capsys, monkeypatch):
    answers = [ANSWERS[0], "stop-it-now", "Stop", "ados", *ANSWERS[2:]]
    code, out = new_line(config_copy, capsys, monkeypatch, answers)
    assert code == 0, out
    assert "  there is a line 'stop-it-now' already: choose another" in out
    assert "  'Stop' is not usable: use lowercase letters, digits and -" in out
    assert (config_copy / "ados.yaml").exists()


def test_answers_that_would_fail_the_final_check_are_asked_again(config_copy, capsys, monkeypatch):
    """A section of prompts left by a removed line, or the line's own number as the team's,
    are said at their question, not after every answer has been given."""
    fr = config_copy.parent / "prompts" / "fr.yaml"
    fr.write_text(fr.read_text(encoding="utf-8") + "\nados:\n  welcome: Bonjour\n", "utf-8")
    answers = [ANSWERS[0], "ados", "ecoute-ados", *ANSWERS[2:6], "02 555 01 23", *ANSWERS[6:]]
    code, out = new_line(config_copy, capsys, monkeypatch, answers)
    assert code == 0, out
    assert (
        f"  {fr} still has a section 'ados' (of a line removed?): choose another name, or "
        "remove that section first"
    ) in out
    assert "  +3225550123 is the number of one of our lines, not of a team" in out
    assert (config_copy / "ecoute-ados.yaml").exists()
