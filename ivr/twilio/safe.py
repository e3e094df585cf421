"""The answer a caller gets when anything goes wrong: static text, no configuration needed.

Used by `POST /voice/fallback` (the number's Fallback URL, when Twilio could not reach us or
got an error) and by the app itself when answering a request raised an exception. It says
where to turn in the caller's language, then tries the listening line that speaks it
(Tele-Onthaal 106 in Dutch, Télé-Accueil 107 otherwise), which answers day and night.
"""

from __future__ import annotations

from collections.abc import Callable

from ivr.domain import phone
from ivr.domain.model import Route
from ivr.flow import Dial, Hangup, Instruction, Speak

LISTENING_LINE = {"fr": "107", "de": "107", "en": "107", "nl": "106"}

SAFE_TEXT = {
    "fr": (
        "Nous ne pouvons pas vous mettre en relation pour le moment. "
        "En cas de danger, raccrochez et composez le 112 pour une aide médicale urgente, "
        "ou le 101 pour la police. "
        "Pour parler à quelqu'un, jour et nuit, Télé-Accueil répond au 107. "
        "Nous essayons de vous mettre en relation avec Télé-Accueil."
    ),
    "nl": (
        "We kunnen u op dit moment niet doorverbinden. "
        "Bent u in gevaar, leg dan in en bel 112 voor dringende medische hulp, "
        "of 101 voor de politie. "
        "Wilt u met iemand praten, dag en nacht: Tele-Onthaal is bereikbaar op 106. "
        "We proberen u door te verbinden met Tele-Onthaal."
    ),
    "de": (
        "Wir können Sie im Moment nicht verbinden. "
        "Wenn Sie in Gefahr sind, legen Sie auf und wählen Sie 112 für dringende medizinische "
        "Hilfe oder 101 für die Polizei. "
        "Wenn Sie mit jemandem sprechen möchten, Tag und Nacht: Télé-Accueil ist unter 107 "
        "erreichbar. Wir versuchen, Sie mit Télé-Accueil zu verbinden."
    ),
    "en": (
        "We cannot put you through right now. "
        "If you are in danger, hang up and dial 112 for urgent medical help, "
        "or 101 for the police. "
        "To talk to someone, day and night, call Télé-Accueil on 107. "
        "We are trying to put you through to Télé-Accueil."
    ),
}
GOODBYE_TEXT = {
    "fr": "Nous n'avons pas pu joindre Télé-Accueil. Composez le 107 vous-même. Au revoir.",
    "nl": "We konden Tele-Onthaal niet bereiken. Bel zelf 106. Tot ziens.",
    "de": "Wir konnten Télé-Accueil nicht erreichen. Wählen Sie selbst die 107. Auf Wiederhören.",
    "en": "We could not reach Télé-Accueil. Please dial 107 yourself. Goodbye.",
}


# When even the safe answer cannot be made: the words alone, in French and Dutch, no dial.
LAST_RESORT = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    f'<Say language="fr-BE">{SAFE_TEXT["fr"].rsplit(". ", 1)[0]}.</Say>'
    f'<Say language="nl-BE">{SAFE_TEXT["nl"].rsplit(". ", 1)[0]}.</Say>'
    "</Response>"
)


def safe_answer(
    line_number: str | None,
    lang: str = "fr",
    route_for: Callable[[str], Route | None] = lambda number: None,
    caller_id: Callable[[str, Route], str] = lambda number, route: number,
) -> list[Instruction]:
    """`line_number` is the number the caller dialled (Twilio's `To`): the listening line is
    shown `caller_id(line_number, route)` (the line's caller ID, or that number), never the
    caller's own number. `route_for` says how Twilio reaches the listening line (through the
    carrier's trunk: it is a short number); without a route the caller is told the number to
    dial, and nothing is dialled."""
    lang = lang if lang in SAFE_TEXT else "fr"
    out: list[Instruction] = [Speak(SAFE_TEXT[lang], lang)]
    route = route_for(LISTENING_LINE[lang])
    if line_number and phone.is_e164(line_number) and route is not None:
        out.append(Dial((route,), caller_id(line_number, route), 30, None))
    out.append(Speak(GOODBYE_TEXT[lang], lang))
    out.append(Hangup())
    return out
