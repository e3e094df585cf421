"""`ivr check` warns when a line's callers can reach the end of a call without having heard
112 and 101, which Twilio cannot dial for them."""

from support.helpers import check, edit, line_of

EVC_FILE = "ecoute-violences-conjugales.yaml"
FIX = (
    "which Twilio cannot dial for them; say a prompt that names them before, such as "
    "'emergency' or 'not_emergency' (shared)"
)


def warnings_about_112(config_copy, capsys) -> list[str]:
    code, out = check(config_copy, capsys)
    assert code == 0, out
    return [o for o in out if "without having heard" in o]


def test_the_shipped_lines_tell_every_caller(config_copy, capsys):
    assert warnings_about_112(config_copy, capsys) == []


def test_a_caller_put_through_without_hearing_them(config_copy, capsys):
    path = config_copy / EVC_FILE
    edit(path, "say: [welcome, not_emergency, connecting_team]", "say: [welcome, connecting_team]")
    # Then, if the team does not answer, to Télé-Accueil: the same, said once.
    assert warnings_about_112(config_copy, capsys) == [
        f"{path}:{line_of(path, 'transfer: team')}: warning: callers in fr can be put through to "
        f"'team' without having heard 112 and 101, {FIX} (and 1 more like it: "
        f"{EVC_FILE}:{line_of(path, 'transfer: tele-accueil')})"
    ]


def test_every_language_of_a_line_is_said_in_one_line(config_copy, capsys):
    path = config_copy / "1712.yaml"
    edit(path, "say: [welcome, not_emergency]", "say: welcome")
    assert warnings_about_112(config_copy, capsys) == [
        f"{path}:{line_of(path, 'transfer: counsellors')}: warning: callers in nl, fr, en can "
        f"be put through to 'counsellors' without having heard 112 and 101, {FIX}"
    ]


def test_a_goodbye_of_the_lines_own_without_them(config_copy, capsys):
    path = config_copy / EVC_FILE
    prompts = config_copy.parent / "prompts" / "fr.yaml"
    edit(path, "say: [welcome, not_emergency, connecting_team]", "say: [welcome, connecting_team]")
    edit(path, "    - transfer: team\n", "    - voicemail: connecting_team\n    - transfer: team\n")
    edit(
        prompts,
        "\necoute-violences-conjugales:\n",
        "\necoute-violences-conjugales:\n  goodbye: Au revoir.\n",
    )
    found = warnings_about_112(config_copy, capsys)
    # After a message, the caller is thanked, hears the line's goodbye and the call ends.
    assert (
        f"{path}:{line_of(path, 'voicemail: connecting_team')}: warning: callers in fr can reach "
        f"the end of the call ('goodbye', then it ends) without having heard 112 and 101, {FIX}"
    ) in found[0]


def test_one_number_heard_and_not_the_other(config_copy, capsys):
    path = config_copy / EVC_FILE
    prompts = config_copy.parent / "prompts" / "fr.yaml"
    edit(path, "say: [welcome, not_emergency, connecting_team]", "say: [welcome, connecting_team]")
    edit(
        prompts,
        "  connecting_team: Nous vous mettons",
        "  connecting_team: En cas d'urgence médicale, le 112. Nous vous mettons",
    )
    assert warnings_about_112(config_copy, capsys) == [
        f"{path}:{line_of(path, 'transfer: team')}: warning: callers in fr can be put through to "
        f"'team' without having heard 101, {FIX} (and 1 more like it: "
        f"{EVC_FILE}:{line_of(path, 'transfer: tele-accueil')})"
    ]
