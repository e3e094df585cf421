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
            "line 26 above, at this indentation, is a list item ('- ...'): start this line with "
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
