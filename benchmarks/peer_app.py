"""A peer-style IVR: the information line's first two answers written the way Twilio's own
sample IVR apps are (a Flask view per step that builds its TwiML with twilio-python's
VoiceResponse on every request), with no signature check and no logging. The yardstick the
router must match in throughput (benchmarks/RESULTS.md). Its documents are the router's, word
for word; only the state in its URLs is a plain query string of the same length."""

from flask import Flask, Response, request
from twilio.twiml.voice_response import VoiceResponse

app = Flask(__name__)

VOICES = {
    "fr": ("fr-BE", "Polly.Isabelle-Neural"),
    "nl": ("nl-BE", "Polly.Lisa-Neural"),
    "de": ("de-DE", "Polly.Vicki-Neural"),
    "en": ("en-GB", "Polly.Amy-Neural"),
}
LANGUAGE_CHOICE = [
    ("fr", "Pour le français, tapez 1."),
    ("nl", "Voor Nederlands, druk 2."),
    ("de", "Für Deutsch, drücken Sie 3."),
    ("en", "For English, press 4."),
]
PARTNER_VIOLENCE = [
    "Écoute Violences Conjugales : une écoute gratuite et anonyme pour les victimes, les "
    "auteurs et les témoins de violences entre partenaires. En dehors de ses heures, l'appel "
    "passe à Télé-Accueil. Appelez le zéro huit cents, trente, zéro trente, du lundi au "
    "vendredi de 9 h à 19 h, sauf les jours fériés.",
    "Pour être mis en relation maintenant avec Écoute Violences Conjugales, tapez 1.",
]
# As long as the router's signed state, so that both documents weigh the same.
PADDING = "x" * 80


def twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


def say(target, text: str, lang: str) -> None:
    language, voice = VOICES[lang]
    target.say(text, language=language, voice=voice)


@app.post("/voice")
def welcome():
    response = VoiceResponse()
    gather = response.gather(
        action=f"{request.host_url}voice/next?step=language&event=digits&{PADDING}",
        input="dtmf",
        method="POST",
        num_digits=1,
        timeout=5,
    )
    for lang, text in LANGUAGE_CHOICE:
        say(gather, text, lang)
    response.redirect(
        f"{request.host_url}voice/next?step=language&event=silence&{PADDING}", method="POST"
    )
    return twiml(response)


@app.post("/voice/next")
def main_menu():
    """The main menu's answer: 1 is partner violence."""
    response = VoiceResponse()
    if request.form.get("Digits") == "1":
        gather = response.gather(
            action=f"{request.host_url}voice/next?step=partner-violence&event=digits&{PADDING}",
            input="dtmf",
            method="POST",
            num_digits=1,
            timeout=5,
        )
        for text in PARTNER_VIOLENCE:
            say(gather, text, "fr")
        response.redirect(
            f"{request.host_url}voice/next?step=partner-violence&event=go&{PADDING}",
            method="POST",
        )
    else:
        response.redirect(f"{request.host_url}voice", method="POST")
    return twiml(response)
