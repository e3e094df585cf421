"""The answer a caller gets when anything goes wrong: static text, no configuration needed.

Used by `POST /voice/fallback` (the number's Fallback URL, when Twilio could not reach us or
got an error) and by the app itself when answering a request raised an exception. It says
where to turn in the caller's language, then tries the listening line that speaks it
(Tele-Onthaal 106 in Dutch, Télé-Accueil 107 otherwise), which answers day and night: the
words and the number are each language's, in the registry (`ivr.domain.languages`).
"""

from __future__ import annotations

from collections.abc import Callable

from ivr.domain import languages, phone
from ivr.domain.model import Route
from ivr.flow import Dial, Hangup, Instruction, Speak

# When even the safe answer cannot be made: the words alone, in French and Dutch, no dial.
LAST_RESORT = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    + "".join(
        f'<Say language="{lang.say_language}">{lang.safe_text.rsplit(". ", 1)[0]}.</Say>'
        for lang in (languages.FRENCH, languages.DUTCH)
    )
    + "</Response>"
)


def safe_answer(
    line_number: str | None,
    lang: str = languages.DEFAULT,
    route_for: Callable[[str], Route | None] = lambda number: None,
    caller_id: Callable[[str, Route], str] = lambda number, route: number,
) -> list[Instruction]:
    """`line_number` is the number the caller dialled (Twilio's `To`): the listening line is
    shown `caller_id(line_number, route)` (the line's caller ID, or that number), never the
    caller's own number. `route_for` says how Twilio reaches the listening line (through the
    carrier's trunk: it is a short number); without a route the caller is told the number to
    dial, and nothing is dialled."""
    language = languages.get(lang)  # the default language's for a code it does not know
    out: list[Instruction] = [Speak(language.safe_text, language.code)]
    route = route_for(language.listening_line)
    if line_number and phone.is_e164(line_number) and route is not None:
        out.append(Dial((route,), caller_id(line_number, route), 30, None))
    out.append(Speak(language.safe_goodbye, language.code))
    out.append(Hangup())
    return out
