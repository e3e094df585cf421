"""One registry of languages (`ivr.domain.languages`): a language is its entry there and its
files, nothing else; and what the registry says of each language is true of the platform.

The language added here is Spanish: a real language the router does not ship, whose data
Babel, num2words and Twilio all have (Twilio's basic voices speak `es`), so nothing is borrowed
from a shipped language and the path is exactly a newcomer's. A made-up code borrowing French
data would hear French wherever a table still keyed on "fr" answered instead of the registry,
and the test could not tell."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from conftest import CONFIG, STOP_IT_NOW, Call, brussels, check, edit, line_of, spoken

from ivr import flow
from ivr.app import create_app
from ivr.cli import main
from ivr.domain import languages
from ivr.domain.languages import Language, Sentences
from ivr.twilio.voices import VOICES


def _es_time(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    if minutes == 0:
        return "medianoche"
    return f"{h} h" if m == 0 else f"{h} h {m:02d}"


SPANISH = Language(
    code="es",
    name="Español",
    locale="es_ES",
    number_words="es",
    say_language="es",
    voices=("woman", "man"),
    holidays_language="en_US",  # the holidays package names Belgian holidays in no Spanish
    weekday_names=tuple(
        tuple(day.split())
        for day in (
            "lunes lun",
            "martes mar",
            "miércoles mié",
            "jueves jue",
            "viernes vie",
            "sábado sáb",
            "domingo dom",
        )
    ),
    sentences=Sentences(
        time=_es_time,
        span=lambda s, e: f"de {_es_time(s)} a {_es_time(e)}",
        every_day="todos los días",
        day_range="de {first} a {last}",
        one_day="el {day}",
        and_="y",
        except_holidays="excepto los días festivos",
        always="día y noche, todos los días",
        never="en ningún momento por ahora",
        today="hoy a las {time}",
        tomorrow="mañana a las {time}",
        weekday_at="el {day} a las {time}",
        date_at="el {date} a las {time}",
        date_format="d 'de' MMMM",
        zero="cero",
    ),
    listening_line="107",
    safe_text=(
        "No podemos pasarle la llamada en este momento. Si está en peligro, cuelgue y marque "
        "el 112 para ayuda médica urgente, o el 101 para la policía. Télé-Accueil responde "
        "día y noche en el 107. Intentamos pasarle con Télé-Accueil."
    ),
    safe_goodbye="No pudimos contactar con Télé-Accueil. Marque usted el 107. Adiós.",
    new_line_prompts={
        "welcome": "Bienvenido a {line}.",
        "team_busy": "Nuestro equipo no está disponible en este momento.",
        "closed_hours": "{line} está cerrado ahora. Respondemos {hours}.",
        "putting_through": "Le pasamos con alguien que le escucha, día y noche.",
        "leave_message": "Deje un mensaje después de la señal. Pulse una tecla al terminar.",
        "closed_menu": "Para hablar ahora con alguien, pulse 1. Para dejar un mensaje, pulse 2.",
    },
)

# Its prompts file: every prompt the router says itself, and Stop it Now's own.
SPANISH_PROMPTS = """\
shared:
  emergency: >-
    En caso de peligro inmediato, cuelgue y marque el 112 para ayuda médica urgente, o el 101
    para la policía.
  not_emergency: >-
    Esta línea no es de urgencias. En caso de peligro inmediato, marque el 112 o el 101.
  goodbye: >-
    Télé-Accueil le escucha día y noche en el 107. En caso de urgencia, marque el 112 o el
    101. Adiós.
  invalid_choice: Esa opción no existe.
  voicemail_thanks: Gracias. Su mensaje está guardado.
  voicemail_not_kept: >-
    Lo sentimos: su mensaje no se pudo guardar. Télé-Accueil le escucha día y noche en el
    107. En caso de peligro, marque el 112 o el 101. Adiós.
  referral: "{name}: {about}. Llame al {number}, {hours}."
  referral_always: "{name}: {about}. Llame al {number}, día y noche."
  referral_closed: Este servicio está cerrado ahora. Abre {next_open}.
  referral_offer: Para hablar ahora con {name}, pulse 1.
  transfer_failed: No pudimos pasarle con {name}. Marque el {number}, {hours}.
  language_option: Para español, pulse {key}.
  whisper: Llamada de la línea {line}, en {language}.
  screen: Para tomar esta llamada, pulse una tecla.
  queue_first: Usted es el siguiente. Por favor, espere.
  queue_position: Usted es el número {position} en la cola. Por favor, espere.
  queue_wait: La espera suele ser de {low} a {high} minutos.
  queue_gone: La persona que llamaba ya no espera. Gracias.

stop-it-now:
  welcome: Bienvenido a Stop it Now Bruselas.
  anonymity: Su llamada es gratuita y anónima. Le pasamos con un profesional.
  team_unavailable: Nuestros profesionales no están disponibles en este momento.
  closed: Nuestra línea está cerrada en este momento. Vuelve a abrir {next_open}.
  contact_hours: Nuestra línea está abierta {hours}. Llámenos al {number}.
  hear_again: Para volver a escuchar esta información, pulse 1.
"""


@pytest.fixture
def spanish(monkeypatch, config_copy):
    """Spanish in the registry (for this test only) and its prompts file in a copy of the
    configuration; Stop it Now speaks it after French. Nothing else is touched: not
    voices.yaml, not a line of the router's code."""
    monkeypatch.setitem(languages.LANGUAGES, "es", SPANISH)
    prompts = config_copy.parent / "prompts"
    (prompts / "es.yaml").write_text(SPANISH_PROMPTS, encoding="utf-8")
    edit(config_copy / "stop-it-now.yaml", "languages: [fr]", "languages: [fr, es]")
    monkeypatch.setenv("IVR_PROMPTS_DIR", str(prompts))
    return config_copy


def test_a_language_added_through_the_registry_and_its_files_alone_answers_calls(
    spanish, capsys, clock, monkeypatch
):
    code, out = check(spanish, capsys)
    # Said word for word as of the shipped configuration: nothing about Spanish.
    assert code == 0, out
    assert out == [o.replace(str(CONFIG), str(spanish)) for o in check(CONFIG, capsys)[1]]

    clock.now = brussels("2026-11-24 10:00")  # a Tuesday: Stop it Now is closed
    app = create_app(spanish, clock=clock)
    c = Call(app, STOP_IT_NOW)
    turn = c.start()
    assert turn.text == "Pour le français, tapez 1. Para español, pulse 2."
    says = ET.fromstring(turn.documents[0]).find("Gather").findall("Say")
    # The registry's voice: voices.yaml names none for Spanish.
    assert [(s.get("language"), s.get("voice")) for s in says] == [
        ("fr-BE", "Polly.Isabelle-Neural"),
        ("es", "woman"),
    ]
    turn = c.press("2")
    assert turn.text.startswith(
        "Bienvenido a Stop it Now Bruselas. Nuestra línea está cerrada en este momento. "
        "Vuelve a abrir mañana a las 17 h. Nuestra línea está abierta el lunes de 14 h a 16 h, "
        "el miércoles de 17 h a 19 h y el viernes de 10 h a 12 h, excepto los días festivos. "
        "Llámenos al cero ochocientos, catorce, ciento doce. En caso de peligro inmediato"
    ), turn.text
    assert "Para volver a escuchar esta información, pulse 1." in turn.text
    assert {s.get("language") for d in turn.documents for s in ET.fromstring(d).iter("Say")} == {
        "es"
    }
    # Whatever fails now, the caller hears where to turn in Spanish, and 107 is tried.
    monkeypatch.setattr(flow.CallFlow, "resume", lambda *a, **k: 1 / 0)
    body = c.post(turn.waiting.get("action"), {"Digits": "1"}).get_data(as_text=True)
    assert spoken(body).startswith("No podemos pasarle la llamada en este momento.")
    assert "Marque usted el 107" in spoken(body)


def test_the_counsellor_hears_the_added_language_named_in_the_line_s(spanish, clock):
    clock.now = brussels("2026-11-23 14:30")  # a Monday: open
    c = Call(create_app(spanish, clock=clock), STOP_IT_NOW)
    c.start()
    turn = c.press("2")
    assert "Le pasamos con un profesional." in turn.text
    assert turn.dialled == ["+3220000002"]
    heard = c.counsellor_answers().counsellor_heard
    assert heard[0] == "Appel de la ligne Stop it Now! Bruxelles, en espagnol."


def test_the_added_language_s_day_names_are_understood_and_corrected(spanish, capsys):
    path = spanish / "stop-it-now.yaml"
    edit(path, "    mon: 14:00-16:00", "    lunes: 14:00-16:00")
    code, out = check(spanish, capsys)
    assert code == 1
    assert out[0] == (
        f"{path}:{line_of(path, 'lunes:')}: 'lunes' is not a day or a range of days; days are "
        "written short and in English: mon"
    ), out


def test_ivr_new_line_offers_the_added_language_and_writes_its_stubs(spanish, capsys, monkeypatch):
    answers = ["Escucha", "", "02 555 01 23", "es", "always", "0470 12 34 56", "2"]
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(a + "\n" for a in answers)))
    assert main(["new-line", "--config", str(spanish)]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "the first one the default (fr, nl, de, en, es) [fr]: es" in out
    written = (spanish.parent / "prompts" / "es.yaml").read_text(encoding="utf-8")
    assert '  welcome: "Bienvenido a {line}."' in written
    assert check(spanish, capsys)[0] == 0


def test_a_language_the_registry_does_not_have_is_refused_with_the_registry_s_list(
    config_copy, capsys, monkeypatch
):
    monkeypatch.setitem(languages.LANGUAGES, "es", SPANISH)
    path = config_copy / "stop-it-now.yaml"
    edit(path, "languages: [fr]", "languages: [fr, pt]")
    code, out = check(config_copy, capsys)
    assert code == 1
    assert out[0] == (
        f"{path}:{line_of(path, 'languages')}: 'pt' is not a language the router speaks; use "
        "fr, nl, de, en, es"
    )


@pytest.mark.parametrize("lang", list(languages.LANGUAGES.values()), ids=lambda lang: lang.code)
def test_each_language_s_voices_are_ones_twilio_documents_for_its_say_tag(lang):
    documented = VOICES.get(lang.say_language)
    assert documented, f"Twilio documents no voice for {lang.say_language}"
    assert lang.voices and set(lang.voices) <= set(documented)


def test_the_shipped_voices_are_the_registry_s_own():
    """voices.yaml names, for each shipped language, the voice a language it leaves out is
    spoken with: taking a language out of it changes nothing a caller hears."""
    from ivr.config import load_or_raise

    voices = load_or_raise(CONFIG).voices
    assert {code: (v.language, v.voice) for code, v in voices.items()} == {
        lang.code: (lang.say_language, lang.voices[0]) for lang in languages.LANGUAGES.values()
    }


def day_clashes() -> list[str]:
    """Each name that one language says of one day and another (or the same) of another."""
    meaning: dict[str, tuple[int, str]] = {}
    clashes = []
    for lang in languages.LANGUAGES.values():
        for day, names in enumerate(lang.weekday_names):
            for name in names:
                seen = meaning.setdefault(name, (day, lang.code))
                if seen[0] != day:
                    clashes.append(f"'{name}': day {seen[0]} in {seen[1]}, {day} in {lang.code}")
    return clashes


def test_no_day_name_means_two_days_across_the_languages(monkeypatch):
    for lang in languages.LANGUAGES.values():
        assert len(lang.weekday_names) == 7, lang.code
        assert all(name == name.lower() for names in lang.weekday_names for name in names)
    assert day_clashes() == []
    # Spanish "mar" (martes) is French "mar" (mardi), the same day: no clash. A language
    # that said it of Wednesday would be one.
    monkeypatch.setitem(languages.LANGUAGES, "es", SPANISH)
    assert day_clashes() == []
    clash = replace(SPANISH, weekday_names=((), (), ("mar",), (), (), (), ()))
    monkeypatch.setitem(languages.LANGUAGES, "es", clash)
    assert day_clashes() == ["'mar': day 1 in fr, 2 in es"]


def console_languages_offered(client) -> list[tuple[str, str]]:
    page = client.get("/console/login").get_data(as_text=True)
    menu = page.split('id="ui-language"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option[^>]*value="(\w+)"[^>]*>([^<]+)</option>', menu)


def test_the_browser_console_offers_the_languages_the_registry_says_it_speaks(console, monkeypatch):
    client = console.test_client()
    assert console_languages_offered(client) == [
        ("fr", "Français"),
        ("nl", "Nederlands"),
        ("en", "English"),
    ]
    # German's catalogue written, its entry says so: the menu offers it, in the registry's order.
    monkeypatch.setitem(languages.LANGUAGES, "de", replace(languages.GERMAN, console=True))
    assert [code for code, _ in console_languages_offered(client)] == ["fr", "nl", "de", "en"]


@pytest.mark.parametrize(
    "lang", [*languages.LANGUAGES.values(), SPANISH], ids=lambda lang: lang.code
)
def test_each_language_s_safe_answer_says_where_to_turn(lang):
    """What a caller hears when everything fails: 112, 101, and the listening line that
    answers in the language, which is then tried; and its number again if it failed."""
    assert "112" in lang.safe_text and "101" in lang.safe_text
    assert lang.listening_line in lang.safe_text and lang.listening_line in lang.safe_goodbye
