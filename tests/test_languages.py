"""Callers are answered in their language: every sentence on a path is in the chosen language,
spoken by that language's voice; hours, numbers and referrals follow it."""

import re
import xml.etree.ElementTree as ET

import pytest
from support.helpers import (
    CONFIG,
    EVC,
    LINE_1712,
    ORIENTATION,
    STOP_IT_NOW,
    Call,
    Turn,
    brussels,
    check,
    edit,
    line_of,
    service_of,
    walk_call,
)

from ivr.app import create_app
from ivr.flow import CallState
from ivr.twilio.links import Links
from ivr.twilio.simulate import number_reached

VOICES = {
    "fr": ("fr-BE", "Polly.Isabelle-Neural"),
    "nl": ("nl-BE", "Polly.Lisa-Neural"),
    "de": ("de-DE", "Polly.Vicki-Neural"),
    "en": ("en-GB", "Polly.Amy-Neural"),
}
# Common words of each language; a sentence on a path in one language must contain none of
# the others' (words shared by two lists are left out).
WORDS = {
    "fr": "le la les un une des du et est pas ce cette choix ne vous nous votre notre pour "
    "tapez appelez avec sur dans à au aux jour nuit bienvenue ligne fermé fermée heures lundi "
    "mardi mercredi jeudi vendredi samedi dimanche sauf jours fériés quelqu'un urgence zéro "
    "merci revoir ou si qui que sont être parler maintenant raccrochez composez aide danger",
    "nl": "u uw voor druk bel dag nacht welkom niet een het gesloten maandag dinsdag woensdag "
    "donderdag vrijdag zaterdag zondag uur feestdagen iemand politie hulp nul dank ziens "
    "is om te met naar op bij dit deze geen wij we zijn kunt praten nu leg gevaar keuze "
    "bestaat",
    "de": "sie ihnen für drücken rufen tag nacht und nicht ein eine der das uhr täglich "
    "feiertagen jemandem polizei hilfe null danke wiederhören ist zu mit bei wir können "
    "sprechen jetzt legen gefahr auswahl gibt es montag freitag samstag sonntag am um von bis",
    "en": "you your for press call day night and not the welcome closed monday tuesday "
    "wednesday thursday friday saturday sunday holidays someone help please zero thank "
    "goodbye is to with on at this we are can talk now hang danger choice does exist from",
}
WORDS = {lang: set(words.split()) for lang, words in WORDS.items()}


# Names are said as they are in every language.
NAMES = ("Stop it Now", "stop it now", "Child Focus", "Écoute Violences Conjugales", "SOS Viol")


def foreign_words(text: str, lang: str) -> set[str]:
    """Words of another language in `text`; words two languages share do not count."""
    for name in NAMES:
        text = text.replace(name, "")
    words = set(re.findall(r"[\w'’]+", text.lower()))
    shared = {w for a in WORDS for b in WORDS if a < b for w in WORDS[a] & WORDS[b]}
    others = set().union(*(w for other, w in WORDS.items() if other != lang))
    return (words & others) - WORDS[lang] - shared


def explore(app, to: str, lang: str) -> list[tuple[str, ET.Element]]:
    """Every <Say> met on every path (see conftest.walk_call), with the language it should
    be in: the caller's, or the line's own once the caller asked to be put through to one of
    our lines that does not speak it (the referral said so)."""
    router = service_of(app)
    says: list[tuple[str, ET.Element]] = []
    current = [lang]

    def expected_language(document: str, current: str) -> str:
        for token in re.findall(r"[?&]s=([\w.-]+)", document):
            state = router.decode(token)
            if state is not None:
                return state.lang
        return current

    def collect(turn: Turn, depth: int) -> None:
        if depth == 0:
            current[0] = lang  # the caller has just chosen it
        for document in turn.documents:
            current[0] = expected_language(document, current[0])
            says.extend((current[0], say) for say in ET.fromstring(document).iter("Say"))

    walk_call(app, to, lang, collect)
    return says


LINES = [
    (LINE_1712, ["nl", "fr", "en"]),
    (ORIENTATION, ["fr", "nl", "de", "en"]),
    (EVC, ["fr"]),
    (STOP_IT_NOW, ["fr"]),
]
CASES = [(to, lang, at) for to, langs in LINES for lang in langs for at in ("10:00", "20:00")]


@pytest.mark.parametrize(("to", "lang", "at"), CASES)
def test_every_sentence_on_every_path_is_in_the_chosen_language(clock, caplog, to, lang, at):
    clock.now = brussels(f"2026-11-23 {at}")  # a Monday: Stop it Now opens at 14:00
    app = create_app(CONFIG, clock=clock)
    says = explore(app, to, lang)
    assert len(says) >= 3
    crossed = 0
    for expected, say in says:
        text = say.text or ""
        if re.fullmatch(
            r"(Pour le français, tapez|Voor Nederlands, druk|Für Deutsch, "
            r"drücken Sie|For English, press) \d\.",
            text,
        ):
            continue  # an option of the language choice, in its own language
        crossed += expected != lang
        assert (say.get("language"), say.get("voice")) == VOICES[expected], text
        assert not foreign_words(text, expected), (foreign_words(text, expected), text)
        assert "{" not in text and text.strip()
    assert crossed < len(says) / 2  # most of what the caller hears is in their language
    assert "is missing" not in caplog.text


def test_the_language_choice_speaks_each_option_in_its_own_language(call):
    c = call(ORIENTATION, at="2026-11-24 10:00", lang=None)
    gather = c.turn.waiting
    options = [(say.get("language"), say.text) for say in gather]
    assert options == [
        ("fr-BE", "Pour le français, tapez 1."),
        ("nl-BE", "Voor Nederlands, druk 2."),
        ("de-DE", "Für Deutsch, drücken Sie 3."),
        ("en-GB", "For English, press 4."),
    ]


@pytest.mark.parametrize(
    ("to", "default", "welcome"),
    [
        (ORIENTATION, "fr", "Bienvenue sur la ligne d'orientation"),
        (LINE_1712, "nl", "Welkom bij zeventien twaalf"),
    ],
)
def test_silence_picks_the_default_language_after_one_repetition(call, to, default, welcome):
    c = call(to, at="2026-11-24 10:00", lang=None)
    turn = c.silence()
    assert turn.kind == "Gather" and "Voor Nederlands" in turn.text  # asked once more
    turn = c.silence()
    assert welcome in turn.text


def test_a_wrong_key_at_the_language_choice_asks_again_then_takes_the_default(call):
    c = call(LINE_1712, at="2026-11-24 10:00", lang=None)
    assert "Voor Nederlands" in c.press("9").text
    assert "Welkom bij zeventien twaalf" in c.press("7").text


HOURS = {
    "fr": "du lundi au vendredi de 9 h à 17 h, sauf les jours fériés",
    "nl": "van maandag tot vrijdag van 9 tot 17 uur, behalve op feestdagen",
    "en": "Monday to Friday from 9 a.m. to 5 p.m., except on public holidays",
}


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_1712_closed_hours_and_listening_line_in_each_language(call, lang):
    c = call(LINE_1712, at="2026-11-24 20:00", lang=lang)
    assert HOURS[lang] in c.turn.text
    turn = c.press("1")
    assert turn.dialled == (["106"] if lang == "nl" else ["107"])
    assert turn.waiting.get("callerId") == LINE_1712


@pytest.mark.parametrize(
    ("lang", "key", "expected"),
    [
        ("fr", "6", ["107"]),
        ("nl", "6", ["106"]),
        ("de", "6", ["107"]),
        ("en", "6", ["107"]),
    ],
)
def test_someone_to_talk_to_now_in_the_callers_language(call, lang, key, expected):
    c = call(ORIENTATION, at="2026-11-24 10:00", lang=lang)
    assert c.press(key).dialled == expected


def test_dutch_referrals_name_the_dutch_speaking_services(call):
    c = call(ORIENTATION, at="2026-11-24 18:00", lang="nl")
    turn = c.press("3")
    assert "Awel" in turn.text and "Bel honderdtwee" in turn.text
    assert "van maandag tot zaterdag van 16 tot 22 uur" in turn.text
    assert "Écoute-Enfants" not in turn.text
    assert c.press("1").dialled == ["102"]

    c = call(ORIENTATION, at="2026-11-24 03:00", lang="nl")
    turn = c.press("4")
    assert "De Zelfmoordlijn" in turn.text and "achttien, dertien" in turn.text
    assert c.press("1").dialled == ["1813"]


def test_dutch_partner_violence_leads_into_1712_in_dutch(call):
    c = call(ORIENTATION, at="2026-11-24 10:00", lang="nl")
    turn = c.press("1")
    assert "Zeventien twaalf: de hulplijn" in turn.text
    turn = c.press("1")
    # Straight into 1712, already in Dutch: no second language choice.
    assert "Welkom bij zeventien twaalf" in turn.text
    assert turn.dialled == ["+3220000003"]


def test_german_hours_and_numbers(call):
    c = call(ORIENTATION, at="2026-11-24 23:30", lang="de")
    turn = c.press("3")
    assert "Rufen Sie einhundertdrei an, täglich von 10 Uhr bis Mitternacht" in turn.text


def test_english_school_line_closed_says_when_it_reopens(call):
    c = call(ORIENTATION, at="2026-11-27 17:00", lang="en")  # a Friday
    turn = c.press("5")
    assert "Monday to Friday from 9 a.m. to 4 p.m." in turn.text
    assert "It can be reached again on Monday at 9 a.m." in turn.text


def test_the_voicemail_keeps_the_callers_language(call, app):
    c = call(LINE_1712, at="2026-11-24 20:00", lang="en")
    c.press("2")
    turn = c.leave_message(sid="REen")
    assert "Your message has been recorded" in turn.text
    assert service_of(app).store.messages.list()[0]["language"] == "en"


def test_the_counsellor_hears_a_whisper_naming_the_line_and_the_language(call):
    c = call(LINE_1712, at="2026-11-24 10:00", lang="fr")
    assert c.turn.dialled == ["+3220000003"]
    turn = c.counsellor_answers(press="1")
    # Said in the line's own language (Dutch for 1712), naming the caller's; then the key
    # that takes the call.
    assert turn.counsellor_heard == [
        "Oproep via de lijn 1712, in het Frans.",
        "Druk op een toets om dit gesprek aan te nemen.",
    ]
    assert turn.hung_up


def test_no_whisper_to_an_outside_service(call):
    c = call(LINE_1712, at="2026-11-24 20:00", lang="fr")
    turn = c.press("1")
    assert turn.dialled == ["107"]
    assert [target.get("url") for target in turn.targets] == [None]


def test_the_fallback_answers_in_the_language_of_the_failed_call(call):
    c = call(LINE_1712, at="2026-11-24 20:00", lang="nl")
    failed_url = c.turn.waiting.get("action")
    response = c.post("/voice/fallback", {"ErrorCode": "11200", "ErrorUrl": failed_url})
    root = ET.fromstring(response.get_data(as_text=True))
    text = " ".join(s.text for s in root.iter("Say"))
    assert "Tele-Onthaal" in text and "112" in text and "101" in text
    assert [number_reached(n) for d in root.iter("Dial") for n in d] == ["106"]
    assert {s.get("language") for s in root.iter("Say")} == {"nl-BE"}


def test_a_failure_mid_call_answers_in_the_callers_language(call, monkeypatch):
    from ivr import flow

    c = call(ORIENTATION, at="2026-11-24 10:00", lang="de")
    monkeypatch.setattr(flow.CallFlow, "resume", lambda *a, **k: 1 / 0)
    response = c.post(c.turn.waiting.get("action"), {"Digits": "1"})
    root = ET.fromstring(response.get_data(as_text=True))
    assert "Wir können Sie im Moment nicht verbinden" in " ".join(s.text for s in root.iter("Say"))


def test_a_recorded_prompt_is_played_instead_of_speech(config_copy, clock, monkeypatch):

    audio = config_copy.parent / "prompts" / "audio" / "fr"
    audio.mkdir(parents=True)
    (audio / "evc-welcome.mp3").write_bytes(b"ID3 fake mp3")
    edit(
        config_copy.parent / "prompts" / "fr.yaml",
        """  welcome: >-
    Bienvenue à Écoute Violences Conjugales. Votre appel est gratuit et anonyme.""",
        """  welcome:
    text: Bienvenue à Écoute Violences Conjugales. Votre appel est gratuit et anonyme.
    audio: fr/evc-welcome.mp3""",
    )
    clock.now = brussels("2026-11-24 10:00")
    monkeypatch.setenv("IVR_PROMPTS_DIR", str(config_copy.parent / "prompts"))
    app = create_app(config_copy, clock=clock)
    c = Call(app, EVC)
    turn = c.start()
    root = ET.fromstring(turn.documents[0])
    assert root[0].tag == "Play"
    assert root[0].text == "http://localhost/audio/fr/evc-welcome.mp3"
    assert turn.heard[0] == "[recording http://localhost/audio/fr/evc-welcome.mp3]"
    assert "Bienvenue" not in turn.text  # not said a second time
    assert "pas une ligne d'urgence" in turn.text
    played = app.test_client().get("/audio/fr/evc-welcome.mp3")
    assert played.status_code == 200 and played.data == b"ID3 fake mp3"
    assert app.test_client().get("/audio/../config/1712.yaml").status_code == 404


def test_check_reports_a_missing_recording_and_a_missing_translation(config_copy, capsys):

    prompts = config_copy.parent / "prompts"
    edit(
        prompts / "fr.yaml",
        "  invalid_choice: Ce choix n'existe pas.",
        "  invalid_choice:\n    text: Ce choix n'existe pas.\n    audio: fr/invalid.mp3",
    )
    edit(
        prompts / "nl.yaml",
        "  counsellors_busy: Al onze hulpverleners zijn op dit moment in gesprek.\n",
        "",
    )
    code, out = check(config_copy, capsys)
    assert code == 1
    assert any(
        o.startswith(f"{prompts / 'fr.yaml'}:{line_of(prompts / 'fr.yaml', 'fr/invalid.mp3')}: ")
        and "there is no audio file" in o
        for o in out
    ), out
    line_1712 = config_copy / "1712.yaml"
    assert (
        f"{line_1712}:{line_of(line_1712, 'say: counsellors_busy')}: prompt 'counsellors_busy' "
        "is missing in prompts/nl.yaml; add it under '1712:' or 'shared:'" in out
    ), out


def _resume(app, to: str, state, digits: str | None = None) -> Turn:
    """The request Twilio makes with one of our URLs, carrying `state` as we signed it."""
    c = Call(app, to)
    c._new_turn()
    url = Links("http://localhost", service_of(app).codec).state(state)
    return c.follow(list(c.request(url, {"Digits": digits} if digits else None)))


def test_a_state_in_a_language_the_line_does_not_speak_is_answered_in_its_first(app, clock):
    # An old state (the line spoke German once) or one signed by hand: the caller must hear
    # something before each Gather and Record, all of it in one of the line's languages.
    clock.now = brussels("2026-11-24 20:00")
    german = CallState("1712", "message-when-closed", 0, "de")
    turn = _resume(app, LINE_1712, german)
    assert turn.kind == "Record"
    assert "Spreek na de toon een bericht in" in turn.text  # 1712's first language: Dutch
    menu = CallState("stop-it-now", "information", 1, "nl", event="digits")
    turn = _resume(app, STOP_IT_NOW, menu, digits="7")
    assert turn.kind == "Gather"
    assert [say.text for say in turn.waiting] == [
        "Pour réécouter ces informations, tapez 1."
    ]  # said inside the Gather, in French
    assert turn.text.startswith("Ce choix n'existe pas.")  # not Dutch's shared sentence
