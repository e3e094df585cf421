"""`ivr check`: every operator mistake is caught before a caller meets it, as FILE:LINE."""

import pytest
from support.helpers import PROBLEM, check, edit, line_of

from ivr.app import create_app
from ivr.config import ConfigError


def test_the_shipped_configuration_says_only_what_an_operator_must_act_on(capsys):
    code, out = check("config", capsys)
    assert code == 0
    # Two lines of warnings: the placeholders, the one callers feel most (the trunk) first,
    # with how many more and where: the teams' phones, and the caller IDs of the two 0800
    # lines.
    assert out == [
        "config/trunks.yaml:24: warning: trunk 'carrier' is a placeholder: until it is real, "
        "transfers to 107, 106, 1813, 103, 102, 116000 fail (callers then hear the number to "
        "dial themselves); put in your carrier's details (docs/deploy.md) (and 5 more like it, "
        "in 1712.yaml, ecoute-violences-conjugales.yaml, stop-it-now.yaml)",
        # Without REST credentials, the queue steps ring the YAML numbers (issue 21).
        "config/1712.yaml:35: warning: without Twilio's REST API (TWILIO_API_KEY is not set) "
        "nobody on duty can be rung: this queue step puts callers through to the line's YAML "
        "numbers, as a transfer does (docs/configuration.md, 'queue') (and 1 more like it, in "
        "stop-it-now.yaml)",
        "configuration is sound: 4 lines, 11 services; calls and recordings stay at Twilio, with "
        "the callers' numbers, since TWILIO_API_KEY is not set (docs/privacy.md)",
    ]


def test_callers_sent_to_a_service_that_does_not_speak_their_language(config_copy, capsys):
    """Warned about, unless services.yaml says they are referred to it all the same
    (`also_for:`), for want of a service that speaks their language."""
    services = config_copy / "services.yaml"
    edit(services, "    also_for: [en]\n", "")
    code, out = check(config_copy, capsys)
    assert code == 0
    at = line_of(config_copy / "1712.yaml", "transfer: tele-accueil")
    assert out[0] == (
        f"{config_copy}/1712.yaml:{at}: warning: callers in en are sent to 'tele-accueil', which "
        "answers in fr, de; if another service speaks their language, name it under 'instead:' "
        "of 'tele-accueil' in services.yaml (and 1 more like it: orientation.yaml:62)"
    )


@pytest.mark.parametrize(
    "also_for, message",
    [
        ("[fr, en]", "'tele-accueil' speaks fr itself; remove it from 'also_for'"),
        ("[nl, en]", "callers in nl are sent to 'tele-onthaal' instead (under 'instead:'); keep"),
        ("[en, xx]", "'xx' is not a language code"),
    ],
)
def test_also_for_mistakes(config_copy, capsys, also_for, message):
    services = config_copy / "services.yaml"
    edit(services, "    also_for: [en]\n", f"    also_for: {also_for}\n")
    code, out = check(config_copy, capsys)
    assert code == 1
    assert out[0].startswith(f"{services}:{line_of(services, 'also_for: ' + also_for)}: ")
    assert message in out[0]


def test_warnings_of_one_kind_fold_into_one_line(config_copy, capsys):
    path = config_copy / "ecoute-violences-conjugales.yaml"
    edit(
        path, "steps:\n", "steps:\n  forgotten:\n    - say: welcome\n  lost:\n    - say: welcome\n"
    )
    code, out = check(config_copy, capsys)
    assert code == 0
    assert [o for o in out if "reaches step" in o] == [
        f"{path}:{line_of(path, 'forgotten:')}: warning: no caller ever reaches step 'forgotten' "
        f"(and 1 more like it: ecoute-violences-conjugales.yaml:{line_of(path, 'lost:')})"
    ]


EVC = "ecoute-violences-conjugales.yaml"
CASES = [
    # (file, old text, new text, line containing, expected message fragment)
    (EVC, "mon-fri: 09:00-19:00", "mon-fri: 09:00-1900", "mon-fri", "'1900' is not a time"),
    (EVC, "mon-fri: 09:00-19:00", "lun-ven: 09:00-19:00", "lun-ven", "'lun-ven' is not a day"),
    (EVC, "mon-fri: 09:00-19:00", "mon: 19:00", "mon: 19:00", "not a time window"),
    (
        EVC,
        "mon-fri: 09:00-19:00",
        "mon-fri: 09:00-19:00\n    wed: 18:00-20:00",
        "hours:",
        "overlaps",
    ),
    (EVC, "  public_holidays: closed\n", "", "schedule:", "public_holidays: closed"),
    (EVC, "public_holidays: closed", "public_holidays: no", "public_holidays", "'closed' or"),
    (EVC, "on_failure: team-unavailable", "on_failure: team-busy", "on_failure", "no step"),
    (EVC, "timeout: 25", "timout: 25", "timout", "no setting 'timout'"),
    (EVC, "timeout: 25", "timeout: 2", "timeout", "from 5 to 600"),
    (EVC, 'number: "+3220000001"', 'number: "112"', "112", "emergency number"),
    (EVC, 'number: "+3220000001"', 'number: "02 000 00 0l"', "02 000", "not a phone number"),
    (EVC, "transfer: tele-accueil", "transfer: tele-acceuil", "tele-acceuil", "neither a contact"),
    (EVC, "say: team_busy", "say: team_bussy", "team_bussy", "prompt 'team_bussy' is missing"),
    (EVC, "languages: [fr]", "languages: [fl]", "languages", "'fl' is not a language"),
    (EVC, "  - say: team_busy", "  - shout: team_busy", "shout", "'shout' is not an action"),
    (EVC, "timezone: Europe/Brussels", "timezone: Brussels", "timezone", "not a time zone"),
    (EVC, '["+3280030030"]', '["0800 3O 030"]', "numbers:", "not a phone number"),
    (
        "stop-it-now.yaml",
        '["+3280014112"]',
        '["+3280030030"]',
        "numbers:",
        "is also a number of line 'ecoute-violences-conjugales'",
    ),
    (EVC, "when_closed: closed", "when_closed: close", "when_closed", "no step 'close'"),
    (EVC, "    - say: [welcome, not_emergency, closed_hours]", "\t- say: x", "- say: x", "a tab"),
    (
        "stop-it-now.yaml",
        '"1": information',
        '"1": information\n          "1": information  # again',
        "# again",
        "written twice",
    ),
    (
        "1712.yaml",
        "    - date: 07-11",
        "    - date: 11-07-2026",
        "date: 11-07",
        "not a day of the year",
    ),
    (
        "1712.yaml",
        "  closure_days:",
        "  exceptions:\n    - dates: 2026-12-32\n      status: closed\n      reason: x\n"
        "  closure_days:",
        "2026-12-32",
        "not a date or a period",
    ),
    (
        "1712.yaml",
        "  closure_days:",
        "  exceptions:\n    - dates: 2026-12-24\n      status: shut\n      reason: x\n"
        "  closure_days:",
        "status: shut",
        "'open' or 'closed'",
    ),
    ("orientation.yaml", "referral: sos-viol", "referral: sos-viool", "sos-viool", "no service"),
    (
        "orientation.yaml",
        '"2": sexual-violence',
        '"2": sexual-violence\n          "22": school',
        '"22": school',
        "starts with key 2",
    ),
    (
        "orientation.yaml",
        "    - goto: main-menu\n",
        "    - goto: welcome\n",
        "  welcome:",
        "loop that never waits",
    ),
    (
        "voices.yaml",
        "voice: Polly.Isabelle-Neural",
        "voice: Polly.Lisa-Neural",
        "Lisa",
        "does not speak fr-BE",
    ),
    ("services.yaml", 'number: "103"', 'number: "1o3"', "1o3", "not a phone number"),
]


@pytest.mark.parametrize(("file", "old", "new", "at", "message"), CASES)
def test_each_mistake_is_reported_at_its_line(config_copy, capsys, file, old, new, at, message):
    path = config_copy / file
    edit(path, old, new)
    code, out = check(config_copy, capsys)
    assert code == 1, out
    problems = [PROBLEM.match(line) for line in out if PROBLEM.match(line)]
    hits = [p for p in problems if message in p["message"] and "warning:" not in p["message"]]
    assert hits, out
    assert hits[0]["file"] == str(path)
    assert int(hits[0]["line"]) == line_of(path, at), out
    assert out[-1].endswith("fix them before starting.")


def test_a_prompt_with_a_placeholder_nobody_fills(config_copy, capsys):
    prompts = config_copy.parent / "prompts" / "fr.yaml"
    edit(prompts, "Nous répondons {hours}.", "Nous répondons {horaire}.")
    code, out = check(config_copy, capsys)
    assert code == 1
    assert any(
        f"{prompts}:{line_of(prompts, '{horaire}')}: prompt 'closed_hours' uses {{horaire}}" in o
        for o in out
    ), out


def test_a_prompt_the_router_needs_is_missing(config_copy, capsys):
    prompts = config_copy.parent / "prompts" / "fr.yaml"
    edit(prompts, "  invalid_choice: Ce choix n'existe pas.\n", "")
    code, out = check(config_copy, capsys)
    assert code == 1
    assert any("needs the prompt 'invalid_choice'" in o for o in out)


def test_unreachable_step_is_a_warning_not_an_error(config_copy, capsys):
    edit(config_copy / EVC, "steps:\n", "steps:\n  forgotten:\n    - say: welcome\n")
    code, out = check(config_copy, capsys)
    assert code == 0
    assert any("warning: no caller ever reaches step 'forgotten'" in o for o in out)


def test_the_app_refuses_to_start_on_a_broken_configuration(config_copy):
    edit(config_copy / EVC, "mon-fri: 09:00-19:00", "mon-fri: 9h-19h")
    with pytest.raises(ConfigError) as refused:
        create_app(config_copy)
    assert f"{config_copy / EVC}:" in str(refused.value)
    assert "is not a time" in str(refused.value)


def test_python_m_ivr_check_exit_codes(config_copy):
    import subprocess
    import sys

    ok = subprocess.run([sys.executable, "-m", "ivr", "check", str(config_copy)], check=False)
    assert ok.returncode == 0
    edit(config_copy / EVC, "mon-fri: 09:00-19:00", "mon-fri: 09:00-25:00")
    broken = subprocess.run(
        [sys.executable, "-m", "ivr", "check", str(config_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert broken.returncode == 1
    assert f"{config_copy / EVC}:12: '25:00' is not a time of day" in broken.stdout


def test_a_comment_that_cuts_a_prompt_short_is_warned_about(config_copy, capsys):
    """`tapez 1 puis #, ou 0 …`: YAML reads 'tapez 1 puis' and the rest as a comment."""
    path = config_copy.parent / "prompts" / "fr.yaml"
    edit(
        path,
        "hear_again: Pour réécouter ces informations, tapez 1.",
        "hear_again: Pour réécouter ces informations, tapez 1 puis #, ou 0 pour finir.",
    )
    code, out = check(config_copy, capsys)
    assert code == 0
    assert f"{path}:{line_of(path, 'hear_again')}: warning: callers hear this text only up to " in (
        "\n".join(out)
    )
    edit(
        path,
        "hear_again: Pour réécouter ces informations, tapez 1 puis #, ou 0 pour finir.",
        'hear_again: "Pour réécouter ces informations, tapez 1 puis #, ou 0 pour finir."',
    )
    _, out = check(config_copy, capsys)
    assert not [o for o in out if "only up to ' #'" in o]
