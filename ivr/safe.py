"""The answer a caller gets when anything goes wrong: static text, no configuration needed.

Used by `POST /voice/fallback` (the number's Fallback URL, when Twilio could not reach us or
got an error) and by the app itself when answering a request raised an exception. It says
where to turn, then tries Télé-Accueil 107, which answers day and night.
"""

from __future__ import annotations

import re

from ivr.flow import Dial, Hangup, Instruction, Speak

# The 24/7 listening line, dialled from the line's own number so the caller stays anonymous.
LISTENING_LINE = "107"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")

SAFE_TEXT = {
    "fr": (
        "Nous ne pouvons pas vous mettre en relation pour le moment. "
        "En cas de danger, raccrochez et composez le 112 pour une aide médicale urgente, "
        "ou le 101 pour la police. "
        "Pour parler à quelqu'un, jour et nuit, Télé-Accueil répond au 107. "
        "Nous essayons de vous mettre en relation avec Télé-Accueil."
    ),
}
GOODBYE_TEXT = {
    "fr": "Nous n'avons pas pu joindre Télé-Accueil. Composez le 107 vous-même. Au revoir.",
}


def safe_answer(line_number: str | None, lang: str = "fr") -> list[Instruction]:
    """`line_number` is the number the caller dialled (Twilio's `To`), used as caller ID."""
    lang = lang if lang in SAFE_TEXT else "fr"
    out: list[Instruction] = [Speak(SAFE_TEXT[lang], lang)]
    if line_number and E164.match(line_number):
        out.append(Dial(LISTENING_LINE, line_number, 30, None))
    out.append(Speak(GOODBYE_TEXT[lang], lang))
    out.append(Hangup())
    return out
