"""The coordinators' phone console: a coordinator on the move calls the console's number,
enters a PIN, and closes, opens or redirects a line until a time, without a shell or a
browser (docs/operators.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.helpers import (
    CALLER,
    LINE_1712,
    TOKEN,
    add_operator,
    assert_safe_answer,
    brussels,
    check,
    edit,
    line_of,
    metric,
    password_of,
    service_of,
)

from ivr.app import create_app
from ivr.console.accounts import hash_password
from ivr.twilio import simulate

CONSOLE = "+3220009999"
MARIE = "+32470999888"  # the coordinator's own phone
PIN = "482619"
CONSOLE_YAML = """\
phone_console:
  numbers: ["02 000 99 99"]
  language: fr
  coordinators:
    marie: 0470 99 98 88
  redirect_to: tele-accueil
"""


class ConsoleCall(simulate.Call):
    def __init__(self, app, caller=MARIE, sid="CA" + "c" * 32):
        super().__init__(app, CONSOLE, token=TOKEN, caller=caller, sid=sid)


@pytest.fixture
def console_dir(config_copy):
    (config_copy / "console.yaml").write_text(CONSOLE_YAML, encoding="utf-8")
    return config_copy


@pytest.fixture
def app(console_dir, clock):
    app = create_app(console_dir, clock=clock)
    store = service_of(app).store
    add_operator(store, "marie", "coordinator", at=clock.now)
    store.operators.set_pin("marie", hash_password(PIN), by="test", at=clock.now)
    return app


def logged_in(app) -> tuple[ConsoleCall, simulate.Turn]:
    c = ConsoleCall(app)
    assert "Entrez votre code" in c.start().text
    return c, c.press(PIN)


def test_a_coordinator_closes_1712_until_six_by_phone(app, clock, capsys):
    clock.now = brussels("2026-11-24 10:00")  # a Tuesday: 1712 is open
    c, turn = logged_in(app)
    assert "Pour 1712, tapez 1." in turn.text
    turn = c.press("1")
    assert "1712 est ouverte." in turn.text
    turn = c.press("1")  # close
    assert "Jusqu'à quelle heure" in turn.text
    turn = c.press("1800")
    assert "1712 sera fermée jusqu'à aujourd'hui à 18 h" in turn.text
    turn = c.press("1")
    assert "C'est fait." in turn.text
    assert "1712 est fermée." in turn.text
    assert "jusqu'à aujourd'hui à 18 h" in turn.text

    (override,) = service_of(app).store.overrides.active(clock.now).values()
    assert (override.line, override.open, override.operator) == ("1712", False, "marie")
    assert override.until == brussels("2026-11-24 18:00")
    # A caller of 1712 now hears that it is closed, and where to turn.
    caller = simulate.Call(app, LINE_1712, token=TOKEN, caller=CALLER, sid="CA" + "1" * 32)
    caller.start()
    turn = caller.press("2")  # français
    assert "fermé en ce moment" in turn.text
    assert "107" in turn.text
    # The status of every line, from the lines' question.
    turn = c.press("*")
    turn = c.press("0")
    assert "1712 est fermée." in turn.text
    assert "Écoute Violences Conjugales est ouverte." in turn.text
    clock.now = brussels("2026-11-24 18:00")
    assert service_of(app).store.overrides.active(clock.now) == {}


def test_a_time_already_past_is_tomorrow_by_phone_as_by_ivr_override(
    app, clock, capsys, console_dir
):
    from ivr.cli import main

    clock.now = brussels("2026-12-01 22:30")
    c, _ = logged_in(app)
    c.press("1")  # 1712
    c.press("1")  # close
    assert "1712 sera fermée jusqu'à demain à 18 h" in c.press("1800").text
    c.press("1")
    store = service_of(app).store
    by_phone = store.overrides.active(clock.now)["1712"].until
    argv = ["override", "stop-it-now", "closed", "--until", "18:00", "--reason", "x"]
    assert main([*argv, "--config", str(console_dir), "--at", "2026-12-01 22:30"]) == 0
    assert "until tomorrow Wed 2 Dec 18:00" in capsys.readouterr().out
    by_command = store.overrides.active(clock.now)["stop-it-now"].until
    assert by_phone == by_command == brussels("2026-12-02 18:00")


def test_a_wrong_pin_then_close_status_and_reopen(app, clock):
    """The issue's scenario in one call: a wrong PIN, the right one, close 1712, hear its
    status, and reopen it; callers follow each change."""
    clock.now = brussels("2026-11-24 10:00")
    c = ConsoleCall(app)
    c.start()
    assert "pas le bon" in c.press("000000").text
    assert "Pour 1712, tapez 1." in c.press(PIN).text
    c.press("1")
    c.press("1")
    c.press("1800")
    assert "1712 est fermée." in c.press("1").text
    caller = simulate.Call(app, LINE_1712, token=TOKEN, caller=CALLER, sid="CA" + "2" * 32)
    caller.start()
    assert "fermé en ce moment" in caller.press("2").text
    turn = c.press("9")  # reopen: the line follows its hours again
    assert "La dérogation est levée. 1712 est ouverte." in turn.text
    caller = simulate.Call(app, LINE_1712, token=TOKEN, caller=CALLER, sid="CA" + "3" * 32)
    caller.start()
    turn = caller.press("2")
    assert "fermé" not in turn.text and turn.dialled == ["+3220000003"]


def test_the_coordinator_can_end_the_override_by_phone(app, clock):
    c, _ = logged_in(app)
    c.press("1")
    c.press("1")
    c.press("0000")  # until midnight
    c.press("1")
    assert service_of(app).store.overrides.active(clock.now)
    turn = c.press("9")
    assert "La dérogation est levée." in turn.text
    assert "1712 est ouverte." in turn.text
    assert service_of(app).store.overrides.active(clock.now) == {}


def test_calls_can_be_sent_to_the_console_s_service(app, clock):
    c, _ = logged_in(app)
    c.press("1")
    turn = c.press("3")
    assert "Jusqu'à quelle heure" in turn.text
    turn = c.press("2200")
    assert "Les appels de 1712 iront vers" in turn.text
    c.press("1")
    (override,) = service_of(app).store.overrides.active(clock.now).values()
    assert override.forward_to == "tele-accueil"


def test_star_starts_again_and_nothing_is_set(app, clock):
    c, _ = logged_in(app)
    c.press("1")
    c.press("1")
    c.press("1800")
    turn = c.press("*")
    assert "Pour fermer la ligne, tapez 1." in turn.text
    assert service_of(app).store.overrides.active(clock.now) == {}


def test_three_wrong_pins_end_the_call_and_five_lock_the_account(app):
    wrong, locked = (metric(app, "ivr_console_pins_total", result=r) for r in ("wrong", "locked"))
    c = ConsoleCall(app)
    c.start()
    assert "pas le bon" in c.press("111111").text
    assert "pas le bon" in c.press("222222").text
    turn = c.press("333333")
    assert turn.hung_up and "Trop d'essais pour cet appel" in turn.text
    c = ConsoleCall(app, sid="CA" + "d" * 32)
    c.start()
    c.press("444444")
    turn = c.press("555555")
    assert turn.hung_up and "Réessayez dans un quart d'heure" in turn.text
    # Locked: even the right PIN is not taken for a quarter of an hour.
    c = ConsoleCall(app, sid="CA" + "e" * 32)
    c.start()
    assert "Réessayez dans un quart d'heure" in c.press(PIN).text
    # A dashboard sees the guessing (the audit log says whose).
    assert metric(app, "ivr_console_pins_total", result="wrong") == wrong + 4
    assert metric(app, "ivr_console_pins_total", result="locked") == locked + 2


def test_wrong_web_passwords_do_not_lock_the_phone_nor_the_reverse(app, clock):
    from ivr.console import accounts

    store = service_of(app).store
    for _ in range(6):
        try:
            accounts.log_in(store, "marie", "not her password", "203.0.113.9", clock.now)
        except accounts.Throttled:
            pass
    assert "Pour 1712, tapez 1." in logged_in(app)[1].text
    clock.now += timedelta(minutes=2)  # the web's own throttle is over
    for n in range(3):  # five wrong PINs in all: the phone is locked, not the web
        c = ConsoleCall(app, sid="CA" + str(n) * 32)
        c.start()
        turn = c.press("111111")
        if not turn.hung_up:
            turn = c.press("222222")
    assert "Réessayez dans un quart d'heure" in turn.text
    assert accounts.log_in(store, "marie", password_of("marie"), "203.0.113.9", clock.now)


def test_what_is_confirmed_is_the_end_that_was_heard(app, clock):
    clock.now = brussels("2026-11-24 17:59")
    c, _ = logged_in(app)
    c.press("1")
    c.press("1")
    assert "jusqu'à aujourd'hui à 18 h" in c.press("1800").text
    clock.now = brussels("2026-11-24 18:00:30")  # the coordinator took their time
    turn = c.press("1")
    assert "Cette heure est déjà passée." in turn.text
    assert service_of(app).store.overrides.in_force_or_planned(clock.now) == []


def test_the_hash_key_alone_is_not_midnight(app, clock):
    """Twilio does not call back for the finishing key alone: 0000 is midnight."""
    c, _ = logged_in(app)
    c.press("1")
    turn = c.press("1")
    assert "0 0 0 0 pour minuit" in turn.text
    assert c.press("#").hung_up
    assert service_of(app).store.overrides.active(clock.now) == {}


def test_a_coordinator_disabled_during_the_call_changes_nothing(app, clock):
    c, _ = logged_in(app)
    service_of(app).store.operators.disable("marie", by="test", at=clock.now)
    c.press("1")
    c.press("1")
    c.press("1800")
    turn = c.press("1")
    assert "Ce n'est pas possible par téléphone" in turn.text
    assert service_of(app).store.overrides.active(clock.now) == {}


def test_a_change_the_coordinator_was_told_failed_never_happens_later(app, clock, monkeypatch):
    c, _ = logged_in(app)
    c.press("1")
    c.press("1")
    c.press("1800")
    upkeep = service_of(app).upkeep
    monkeypatch.setattr(upkeep, "answers", lambda: False)  # the database thread is stuck
    turn = c.press("1")
    assert turn.hung_up and "pas disponible" in turn.text
    monkeypatch.undo()
    assert upkeep.ask(lambda: None, 3)  # the thread goes through what was queued
    assert service_of(app).store.overrides.active(clock.now) == {}


def test_a_phone_the_console_does_not_list_hears_only_the_safe_answer(app):
    c = ConsoleCall(app, caller=CALLER)
    body = c.post("/voice").get_data(as_text=True)
    assert "code" not in body.lower()
    assert_safe_answer(body, CONSOLE)


def test_a_console_state_is_not_taken_in_another_call_or_from_another_phone(app):
    c, turn = logged_in(app)
    action = turn.waiting.get("action")
    other = ConsoleCall(app, sid="CA" + "f" * 32)
    other.start()
    # The same URL, from another call: back to the PIN, nothing of the lines.
    body = other.post(action, {"Digits": "1"}).get_data(as_text=True)
    assert "Entrez votre code" in body and "1712" not in body
    stranger = ConsoleCall(app, caller=CALLER)
    body = stranger.post(action, {"Digits": "1"}).get_data(as_text=True)
    assert "1712 est" not in body and "code" not in body.lower()


def test_a_database_that_does_not_answer_is_said_and_the_call_ends(app, monkeypatch):
    c = ConsoleCall(app)
    c.start()
    monkeypatch.setattr(service_of(app).upkeep, "ask", lambda job, timeout: False)
    turn = c.press(PIN)
    assert turn.hung_up and "pas disponible" in turn.text


def test_the_pin_is_kept_only_as_a_hash(app):
    row = service_of(app).store.operators.get(name="marie")
    # (The PIN's digits may well occur by chance inside the hex digest: compare fields.)
    assert row["pin_hash"].startswith("scrypt:")
    assert PIN not in row["pin_hash"].split("$")
    assert PIN not in {str(value) for value in row.values()}


def test_operators_pin_sets_a_pin_and_refuses_an_easy_one(app, monkeypatch, capsys):
    from ivr.cli import main

    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("123456\n"))
    assert main(["operators", "pin", "marie"]) != 0
    assert "too easy to guess" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("739184\n"))
    assert main(["operators", "pin", "marie"]) == 0
    c = ConsoleCall(app)
    c.start()
    assert "Pour 1712, tapez 1." in c.press("739184").text
    # A counsellor gets one too, for their shifts alone (test_duty_console); nobody unknown.
    add_operator(service_of(app).store, "tom", "counsellor")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("739184\n"))
    assert main(["operators", "pin", "tom"]) == 0
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("739184\n"))
    assert main(["operators", "pin", "nobody"]) != 0
    assert "there is no active account 'nobody'" in capsys.readouterr().err


def test_console_yaml_mistakes_are_explained(console_dir, capsys):
    path = console_dir / "console.yaml"
    path.write_text(
        CONSOLE_YAML.replace("0470 99 98 88", "not a phone")
        .replace("02 000 99 99", "02 000 17 12")
        .replace("tele-accueil", "tele-acceuil"),
        encoding="utf-8",
    )
    code, out = check(console_dir, capsys)
    assert code != 0
    text = "\n".join(out)
    assert f"console.yaml:{line_of(path, 'numbers')}: +3220001712 is a line's number" in text
    assert f"console.yaml:{line_of(path, 'marie')}: marie: 'not a phone'" in text
    assert f"console.yaml:{line_of(path, 'redirect_to')}: there is no service" in text


# -- on the lines' engine: its words in the prompts files, its state through the codec ------


@pytest.fixture
def own_prompts(console_dir, monkeypatch):
    """The prompts beside the console's configuration, for a test to change."""
    prompts = console_dir.parent / "prompts"
    monkeypatch.setenv("IVR_PROMPTS_DIR", str(prompts))
    return prompts


def app_of(console_dir, clock):
    app = create_app(console_dir, clock=clock)
    store = service_of(app).store
    add_operator(store, "marie", "coordinator", at=clock.now)
    store.operators.set_pin("marie", hash_password(PIN), by="test", at=clock.now)
    return app


def test_the_console_says_what_its_language_s_prompts_file_says(console_dir, own_prompts, clock):
    (console_dir / "console.yaml").write_text(
        CONSOLE_YAML.replace("language: fr", "language: nl"), encoding="utf-8"
    )
    edit(
        own_prompts / "nl.yaml",
        "  pin: Lijnconsole. Geef uw code in, gevolgd door hekje.",
        "  pin: Console van de hulplijnen. Uw code, dan hekje.",
    )
    clock.now = brussels("2026-11-24 10:00")
    c = ConsoleCall(app_of(console_dir, clock))
    turn = c.start()
    assert turn.text == "Console van de hulplijnen. Uw code, dan hekje."
    assert ' language="nl-BE" voice="Polly.Lisa-Neural"' in turn.documents[0]
    turn = c.press(PIN)
    assert "Voor 1712, druk 1." in turn.text
    assert "1712 is open." in c.press("1").text


def test_a_recorded_console_prompt_is_played_from_the_audio_folder(console_dir, own_prompts, clock):
    (own_prompts / "audio" / "fr").mkdir(parents=True)
    (own_prompts / "audio" / "fr" / "console-pin.mp3").write_bytes(b"ID3 fake mp3")
    edit(
        own_prompts / "fr.yaml",
        "  pin: Console des lignes. Entrez votre code, puis dièse.",
        "  pin:\n    text: Console des lignes. Entrez votre code, puis dièse.\n"
        "    audio: fr/console-pin.mp3",
    )
    turn = ConsoleCall(app_of(console_dir, clock)).start()
    assert turn.heard == ["[recording http://localhost/audio/fr/console-pin.mp3]"]


def test_console_prompts_are_checked_in_the_console_s_language(console_dir, own_prompts, capsys):
    (console_dir / "console.yaml").write_text(
        CONSOLE_YAML.replace("language: fr", "language: de"), encoding="utf-8"
    )
    path = own_prompts / "de.yaml"
    edit(
        path, "  wrong_pin: Dieser Code stimmt nicht.\n", "  wrong_pn: Dieser Code stimmt nicht.\n"
    )
    edit(path, "  line: Für {name} drücken Sie {key}.", "  line: Für {nam} drücken Sie {key}.")
    edit(path, "  done: Erledigt.\n", "")
    code, out = check(console_dir, capsys)
    assert code == 1
    assert out[:3] == [
        f"{path}:{line_of(path, 'console:')}: 'console:' needs the prompt 'done', which the "
        "phone console speaks in 'de' (console.yaml)",
        f"{path}:{line_of(path, 'wrong_pn')}: the phone console says no prompt 'wrong_pn'; did "
        "you mean 'wrong_pin'?",
        f"{path}:{line_of(path, '{nam}')}: prompt 'line' uses {{nam}}, which nothing fills; its "
        "placeholders are: {key}, {name}",
    ], out
    # In a language the console does not speak, a prompt it never says is only a warning.
    edit(own_prompts / "en.yaml", "  done: Done.\n", "  dune: Done.\n")
    code, out = check(console_dir, capsys)
    en = own_prompts / "en.yaml"
    assert (
        f"{en}:{line_of(en, 'dune')}: warning: the phone console says no prompt 'dune'; did "
        "you mean 'done'?"
    ) in out


def test_a_console_language_without_its_console_prompts_is_said_in_console_yaml(
    console_dir, own_prompts, capsys
):
    path = console_dir / "console.yaml"
    path.write_text(CONSOLE_YAML.replace("language: fr", "language: en"), encoding="utf-8")
    en = own_prompts / "en.yaml"
    text = en.read_text(encoding="utf-8")
    start = text.index("\n# The phone console")
    end = text.index("\n\n", text.index("\nconsole:\n", start))
    en.write_text(text[:start] + text[end:], encoding="utf-8")  # its console: section
    code, out = check(console_dir, capsys)
    assert code == 1
    assert out[0].startswith(
        f"{path}:{line_of(path, 'language')}: the phone console speaks 'en', but "
        "prompts/en.yaml has no section 'console:'; add it"
    ), out
    assert out[-1].startswith("1 error(s)"), out  # said once: not each prompt missing


def test_a_caller_s_state_and_a_console_state_are_never_taken_for_each_other(app, clock):
    from ivr.twilio.links import StateCodec

    c, turn = logged_in(app)
    console_url = turn.waiting.get("action")
    console_token = console_url.split("?s=", 1)[1]
    codec = service_of(app).codec
    assert isinstance(codec, StateCodec)
    state = codec.decode_console(console_token, c.params["CallSid"])
    assert (state.step, state.operator) == ("line", "marie")
    assert codec.decode_console(console_token, "CA" + "9" * 32) is None  # another call's
    assert codec.decode(console_token) is None  # never a caller's state
    # A caller's state, brought to the console: back to the PIN, nothing of the lines.
    caller = simulate.Call(app, LINE_1712, token=TOKEN, caller=CALLER, sid="CA" + "4" * 32)
    caller_url = caller.start().waiting.get("action")
    caller_token = caller_url.split("?s=", 1)[1]
    assert codec.decode_console(caller_token, c.params["CallSid"]) is None
    body = c.post(f"http://localhost/voice/console?s={caller_token}", {"Digits": "1"})
    text = body.get_data(as_text=True)
    assert "Entrez votre code" in text and "1712" not in text
