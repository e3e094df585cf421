"""The voice each language is spoken with: only the voice and language pairs Twilio documents,
since a `<Say>` of any other pair fails on the call."""

import pytest
from support.helpers import EVC, Call, brussels, check, edit, line_of

from ivr.app import create_app

SAY = "https://www.twilio.com/docs/voice/twiml/say"
TTS = "https://www.twilio.com/docs/voice/twiml/say/text-speech"
FRENCH = "    language: fr-BE\n    voice: Polly.Isabelle-Neural\n"
SHIPPED = {
    "fr": FRENCH,
    "nl": "    language: nl-BE\n    voice: Polly.Lisa-Neural\n",
    "de": "    language: de-DE\n    voice: Polly.Vicki-Neural\n",
    "en": "    language: en-GB\n    voice: Polly.Amy-Neural\n",
}


@pytest.mark.parametrize(
    ("written", "at", "message"),
    [
        (
            "    language: fr-BE\n    voice: woman\n",
            "voice: woman",
            f"voice 'woman' does not speak fr-BE; Twilio documents it for fr, de, en, en-gb, es "
            f"({SAY}); for fr-BE, write voice: Polly.Isabelle-Neural",
        ),
        (
            "    language: fr-BE\n    voice: man\n",
            "voice: man",
            f"voice 'man' does not speak fr-BE; Twilio documents it for fr, de, en, en-gb, es "
            f"({SAY}); for fr-BE, write voice: Polly.Isabelle-Neural",
        ),
        (
            "    language: fr-BE\n    voice: Google.fr-BE-Standard-A\n",
            "Google",
            f"'Google.fr-BE-Standard-A' is not a voice Twilio documents: it does not speak fr-BE "
            f"({TTS}); for fr-BE, write voice: Polly.Isabelle-Neural",
        ),
        (
            "    language: fr-BE\n",
            "  fr:",
            "without 'voice:' Twilio speaks with its default voice, man, which does not speak "
            f"fr-BE; Twilio documents it for fr, de, en, en-gb, es ({SAY}); for fr-BE, write "
            "voice: Polly.Isabelle-Neural",
        ),
        (
            "    language: fr-CH\n    voice: Polly.Lea-Neural\n",
            "fr-CH",
            f"Twilio documents no voice for 'fr-CH' ({TTS}); write language: fr or fr-BE or fr-FR",
        ),
    ],
)
def test_a_voice_twilio_does_not_document_for_its_language_is_refused_citing_the_page(
    config_copy, capsys, written, at, message
):
    path = config_copy / "voices.yaml"
    edit(path, FRENCH, written)
    code, out = check(config_copy, capsys)
    assert code == 1, out
    assert out[0] == f"{path}:{line_of(path, at)}: {message}"


@pytest.mark.parametrize(
    ("lang", "written"),
    [
        ("fr", "    language: fr\n    voice: woman\n"),
        ("fr", "    language: fr-FR\n    voice: Polly.Remi-Neural\n"),
        ("nl", "    language: nl-BE\n    voice: Google.nl-BE-Wavenet-B\n"),
        ("de", "    language: de\n    voice: man\n"),
        ("en", "    language: en-gb\n    voice: woman\n"),
        ("en", "    language: en-GB\n    voice: woman\n"),  # language codes have no case
        ("en", "    language: en-GB\n    voice: Polly.Arthur-Neural\n"),
    ],
)
def test_a_documented_pair_is_what_callers_hear(config_copy, capsys, clock, lang, written):
    edit(config_copy / "voices.yaml", f"  {lang}:\n{SHIPPED[lang]}", f"  {lang}:\n{written}")
    code, out = check(config_copy, capsys)
    assert code == 0, out
    if lang == "fr":
        clock.now = brussels("2026-11-24 10:00")
        turn = Call(create_app(config_copy, clock=clock), EVC).start()
        language, voice = (v.split(": ")[1] for v in written.strip().splitlines())
        says = turn.documents[0].split("<Say ")[1:]
        assert says and all(f'language="{language}" voice="{voice}"' in say for say in says)
