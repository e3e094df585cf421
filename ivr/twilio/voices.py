"""The voice and language pairs Twilio documents for `<Say>`, for the languages our lines speak
and their neighbours: a fact of the platform, data only. The registry of languages
(`ivr.domain.languages`) names each language's `<Say>` tag and voices; tests hold them to this
table.

A `<Say>` whose voice does not speak its language fails on the call, so `ivr check` accepts
only these pairs. Read in November 2026 from:
- Twilio's `<Say>` page: the basic voices `man` and `woman` speak en, en-gb, es, fr and de,
  written so (no locale: not fr-BE).
- Twilio's text-to-speech page: each Amazon Polly and Google voice and its locale. Belgian
  French (fr-BE) has one, Polly.Isabelle-Neural; Google has no fr-BE voice. Belgian Dutch
  (nl-BE) has Polly.Lisa-Neural and Google's Standard and WaveNet A and B.
"""

SOURCES = (
    "https://www.twilio.com/docs/voice/twiml/say",
    "https://www.twilio.com/docs/voice/twiml/say/text-speech",
)

# The `language` of a <Say> -> the voices Twilio documents for it.
VOICES: dict[str, tuple[str, ...]] = {
    # The basic voices, by the language codes the <Say> page gives them.
    "fr": ("man", "woman"),
    "de": ("man", "woman"),
    "en": ("man", "woman"),
    "en-gb": ("man", "woman"),
    "es": ("man", "woman"),
    "fr-BE": ("Polly.Isabelle-Neural",),
    "fr-FR": (
        "Polly.Celine",
        "Polly.Lea",
        "Polly.Mathieu",
        "Polly.Lea-Neural",
        "Polly.Remi-Neural",
        "Google.fr-FR-Standard-A",
        "Google.fr-FR-Standard-B",
        "Google.fr-FR-Standard-C",
        "Google.fr-FR-Standard-D",
        "Google.fr-FR-Standard-E",
        "Google.fr-FR-Wavenet-A",
        "Google.fr-FR-Wavenet-B",
        "Google.fr-FR-Wavenet-C",
        "Google.fr-FR-Wavenet-D",
        "Google.fr-FR-Wavenet-E",
        "Google.fr-FR-Neural2-A",
        "Google.fr-FR-Neural2-B",
        "Google.fr-FR-Neural2-C",
        "Google.fr-FR-Neural2-D",
        "Google.fr-FR-Neural2-E",
    ),
    "nl-BE": (
        "Polly.Lisa-Neural",
        "Google.nl-BE-Standard-A",
        "Google.nl-BE-Standard-B",
        "Google.nl-BE-Wavenet-A",
        "Google.nl-BE-Wavenet-B",
    ),
    "nl-NL": (
        "Polly.Lotte",
        "Polly.Ruben",
        "Polly.Laura-Neural",
        "Google.nl-NL-Standard-A",
        "Google.nl-NL-Standard-B",
        "Google.nl-NL-Standard-C",
        "Google.nl-NL-Standard-D",
        "Google.nl-NL-Standard-E",
        "Google.nl-NL-Wavenet-A",
        "Google.nl-NL-Wavenet-B",
        "Google.nl-NL-Wavenet-C",
        "Google.nl-NL-Wavenet-D",
        "Google.nl-NL-Wavenet-E",
    ),
    "de-DE": (
        "Polly.Hans",
        "Polly.Marlene",
        "Polly.Vicki",
        "Polly.Vicki-Neural",
        "Polly.Daniel-Neural",
        "Google.de-DE-Standard-A",
        "Google.de-DE-Standard-B",
        "Google.de-DE-Standard-C",
        "Google.de-DE-Standard-D",
        "Google.de-DE-Standard-E",
        "Google.de-DE-Standard-F",
        "Google.de-DE-Wavenet-A",
        "Google.de-DE-Wavenet-B",
        "Google.de-DE-Wavenet-C",
        "Google.de-DE-Wavenet-D",
        "Google.de-DE-Wavenet-E",
        "Google.de-DE-Wavenet-F",
        "Google.de-DE-Neural2-A",
        "Google.de-DE-Neural2-B",
        "Google.de-DE-Neural2-C",
        "Google.de-DE-Neural2-D",
        "Google.de-DE-Neural2-F",
    ),
    "en-GB": (
        "Polly.Amy",
        "Polly.Brian",
        "Polly.Emma",
        "Polly.Amy-Neural",
        "Polly.Emma-Neural",
        "Polly.Brian-Neural",
        "Polly.Arthur-Neural",
        "Google.en-GB-Standard-A",
        "Google.en-GB-Standard-B",
        "Google.en-GB-Standard-C",
        "Google.en-GB-Standard-D",
        "Google.en-GB-Standard-F",
        "Google.en-GB-Wavenet-A",
        "Google.en-GB-Wavenet-B",
        "Google.en-GB-Wavenet-C",
        "Google.en-GB-Wavenet-D",
        "Google.en-GB-Wavenet-F",
        "Google.en-GB-Neural2-A",
        "Google.en-GB-Neural2-B",
        "Google.en-GB-Neural2-C",
        "Google.en-GB-Neural2-D",
        "Google.en-GB-Neural2-F",
    ),
}
