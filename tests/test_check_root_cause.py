"""`ivr check` says the root cause of a mistake, first and only, in an operator's words: a file
YAML cannot read, a misspelled name, a duplicate; never the errors that follow from it."""

import pytest
from conftest import PROBLEM, check, edit, line_of

EVC_FILE = "ecoute-violences-conjugales.yaml"
FR = "prompts/fr.yaml"
SUMMARY = "1 error(s): callers would meet them; fix them before starting."


def only_error(config_dir, capsys) -> str:
    """The one error `ivr check` prints: the first line of its output."""
    code, out = check(config_dir, capsys)
    assert code == 1, out
    errors = [o for o in out if PROBLEM.match(o) and ": warning:" not in o]
    assert errors == out[:1], out
    assert out[-1] == SUMMARY, out
    return out[0]


# -- a file YAML cannot read ------------------------------------------------------------------

QUOTE_IT = "this text holds ': ', which YAML reads as the start of a new setting"


@pytest.mark.parametrize(
    ("file", "old", "new", "at", "message"),
    [
        (
            FR,
            "  invalid_choice: Ce choix",
            "\tinvalid_choice: Ce choix",
            "\tinvalid_choice",
            "this line starts with a tab: indent it with spaces (YAML refuses tabs)",
        ),
        (
            "config/" + EVC_FILE,
            "    - transfer: team",
            "\t- transfer: team",
            "\t- transfer",
            "this line starts with a tab: indent it with spaces (YAML refuses tabs)",
        ),
        (
            "config/" + EVC_FILE,
            "name: Écoute",
            "name:\tÉcoute",
            "name:",
            "there is a tab on this line where YAML needs a space: write a space",
        ),
        (
            FR,
            "invalid_choice: Ce choix n'existe pas.",
            "invalid_choice: Attention : ce choix n'existe pas.",
            "invalid_choice",
            f'{QUOTE_IT}: put the whole text in double quotes: invalid_choice: "Attention : '
            "ce choix n'existe pas.\"",
        ),
        (
            FR,
            "  hear_again: Pour réécouter ces informations, tapez 1.",
            "  hear_again: 'Pour réécouter l'information, tapez 1.",
            "hear_again",
            "a text that starts with ' must be quoted whole: put the whole text in double "
            'quotes: hear_again: "Pour réécouter l\'information, tapez 1."',
        ),
        (
            FR,
            "  closed: Notre ligne est fermée en ce moment.",
            "  closed: {line} est fermée en ce moment.",
            "  closed: {line}",
            "a text that starts with { must be quoted whole: put the whole text in double "
            'quotes: closed: "{line} est fermée en ce moment. Elle rou…"',
        ),
        (
            FR,
            "  more_menu: >-\n    Pour revenir",
            '  more_menu: "Pour revenir',
            "more_menu",
            "the quote that opens the text on this line is never closed: end the text with the "
            "same quote (' or \"), or write it without quotes",
        ),
        (
            # The quote is closed only by the next line's: blamed where it opens, not there.
            "config/stop-it-now.yaml",
            "name: Stop it Now! Bruxelles",
            'name: "Stop it Now! Bruxelles',
            "name:",
            "the quote that opens the text on this line is not closed on it, so YAML reads on "
            "into the lines below: end the text with the same quote (' or \")",
        ),
        (
            "prompts/nl.yaml",
            '  referral: "{name}: {about}. Bel {number}, {hours}."',
            '  referral: "{name}: {about}. Bel {number}, {hours}.',
            "  referral:",
            "the quote that opens the text on this line is not closed on it, so YAML reads on "
            "into the lines below: end the text with the same quote (' or \")",
        ),
        (
            "config/" + EVC_FILE,
            "languages: [fr]",
            "languages: [fr\n",
            "languages:",
            "the [ on this line is not closed by ], or its items are not separated by commas; "
            "if this is text starting with [, put it in quotes",
        ),
        (
            "config/" + EVC_FILE,
            "  team:\n    number:",
            "  team:\n      number:",
            "placeholder: true",
            "this line is indented 4 spaces, but the lines above it are indented 6 (line 17), "
            "2 (line 16) or 0 (line 15): line it up with the setting it belongs with",
        ),
        (
            "config/" + EVC_FILE,
            "      timeout: 25",
            "    timeout: 25",
            "timeout: 25",
            "line 32 above, at this indentation, is a list item ('- ...'): start this line with "
            "'- ' too, or indent it further, under the item it belongs to",
        ),
    ],
)
def test_a_file_yaml_cannot_read_is_one_error_in_plain_words(
    config_copy, capsys, file, old, new, at, message
):
    path = config_copy.parent / file
    edit(path, old, new)
    assert only_error(config_copy, capsys) == f"{path}:{line_of(path, at)}: {message}"


def test_a_line_not_lined_up_names_where_its_block_starts(config_copy, capsys):
    path = config_copy / EVC_FILE
    edit(path, "  public_holidays: closed", " public_holidays: closed")
    assert only_error(config_copy, capsys) == (
        f"{path}:{line_of(path, ' public_holidays')}: this line is indented 1 space, but the "
        "lines above it are indented 4 (line 12), 2 (line 11) or 0 (line 9): line it up with "
        "the setting it belongs with"
    )


# -- a misspelled name: did you mean, and nothing that follows from it --------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "at", "message"),
    [
        (EVC_FILE, "languages: [fr]", "langauges: [fr]", "langauges", "the line has no setting "
         "'langauges'; did you mean 'languages'?"),
        (EVC_FILE, "steps:\n", "step:\n", "step:", "the line has no setting 'step'; did you mean "
         "'steps'?"),
        (EVC_FILE, "timeout: 25", "timout: 25", "timout", "'transfer' has no setting 'timout'; "
         "did you mean 'timeout'?"),
        (EVC_FILE, 'number: "+3220000001"', 'nummer: "+3220000001"', "nummer", "contact 'team' "
         "has no setting 'nummer'; did you mean 'number'?"),
        (EVC_FILE, "  - say: team_busy", "  - sya: team_busy", "sya", "'sya' is not an action; "
         "did you mean 'say'?"),
        (EVC_FILE, "on_failure: team-unavailable", "on_failure: team-unavailabel",
         "on_failure", "there is no step 'team-unavailabel'; did you mean 'team-unavailable'?"),
        (EVC_FILE, "transfer: tele-accueil", "transfer: tele-acceuil", "tele-acceuil",
         "'tele-acceuil' is neither a contact of this line nor a service of services.yaml; did "
         "you mean 'tele-accueil'?"),
        ("orientation.yaml", "referral: sos-viol", "referral: sos-viool", "sos-viool",
         "there is no service 'sos-viool' in services.yaml; did you mean 'sos-viol'?"),
        ("1712.yaml", "mon-fri: 09:00-17:00", "lun-ven: 09:00-17:00", "lun-ven", "'lun-ven' is "
         "not a day or a range of days; days are written short and in English: mon-fri"),
        ("1712.yaml", "    - say: counsellors_busy", "    - say: counsellors_bussy", "bussy",
         "prompt 'counsellors_bussy' is missing in prompts/nl.yaml, prompts/fr.yaml, "
         "prompts/en.yaml; did you mean 'counsellors_busy'?"),
        ("services.yaml", "      hours: always\n    instead:\n      nl: tele-onthaal",
         "      hours: allways\n    instead:\n      nl: tele-onthaal", "allways",
         "'hours: allways' is not a way of writing hours; did you mean 'always'?"),
        ("voices.yaml", "  fr:", "  fre:", "fre:", "'fre' is not a language code; did you mean "
         "'fr'?"),
    ],
)  # fmt: skip
def test_a_misspelled_name_is_one_error_with_what_was_meant(
    config_copy, capsys, file, old, new, at, message
):
    path = config_copy / file
    edit(path, old, new)
    assert only_error(config_copy, capsys) == f"{path}:{line_of(path, at)}: {message}"


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        ("\nshared:\n", "\nshare:\n", "share:", "there is no section 'share'; did you mean "
         "'shared'?"),
        ("\nservices:\n", "\nservice:\n", "service:", "there is no section 'service'; did you "
         "mean 'services'?"),
        ("\norientation:\n", "\norientaton:\n", "orientaton:", "there is no line 'orientaton'; "
         "did you mean 'orientation'? (a line's own prompts are under its id)"),
        ("  goodbye:", "  goodby:", "goodby:", "'shared:' needs the prompt 'goodbye', which the "
         "router speaks itself; did you mean 'goodbye' here?"),
    ],
)  # fmt: skip
def test_a_misspelled_name_in_a_prompts_file_is_one_error(
    config_copy, capsys, old, new, at, message
):
    path = config_copy.parent / FR
    edit(path, old, new)
    assert only_error(config_copy, capsys) == f"{path}:{line_of(path, at)}: {message}"


def test_a_prompt_misspelled_in_one_language_is_said_there(config_copy, capsys):
    path = config_copy.parent / "prompts" / "nl.yaml"
    line = config_copy / "1712.yaml"
    edit(path, "  counsellors_busy:", "  counsellors_bussy:")
    assert only_error(config_copy, capsys) == (
        f"{path}:{line_of(path, 'counsellors_bussy')}: line '1712' says prompt "
        f"'counsellors_busy' (1712.yaml:{line_of(line, 'say: counsellors_busy')}), which the "
        "other languages have and this file has not; did you mean 'counsellors_busy'?"
    )


def test_a_line_id_nobody_can_use_is_one_error_with_a_usable_one(config_copy, capsys):
    path = config_copy / EVC_FILE
    edit(path, "id: ecoute-violences-conjugales", "id: Écoute Violences")
    assert only_error(config_copy, capsys) == (
        f"{path}:{line_of(path, 'id:')}: 'Écoute Violences' is not a usable id; use lowercase "
        "letters, digits and -, such as 'ecoute-violences'"
    )


# -- what follows from a mistake is not said -------------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "at", "message"),
    [
        # A contact whose number cannot be read: not also "'team' is neither a contact ...".
        (EVC_FILE, 'number: "+3220000001"', 'number: "112"', "112", "team: 112 is an emergency "
         "number and Twilio cannot dial Belgian emergency services; tell callers to hang up and "
         "dial it instead (a 'say' prompt)"),
        (EVC_FILE, "  team:\n", "  team:\n    ring: sometimes\n", "ring:", "'ring' is 'together' "
         "(every phone at once, the first to take the call wins) or 'in order' (one after the "
         "other), not 'sometimes'"),
        # A service that cannot be read: not also every transfer to it, in every line.
        ("services.yaml", 'number: "107"', 'number: "1o7"', "1o7", "tele-accueil: '1o7' is not "
         "a phone number; write it as on a business card, such as 02 000 00 01, 0470 12 34 56 or "
         "+32 2 000 00 01 (a Belgian number has 9 digits with its 0, a mobile 10), or a short "
         "number such as 107"),
        # A trunk that cannot be read: not also every number that goes through it.
        ("trunks.yaml", "sip: sip.carrier.example", "sip: sip:carrier", "sip: sip:",
         "'sip:carrier' is not a SIP host; write only the host (and :port), such as "
         "sip.carrier.be or sip.carrier.be:5061, without 'sip:' or a number"),
        # A trunk misspelled where it is written: said there, once.
        ("trunks.yaml", "  carrier:", "  carier:", "carier", "no number names trunk 'carier', "
         "and 6 numbers name a trunk 'carrier' that is not here (services.yaml:23, "
         "services.yaml:33, services.yaml:71, services.yaml:78, services.yaml:90, "
         "services.yaml:100): did you mean 'carrier'?"),
        # A service with a mistake of its own: not also what the lines do with it.
        ("services.yaml", "nl: tele-onthaal", "nld: tele-onthaal", "nld: tele",
         "'nld' is not a language code; use fr, nl, de, en"),
    ],
)  # fmt: skip
def test_what_follows_from_a_mistake_is_not_said(config_copy, capsys, file, old, new, at, message):
    path = config_copy / file
    edit(path, old, new)
    assert only_error(config_copy, capsys) == f"{path}:{line_of(path, at)}: {message}"


def test_a_prompts_file_with_a_mistake_is_not_also_every_prompt_missing(config_copy, capsys):
    path = config_copy.parent / "prompts" / "fr.yaml"
    with path.open("a", encoding="utf-8") as f:
        f.write("\nstop-it-now:\n  welcome: Bonjour\n")
    assert only_error(config_copy, capsys) == (
        f"{path}:{len(path.read_text().splitlines()) - 1}: 'stop-it-now' is written twice "
        "here; keep only one"
    )


def test_a_root_cause_in_a_file_read_first_is_said_first(config_copy, capsys):
    """Files are listed in the order they are read, which is the order they depend on
    each other: services.yaml before the lines that use its services."""
    edit(config_copy / "services.yaml", 'number: "107"', 'number: "1o7"')
    edit(config_copy / "1712.yaml", "timeout: 30", "timeout: 3")
    code, out = check(config_copy, capsys)
    assert code == 1
    assert out[0].startswith(f"{config_copy / 'services.yaml'}:")
    assert out[1].startswith(f"{config_copy / '1712.yaml'}:")


# -- duplicates name both files ------------------------------------------------------------------


def test_a_backup_copy_of_a_line_is_one_error_naming_the_original(config_copy, capsys):
    original = config_copy / "stop-it-now.yaml"
    copy = config_copy / "ados.yaml"
    copy.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    assert only_error(config_copy, capsys) == (
        f"{copy}:{line_of(copy, 'id:')}: this file has the id 'stop-it-now', as "
        f"stop-it-now.yaml:{line_of(original, 'id:')} has: each line file needs an id of its own; "
        "a copy kept as a backup goes outside the configuration folder"
    )


def test_a_copy_made_into_a_new_line_names_the_line_whose_number_it_kept(config_copy, capsys):
    original = config_copy / "stop-it-now.yaml"
    copy = config_copy / "ados.yaml"
    copy.write_text(
        original.read_text(encoding="utf-8").replace("id: stop-it-now", "id: ados"),
        encoding="utf-8",
    )
    code, out = check(config_copy, capsys)
    assert code == 1
    # Both files are named after their id: said in the one read last, naming the other.
    assert (
        f"{original}:{line_of(original, 'numbers:')}: +3280014112 is also a number of line "
        f"'ados' (ados.yaml:{line_of(copy, 'numbers:')}): calls to a number reach one line; "
        "remove it from one of the two"
    ) in out


def test_a_line_without_its_prompts_section_is_one_error(config_copy, capsys):
    path = config_copy.parent / FR
    line = config_copy / "stop-it-now.yaml"
    edit(path, "\nstop-it-now:\n", "\nstop-it-now-old:\n")
    code, out = check(config_copy, capsys)
    assert out[0] == (
        f"{line}:{line_of(line, 'say: [welcome, emergency, anonymity]')}: prompts/fr.yaml has no "
        "section 'stop-it-now:', so 6 prompts this line says are missing there: welcome, "
        "anonymity, team_unavailable, closed, contact_hours, hear_again; add the section, with them"
    )
    assert code == 1 and out[-1] == SUMMARY, out


def test_a_line_file_without_settings_says_how_they_are_written(config_copy, capsys):
    path = config_copy / "ados.yaml"
    path.write_text("id ados\nname Écoute Ados\n", encoding="utf-8")  # the ':' forgotten
    assert only_error(config_copy, capsys) == (
        f"{path}:1: a line's file holds its settings, each 'name: value' on a line of its own, "
        "from the first column: 'id: ...', 'name: ...', 'numbers: ...'"
    )
