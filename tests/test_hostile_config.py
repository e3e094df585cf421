"""`ivr check` (and the server's reload) on hostile or broken files: each is refused quickly,
as FILE:LINE and a sentence for the operator, never a traceback or a hang; a file that cannot
be read is said once, without the errors that would follow from its absence."""

import json
import os
import re
import subprocess
import sys

import pytest
from support.helpers import EVC, OPS, PROBLEM, Call, brussels, check, edit

from ivr import config as config_module
from ivr.app import create_app

EVC_FILE = "ecoute-violences-conjugales.yaml"

# Seven levels of nine aliases: 9**7 (4.8 million) strings once expanded, from 272 bytes.
ALIAS_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""

# Runs `ivr check` in a fresh process of its own, so that the peak memory of its children is
# the check's alone (not that of a server an earlier test started).
MEASURE = """
import json, resource, subprocess, sys, time
start = time.monotonic()
done = subprocess.run(
    [sys.executable, "-m", "ivr", "check", sys.argv[1]], capture_output=True, text=True,
    timeout=60,
)
seconds = time.monotonic() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": done.returncode, "out": done.stdout, "err": done.stderr,
                  "seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
                  "mb": usage.ru_maxrss / 1024}))
"""


def measured_check(config_dir) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(config_dir)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def line_of(path, fragment: str) -> int:
    """The line `fragment` is on, counting only newlines (str.splitlines also breaks at a
    vertical tab)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def within_limits(result: dict) -> None:
    """Under 2 s and 200 MB. The time is the processor's, which other work on the machine
    does not stretch as it does the clock's (2 s would be flaky); the clock only has to show
    that nothing hung."""
    assert result["cpu"] < 2.0, result
    assert result["seconds"] < 10.0, result
    assert result["mb"] < 200, result


def errors(out: list[str]) -> list[str]:
    return [o for o in out if PROBLEM.match(o) and "warning:" not in o]


def only_error(config_dir, capsys) -> str:
    """The one error `ivr check` reports, and that it refuses the configuration."""
    code, out = check(config_dir, capsys)
    assert code == 1, out
    found = errors(out)
    assert len(found) == 1, found
    assert out[-1] == "1 error(s): callers would meet them; fix them before starting."
    return found[0]


# -- too costly to read -----------------------------------------------------------------------


def test_an_alias_bomb_is_refused_in_little_time_and_memory(config_copy):
    services = config_copy / "services.yaml"
    services.write_text(ALIAS_BOMB, encoding="utf-8")
    result = measured_check(config_copy)
    assert result["code"] == 1, result
    assert result["err"] == ""  # no traceback
    assert f"{services}:1: anchors (&) and aliases (*) are not allowed" in result["out"]
    assert "1 error(s)" in result["out"]  # not one per transfer to a service
    # Reading it whole took 10 s and 550 MB; `ivr check` alone is about 1 s and 60 MB.
    within_limits(result)


def test_a_5_mb_file_is_refused_in_little_time_and_memory(config_copy):
    prompts = config_copy.parent / "prompts" / "nl.yaml"
    row = "  prompt: " + "bla " * 20 + "\n"
    prompts.write_text("shared:\n" + row * (5_000_000 // len(row)), encoding="utf-8")
    assert prompts.stat().st_size > 4_900_000
    result = measured_check(config_copy)
    assert result["code"] == 1, result
    assert result["err"] == ""
    assert (
        f"{prompts}:1: the file is 4.8 MB, larger than the 256 KiB a configuration file may be"
        in result["out"]
    ), result["out"]
    assert "1 error(s)" in result["out"]  # no prompt of Dutch is "missing"
    within_limits(result)  # reading it took 15 s


def test_a_file_just_over_the_limit_is_refused_and_one_under_it_is_read(config_copy, capsys):
    voices = config_copy / "voices.yaml"
    text = voices.read_text(encoding="utf-8")
    padding = config_module.MAX_FILE_BYTES - len(text.encode()) - 1
    voices.write_text("#" * padding + "\n" + text, encoding="utf-8")
    code, out = check(config_copy, capsys)
    assert code == 0, out
    voices.write_text("#" * (padding + 1) + "\n" + text, encoding="utf-8")
    message = only_error(config_copy, capsys)
    assert message.startswith(f"{voices}:1: the file is 256 KiB, larger than the 256 KiB")


def test_a_file_of_too_many_values_is_refused(config_copy, capsys):
    path = config_copy / "orientation.yaml"
    path.write_text("numbers:\n" + "  - x\n" * 20_000, encoding="utf-8")  # 120 KB
    assert only_error(config_copy, capsys) == (
        # The file, "numbers" and its list are three values: the 10,001st is on line 9999.
        f"{path}:9999: the file holds more than 10,000 values by here; no configuration needs "
        "that many, so it is not read: is this the right file?"
    )


def test_deep_nesting_is_refused(config_copy, capsys):
    path = config_copy / EVC_FILE
    path.write_text("steps:\n  x: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    assert only_error(config_copy, capsys) == (
        f"{path}:2: the settings are nested more than 20 levels deep here; no setting needs "
        "that many: check the indentation and the [ ] and { } pairs"
    )


def test_a_recursive_alias_is_refused(config_copy, capsys):
    path = config_copy / "trunks.yaml"
    edit(path, "trunks:\n", "loop: &loop [*loop]\ntrunks:\n")
    message = only_error(config_copy, capsys)  # not "no trunk 'carrier'" for every short number
    assert message == (
        f"{path}:{line_of(path, 'loop:')}: anchors (&) and aliases (*) are not allowed; "
        "write the text out in full"
    )


def test_an_anchor_alone_is_refused(config_copy, capsys):
    path = config_copy / EVC_FILE
    edit(path, "timeout: 25", "timeout: &t 25")
    message = only_error(config_copy, capsys)
    assert message.startswith(f"{path}:{line_of(path, '&t')}: anchors (&) and aliases (*)")


def test_a_number_of_5000_digits_is_refused(config_copy, capsys):
    path = config_copy / EVC_FILE
    edit(path, "timeout: 25", "timeout: " + "9" * 5000)
    assert only_error(config_copy, capsys) == (
        f"{path}:{line_of(path, '99999')}: '999999999999...' is a number of 5000 digits; no "
        "setting takes more than 9. A phone number is written in quotes with +32, such as "
        '"+3280030030"'
    )


def test_a_yaml_tag_is_refused(config_copy, capsys):
    path = config_copy / EVC_FILE
    edit(path, "timeout: 25", 'timeout: !!int "25x"')  # int("25x") would raise
    assert only_error(config_copy, capsys) == (
        f"{path}:{line_of(path, '25x')}: '!!int' is a YAML tag, which is not allowed; write "
        "the value plainly, and put text that starts with ! in quotes"
    )


def test_a_fifo_is_refused_without_waiting_for_it(config_copy):
    fifo = config_copy / "pipe.yaml"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "ivr", "check", str(config_copy)],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert done.returncode == 1
    assert f"{fifo}:1: this is not an ordinary file; put a YAML text file here" in done.stdout


# -- control characters -----------------------------------------------------------------------

# (file, text, the same with a control character) in every kind of file.
PLACES = [
    ("prompts/fr.yaml", "Ce choix n'existe pas.", '"Ce choix{c}n\'existe pas."'),
    ("config/" + EVC_FILE, "name: Écoute Violences Conjugales", 'name: "Écoute{c}Violences"'),
    ("config/services.yaml", '"+3280098100"', '"+32800{c}98100"'),
    ("config/voices.yaml", "Polly.Lisa-Neural", '"Polly.Lisa{c}-Neural"'),
    ("config/trunks.yaml", "sip.carrier.example", '"sip.carrier{c}.example"'),
]
ESCAPED = "this text asks for an invisible control character"
RAW = "this line holds an invisible control character"
VERTICAL_TAB = "(U+000B, a vertical tab, which word processors write for a line break)"


@pytest.mark.parametrize(("file", "old", "new"), PLACES)
def test_a_vertical_tab_written_as_an_escape_is_refused(config_copy, capsys, file, old, new):
    path = config_copy.parent / file
    edit(path, old, new.format(c="\\v"))  # inside double quotes, YAML reads \v as a tab
    assert only_error(config_copy, capsys) == (
        f"{path}:{line_of(path, new.format(c=chr(92) + 'v'))}: {ESCAPED} {VERTICAL_TAB}, which "
        "cannot be spoken nor sent to Twilio; remove the \\ escape that writes it (such as "
        '"\\v"); for a new line, write on the next line'
    )


@pytest.mark.parametrize(("file", "old", "new"), PLACES)
def test_a_vertical_tab_in_the_file_itself_is_refused(config_copy, capsys, file, old, new):
    path = config_copy.parent / file
    edit(path, old, new.format(c="\v"))
    assert only_error(config_copy, capsys) == (
        f"{path}:{line_of(path, chr(11))}: {RAW} {VERTICAL_TAB}, which cannot be spoken nor "
        "sent to Twilio; delete it (retype the text around it in a plain text editor)"
    )


@pytest.mark.parametrize(
    ("escape", "name"),
    [
        ("\\0", "U+0000, a null character"),
        ("\\e", "U+001B, an escape character"),
        ("\\x7f", "U+007F, a delete character"),
        ("\\x9b", "U+009B, a control character"),
        ("\\uFFFE", "U+FFFE, a non-character"),
        ("\\uFFFF", "U+FFFF, a non-character"),
        ("\\uD800", "U+D800, half of a broken character (a lone surrogate)"),
    ],
)
def test_every_character_xml_cannot_carry_is_refused(config_copy, capsys, escape, name):
    path = config_copy.parent / "prompts" / "fr.yaml"
    edit(path, "invalid_choice: Ce choix n'existe pas.", f'invalid_choice: "Ce choix{escape}"')
    assert only_error(config_copy, capsys).startswith(
        f"{path}:{line_of(path, 'invalid_choice')}: {ESCAPED} ({name})"
    )


def test_tabs_and_line_breaks_are_still_allowed(config_copy, capsys):
    path = config_copy.parent / "prompts" / "fr.yaml"
    edit(path, "invalid_choice: Ce choix n'existe pas.", 'invalid_choice: "Ce\\tchoix\\r\\n."')
    code, out = check(config_copy, capsys)
    assert code == 0, out


def test_each_line_with_a_control_character_is_named_up_to_five(config_copy, capsys):
    path = config_copy.parent / "prompts" / "fr.yaml"
    path.write_text("shared:\n" + "  x: a\fb\n" * 50, encoding="utf-8")
    code, out = check(config_copy, capsys)
    assert code == 1
    found = errors(out)
    assert [f.split(": ", 1)[0] for f in found] == [f"{path}:{n}" for n in range(2, 7)]
    assert all("(U+000C, a page break)" in f for f in found)


def test_a_file_that_is_not_utf8_is_refused_at_its_line(config_copy, capsys):
    path = config_copy.parent / "prompts" / "fr.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("latin-1", errors="replace"))  # "é" as one byte
    first = next(n for n, row in enumerate(text.splitlines(), 1) if not row.isascii())
    assert only_error(config_copy, capsys) == (
        f"{path}:{first}: this line is not UTF-8 text (a character the file's encoding "
        "garbled); save the file as UTF-8 text"
    )


def test_anything_pyyaml_refuses_is_a_problem_not_a_traceback(config_copy, capsys, monkeypatch):
    # Forced past our own look for control characters: PyYAML then refuses the raw character
    # with a ReaderError, which is not a MarkedYAMLError.
    monkeypatch.setattr(config_module.reading, "CONTROL", re.compile("(?!)"))
    path = config_copy.parent / "prompts" / "fr.yaml"
    edit(path, "Ce choix n'existe pas.", "Ce choix\vn'existe pas.")
    message = only_error(config_copy, capsys)
    assert message.startswith(f"{path}:{line_of(path, chr(11))}: this is not valid YAML (")
    assert "#x000b" in message


def test_a_control_character_forced_past_the_check_crashes_nothing(config_copy, monkeypatch):
    monkeypatch.setattr(config_module.reading, "CONTROL", re.compile("(?!)"))
    path = config_copy.parent / "prompts" / "fr.yaml"
    edit(path, "invalid_choice: Ce choix n'existe pas.", 'invalid_choice: "Ce choix\\v."')
    config, problems = config_module.load(config_copy, config_copy.parent / "prompts")
    assert config is not None, problems
    assert config.prompt("fr", "orientation", "invalid_choice").text == "Ce choix\x0b."
    monkeypatch.setenv("IVR_PROMPTS_DIR", str(config_copy.parent / "prompts"))
    app = create_app(config_copy)
    assert app.test_client().get("/healthz").status_code == 200


def test_an_audio_name_too_long_for_the_system_is_only_missing(config_copy, capsys):
    path = config_copy.parent / "prompts" / "fr.yaml"
    edit(
        path,
        "invalid_choice: Ce choix n'existe pas.",
        f"invalid_choice:\n    text: Ce choix n'existe pas.\n    audio: {'a' * 5000}.mp3",
    )
    message = only_error(config_copy, capsys)
    assert message.startswith(f"{path}:{line_of(path, 'aaaa')}: there is no audio file ")


# -- one root cause, not its consequences --------------------------------------------------------


@pytest.mark.parametrize(
    "file",
    [
        "config/services.yaml",
        "config/trunks.yaml",
        "config/voices.yaml",
        "config/" + EVC_FILE,
        "config/orientation.yaml",
        "prompts/fr.yaml",
        "prompts/nl.yaml",
    ],
)
@pytest.mark.parametrize("breakage", ["bomb", "invalid", "empty"])
def test_a_file_that_cannot_be_read_is_the_only_error(config_copy, capsys, file, breakage):
    path = config_copy.parent / file
    text = {"bomb": ALIAS_BOMB, "invalid": "key: [unclosed\n", "empty": ""}[breakage]
    path.write_text(text, encoding="utf-8")
    message = only_error(config_copy, capsys)
    assert message.startswith(f"{path}:")
    expected = {
        "bomb": "anchors (&) and aliases (*) are not allowed",
        "invalid": "the [ on this line is not closed by ]",
        "empty": "the file is empty",
    }[breakage]
    assert expected in message


# -- the running server ---------------------------------------------------------------------------


def test_the_server_refuses_a_hostile_change_and_calls_go_on(
    config_copy, clock, monkeypatch, caplog
):
    monkeypatch.setenv("IVR_RELOAD_SECONDS", "0")
    monkeypatch.setenv("IVR_PROMPTS_DIR", str(config_copy.parent / "prompts"))
    clock.now = brussels("2026-11-24 19:30")
    app = create_app(config_copy, clock=clock)
    services = config_copy / "services.yaml"
    services.write_text(ALIAS_BOMB, encoding="utf-8")
    assert Call(app, EVC).start().dialled == ["107"]  # the last good configuration
    health = app.test_client().get("/healthz", headers=OPS).get_json()
    refused = health["last_refused_change"]
    assert refused["problems"] == [
        f"{services}:1: anchors (&) and aliases (*) are not allowed; write the text out in full"
    ]


# -- where recordings are ---------------------------------------------------------------------


def test_the_audio_folder_is_absolute_for_a_relative_configuration_folder(config_copy, monkeypatch):
    (config_copy.parent / "prompts" / "audio").mkdir(exist_ok=True)
    monkeypatch.chdir(config_copy.parent)
    config, problems = config_module.load("config")  # as IVR_CONFIG_DIR=config under gunicorn
    assert config is not None, problems
    assert config.audio_dir == str((config_copy.parent / "prompts" / "audio").resolve())
    config, problems = config_module.load("config", "../" + config_copy.parent.name + "/prompts")
    assert config.audio_dir == str((config_copy.parent / "prompts" / "audio").resolve())


# -- transfers that go round ------------------------------------------------------------------

LOOP = "callers would go round and round"
Q1712 = '"1712"'


def test_a_line_that_transfers_into_itself_is_refused(config_copy, capsys):
    path = config_copy / "1712.yaml"
    edit(path, "  talk-now:\n    - transfer: tele-accueil", '  talk-now:\n    - transfer: "1712"')
    assert only_error(config_copy, capsys) == (
        f"{path}:{line_of(path, 'transfer: ' + Q1712)}: this transfer puts callers straight into "
        "line '1712' (service '1712' is that line), which leads back here: 1712 → 1712; "
        f"{LOOP}: transfer to a contact, or to a service that is not one of our lines"
    )


def test_two_lines_that_refer_callers_to_each_other_are_refused(config_copy, capsys):
    line_1712 = config_copy / "1712.yaml"
    evc = config_copy / EVC_FILE
    edit(
        line_1712,
        "  talk-now:\n    - transfer: tele-accueil",
        "  talk-now:\n    - referral: ecoute-violences-conjugales",
    )
    edit(evc, "]\n    - transfer: tele-accueil", "]\n    - referral: " + Q1712)  # when closed
    code, out = check(config_copy, capsys)
    assert code == 1
    fix = (
        "refer them to a service that is not one of our lines, or write 'offer_transfer: false' "
        "to only tell them the number"
    )
    assert errors(out) == [
        # In Dutch, 'ecoute-violences-conjugales' is 'instead:' the service "1712": this line.
        f"{line_1712}:{line_of(line_1712, 'referral: ecoute')}: pressing 1 after this referral "
        "puts callers in nl straight into line '1712' (through 'instead:' of service "
        f"'ecoute-violences-conjugales' in services.yaml), which leads back here: 1712 → 1712; "
        f"{LOOP}: {fix}",
        f"{evc}:{line_of(evc, 'referral: ' + Q1712)}: pressing 1 after this referral puts callers "
        "straight into line '1712' (service '1712' is that line), which leads back here: "
        f"ecoute-violences-conjugales → 1712 → ecoute-violences-conjugales; {LOOP}: {fix}",
    ]


def test_a_referral_that_only_tells_the_number_goes_nowhere(config_copy, capsys):
    edit(
        config_copy / "1712.yaml",
        "  talk-now:\n    - transfer: tele-accueil",
        '  talk-now:\n    - referral: "1712"\n      offer_transfer: false',
    )
    code, out = check(config_copy, capsys)
    assert code == 0, out


def test_a_contact_named_like_a_service_is_a_phone_not_a_line(config_copy, capsys):
    path = config_copy / "1712.yaml"
    edit(path, "  counsellors:\n", '  "1712":\n    number: "+3220000004"\n  counsellors:\n')
    edit(path, "  talk-now:\n    - transfer: tele-accueil", '  talk-now:\n    - transfer: "1712"')
    code, out = check(config_copy, capsys)
    assert code == 0, out


# -- prompts the router could not fill --------------------------------------------------------

FR = "prompts/fr.yaml"
SAID_IN_1712 = "Nous répondons {hours}."  # the line 1712's own closed_hours
NOTHING_AFTER = "but a placeholder takes nothing after its name (the router fills it with words)"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            SAID_IN_1712,
            "Nous répondons {hours:d}.",
            f"prompt 'closed_hours' writes {{hours:d}}, {NOTHING_AFTER}: write {{hours}} "
            "without ':d'",
        ),
        (
            SAID_IN_1712,
            "Nous répondons {hours:>999999999}.",  # would take a gigabyte
            f"prompt 'closed_hours' writes {{hours:>999999999}}, {NOTHING_AFTER}: write "
            "{hours} without ':>999999999'",
        ),
        (
            "Appelez le {number},",
            "Appelez le {number!x},",
            f"prompt 'referral' writes {{number!x}}, {NOTHING_AFTER}: write {{number}} "
            "without '!x'",
        ),
        (
            "Appelez le {number},",
            "Appelez le {number!r},",  # would say the quotes
            f"prompt 'referral' writes {{number!r}}, {NOTHING_AFTER}: write {{number}} "
            "without '!r'",
        ),
        (
            SAID_IN_1712,
            "Nous répondons {hours.",
            "prompt 'closed_hours' has a '{' or a '}' without its pair: a placeholder is written "
            "{hours}; to say a brace, write it twice, {{ or }}",
        ),
        (
            "Ce choix n'existe pas.",
            "Ce choix n'existe pas}.",
            "prompt 'invalid_choice' has a '{' or a '}' without its pair: a placeholder is "
            "written {hours}; to say a brace, write it twice, {{ or }}",
        ),
        (
            SAID_IN_1712,
            "Nous répondons {0}.",
            "prompt 'closed_hours' uses {0}, which nothing fills; the placeholders are: "
            "{hours}, {line}, {next_open}, {number}",
        ),
    ],
)
def test_a_prompt_the_router_could_not_fill_is_refused(config_copy, capsys, old, new, message):
    path = config_copy.parent / FR
    edit(path, old, new)
    # Said once, though every line that speaks French could say it.
    assert only_error(config_copy, capsys) == f"{path}:{line_of(path, new)}: {message}"


def test_a_lines_own_wording_of_a_router_prompt_is_checked_too(config_copy, capsys):
    path = config_copy.parent / FR
    edit(path, '\n"1712":\n', '\n"1712":\n  goodbye: "Au revoir de la ligne {line:s}."\n')
    assert only_error(config_copy, capsys) == (
        f"{path}:{line_of(path, '{line:s}')}: prompt 'goodbye' writes {{line:s}}, "
        f"{NOTHING_AFTER}: write {{line}} without ':s'"
    )


def test_braces_written_twice_are_said(config_copy, capsys):
    path = config_copy.parent / FR
    edit(path, SAID_IN_1712, "Nous répondons {{toujours}} {hours}.")
    code, out = check(config_copy, capsys)
    assert code == 0, out


def test_a_shared_prompt_that_several_lines_say_is_reported_once(config_copy, capsys):
    path = config_copy.parent / FR
    edit(path, "  emergency: >-\n    En cas", "  emergency: >-\n    {number:d} En cas")
    assert only_error(config_copy, capsys) == (
        f"{path}:{line_of(path, 'emergency: >-')}: prompt 'emergency' writes {{number:d}}, "
        f"{NOTHING_AFTER}: write {{number}} without ':d'"
    )


# -- our own numbers, dialled -----------------------------------------------------------------

BACK_INTO_THE_ROUTER = (
    "Twilio would bring the call back into this router, and whoever answers would hear that "
    "line's whole call instead of the caller"
)


def test_a_contact_that_rings_one_of_our_lines_is_refused(config_copy, capsys):
    path = config_copy / EVC_FILE
    edit(path, 'number: "+3220000001"', 'number: "+3280014112"')
    assert only_error(config_copy, capsys) == (
        f"{path}:{line_of(path, '+3280014112')}: team: +3280014112 is the number of our own "
        f"line 'stop-it-now': {BACK_INTO_THE_ROUTER}; to send callers into that line, transfer "
        "to a service of services.yaml with 'line: stop-it-now'"
    )


def test_a_ring_group_with_one_of_our_lines_names_the_service_that_is_that_line(
    config_copy, capsys
):
    path = config_copy / "1712.yaml"
    edit(
        path,
        'number: "+3220000003"',
        'numbers:\n      - "+3220000003"\n      - "080030030"',  # the national way, too
    )
    code, out = check(config_copy, capsys)
    assert code == 1
    assert errors(out) == [
        f"{path}:{line_of(path, '080030030')}: counsellors: +3280030030 is the number of our "
        f"own line 'ecoute-violences-conjugales': {BACK_INTO_THE_ROUTER}; to send callers into "
        "that line, transfer to the service 'ecoute-violences-conjugales'"
    ]


def test_a_service_that_dials_one_of_our_lines_is_refused(config_copy, capsys):
    path = config_copy / "services.yaml"
    edit(path, 'number: "+3280098100"', 'number: "+3220000100"')
    assert only_error(config_copy, capsys) == (
        f"{path}:{line_of(path, '+3220000100')}: sos-viol: +3220000100 is the number of our own "
        f"line 'orientation': {BACK_INTO_THE_ROUTER}; write 'line: orientation' under this "
        "service so that callers go into that line"
    )
