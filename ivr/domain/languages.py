"""The languages the router speaks, one entry each: the only place that lists them.

Everything that depends on a caller's or an operator's language asks this registry: the codes
`ivr check` accepts, how hours, moments and numbers are spoken (`ivr.domain.speech`), Twilio's
`<Say>` tag and voice, the public holidays' names, the weekday names an operator may write,
the safe answer, the stubs `ivr new-line` writes, and whether the browser console speaks it.
Adding a language is an entry here, its prompts file `prompts/<code>.yaml` (with its
`console:` section) and, if the browser console speaks it, the console's catalogue for it:
docs/languages.md, "Adding a language".

Pure data and small helpers: no I/O, nothing imported from the rest of the router (the
schedule asks it for weekday names).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# The language of a caller we know nothing of yet: most of our callers speak French.
DEFAULT = "fr"


@dataclass(frozen=True)
class Sentences:
    """How hours, moments and numbers are said in a language; weekday and month names come
    from Babel's locale data, numbers in words from num2words: only the patterns are here."""

    time: Callable[[int], str]  # minutes after midnight (0-1439) -> "9 h"
    span: Callable[[int, int], str]  # two of them, the end 0 for midnight -> "de 9 h à 19 h"
    every_day: str
    day_range: str  # {first} {last}
    one_day: str  # {day}
    and_: str
    except_holidays: str
    always: str
    never: str
    today: str  # {time}
    tomorrow: str  # {time}
    weekday_at: str  # {day} {time}
    date_at: str  # {date} {time}
    date_format: str  # Babel's pattern for a day of the year
    zero: str  # a leading 0 of a group of digits
    # Said digit by digit with these ten words instead of in numbers ("one oh seven"), and
    # the groups said whole ("oh eight hundred").
    digits: tuple[str, ...] = ()
    whole_groups: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Language:
    code: str  # what the YAML, the prompts file's name and the call state say: "fr"
    name: str  # its own name, as a menu of languages shows it: "Français"
    locale: str  # Babel's locale: weekday, month and language names, dates
    number_words: str  # num2words' language for numbers in words
    say_language: str  # Twilio's `<Say language="...">` when voices.yaml names none
    # The voices Twilio speaks `say_language` with that suit us, the first the one used when
    # voices.yaml names none (tests hold each to ivr/twilio/voices.py).
    voices: tuple[str, ...]
    holidays_language: str  # the holidays package's language for Belgian public holidays
    # The names an operator may write for Monday ... Sunday (then told to write mon ... sun).
    weekday_names: tuple[tuple[str, ...], ...]
    sentences: Sentences
    # The static safe answer (`ivr.twilio.safe`): where to turn, the listening line that
    # speaks this language day and night, and what is said when it could not be reached.
    listening_line: str
    safe_text: str
    safe_goodbye: str
    # What `ivr new-line` writes into prompts/<code>.yaml for a new line, to be replaced.
    new_line_prompts: Mapping[str, str] = field(default_factory=dict, compare=False)
    console: bool = False  # whether the browser console's pages speak it


def _days(*names: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(day.split()) for day in names)


def _fr_time(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    if minutes == 0:
        return "minuit"
    return f"{h} h" if m == 0 else f"{h} h {m:02d}"


def _nl_time(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    if minutes == 0:
        return "middernacht"
    return f"{h} uur" if m == 0 else f"{h} uur {m:02d}"


def _de_time(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    if minutes == 0:
        return "Mitternacht"
    return f"{h} Uhr" if m == 0 else f"{h} Uhr {m:02d}"


def _en_time(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    if minutes == 0:
        return "midnight"
    if minutes == 12 * 60:
        return "midday"
    suffix = "a.m." if h < 12 else "p.m."
    h12 = h % 12 or 12
    return f"{h12} {suffix}" if m == 0 else f"{h12}:{m:02d} {suffix}"


def _nl_span(start: int, end: int) -> str:
    # "van 9 tot 17 uur": the first "uur" is left out when both are whole hours.
    if start % 60 == 0 and end % 60 == 0 and start and end:
        return f"van {start // 60} tot {end // 60} uur"
    return f"van {_nl_time(start)} tot {_nl_time(end)}"


def _de_span(start: int, end: int) -> str:
    if start % 60 == 0 and end % 60 == 0 and start and end:
        return f"von {start // 60} bis {end // 60} Uhr"
    return f"von {_de_time(start)} bis {_de_time(end)}"


FRENCH = Language(
    code="fr",
    name="Français",
    locale="fr_BE",
    number_words="fr_BE",  # septante, nonante, as in Belgium
    say_language="fr-BE",
    voices=("Polly.Isabelle-Neural",),
    holidays_language="fr",
    weekday_names=_days(
        "lundi lun",
        "mardi mar",
        "mercredi mer",
        "jeudi jeu",
        "vendredi ven",
        "samedi sam",
        "dimanche dim",
    ),
    sentences=Sentences(
        time=_fr_time,
        span=lambda s, e: f"de {_fr_time(s)} à {_fr_time(e)}",
        every_day="tous les jours",
        day_range="du {first} au {last}",
        one_day="le {day}",
        and_="et",
        except_holidays="sauf les jours fériés",
        always="jour et nuit, tous les jours",
        never="à aucun moment pour l'instant",
        today="aujourd'hui à {time}",
        tomorrow="demain à {time}",
        weekday_at="{day} à {time}",
        date_at="le {date} à {time}",
        date_format="d MMMM",
        zero="zéro",
    ),
    listening_line="107",
    safe_text=(
        "Nous ne pouvons pas vous mettre en relation pour le moment. "
        "En cas de danger, raccrochez et composez le 112 pour une aide médicale urgente, "
        "ou le 101 pour la police. "
        "Pour parler à quelqu'un, jour et nuit, Télé-Accueil répond au 107. "
        "Nous essayons de vous mettre en relation avec Télé-Accueil."
    ),
    safe_goodbye=(
        "Nous n'avons pas pu joindre Télé-Accueil. Composez le 107 vous-même. Au revoir."
    ),
    new_line_prompts={
        "welcome": "Bienvenue à {line}.",
        "team_busy": "Notre équipe n'est pas disponible pour le moment.",
        "closed_hours": "{line} est fermé en ce moment. Nous répondons {hours}.",
        "putting_through": "Nous vous mettons en relation avec quelqu'un qui vous écoute, jour "
        "et nuit. Restez en ligne.",
        "leave_message": "Laissez-nous un message après le bip, avec un numéro ou une adresse "
        "e-mail où vous recontacter. Appuyez sur une touche quand vous avez terminé.",
        "closed_menu": "Pour parler maintenant à quelqu'un qui vous écoute jour et nuit, tapez "
        "1. Pour nous laisser un message, tapez 2.",
    },
    console=True,
)

DUTCH = Language(
    code="nl",
    name="Nederlands",
    locale="nl_BE",
    number_words="nl",
    say_language="nl-BE",
    voices=(
        "Polly.Lisa-Neural",
        "Google.nl-BE-Wavenet-A",
        "Google.nl-BE-Wavenet-B",
        "Google.nl-BE-Standard-A",
        "Google.nl-BE-Standard-B",
    ),
    holidays_language="nl",
    weekday_names=_days(
        "maandag ma",
        "dinsdag di",
        "woensdag wo",
        "donderdag do",
        "vrijdag vr",
        "zaterdag za",
        "zondag zo",
    ),
    sentences=Sentences(
        time=_nl_time,
        span=_nl_span,
        every_day="elke dag",
        day_range="van {first} tot {last}",
        one_day="op {day}",
        and_="en",
        except_holidays="behalve op feestdagen",
        always="dag en nacht, elke dag",
        never="op dit moment nooit",
        today="vandaag om {time}",
        tomorrow="morgen om {time}",
        weekday_at="{day} om {time}",
        date_at="{date} om {time}",
        date_format="d MMMM",
        zero="nul",
    ),
    listening_line="106",  # Tele-Onthaal, Télé-Accueil's Dutch-speaking counterpart
    safe_text=(
        "We kunnen u op dit moment niet doorverbinden. "
        "Bent u in gevaar, leg dan in en bel 112 voor dringende medische hulp, "
        "of 101 voor de politie. "
        "Wilt u met iemand praten, dag en nacht: Tele-Onthaal is bereikbaar op 106. "
        "We proberen u door te verbinden met Tele-Onthaal."
    ),
    safe_goodbye="We konden Tele-Onthaal niet bereiken. Bel zelf 106. Tot ziens.",
    new_line_prompts={
        "welcome": "Welkom bij {line}.",
        "team_busy": "Ons team is op dit moment niet beschikbaar.",
        "closed_hours": "{line} is nu gesloten. We zijn bereikbaar {hours}.",
        "putting_through": "We verbinden u door met iemand die dag en nacht naar u luistert. "
        "Blijf aan de lijn.",
        "leave_message": "Spreek na de toon een bericht in, met een telefoonnummer of een "
        "e-mailadres waarop we u kunnen bereiken. Druk op een toets als u klaar bent.",
        "closed_menu": "Druk 1 om nu te praten met iemand die dag en nacht naar u luistert. "
        "Druk 2 om een bericht in te spreken.",
    },
    console=True,
)

GERMAN = Language(
    code="de",
    name="Deutsch",
    locale="de_BE",
    number_words="de",
    say_language="de-DE",  # Twilio has no de-BE voice
    voices=("Polly.Vicki-Neural", "Polly.Daniel-Neural"),
    holidays_language="de",
    weekday_names=_days(
        "montag mo",
        "dienstag di",
        "mittwoch mi",
        "donnerstag do",
        "freitag fr",
        "samstag sa",
        "sonntag so",
    ),
    sentences=Sentences(
        time=_de_time,
        span=_de_span,
        every_day="täglich",
        day_range="{first} bis {last}",
        one_day="am {day}",
        and_="und",
        except_holidays="außer an Feiertagen",
        always="rund um die Uhr, jeden Tag",
        never="zurzeit nie",
        today="heute um {time}",
        tomorrow="morgen um {time}",
        weekday_at="am {day} um {time}",
        date_at="am {date} um {time}",
        date_format="d. MMMM",
        zero="null",
    ),
    listening_line="107",
    safe_text=(
        "Wir können Sie im Moment nicht verbinden. "
        "Wenn Sie in Gefahr sind, legen Sie auf und wählen Sie 112 für dringende medizinische "
        "Hilfe oder 101 für die Polizei. "
        "Wenn Sie mit jemandem sprechen möchten, Tag und Nacht: Télé-Accueil ist unter 107 "
        "erreichbar. Wir versuchen, Sie mit Télé-Accueil zu verbinden."
    ),
    safe_goodbye=(
        "Wir konnten Télé-Accueil nicht erreichen. Wählen Sie selbst die 107. Auf Wiederhören."
    ),
    new_line_prompts={
        "welcome": "Willkommen bei {line}.",
        "team_busy": "Unser Team ist im Moment nicht erreichbar.",
        "closed_hours": "{line} ist im Moment geschlossen. Wir sind erreichbar {hours}.",
        "putting_through": "Wir verbinden Sie mit jemandem, der Ihnen Tag und Nacht zuhört. "
        "Bleiben Sie bitte am Apparat.",
        "leave_message": "Bitte hinterlassen Sie nach dem Signalton eine Nachricht, mit einer "
        "Telefonnummer oder E-Mail-Adresse, unter der wir Sie erreichen. Drücken Sie eine "
        "Taste, wenn Sie fertig sind.",
        "closed_menu": "Um jetzt mit jemandem zu sprechen, der Ihnen Tag und Nacht zuhört, "
        "drücken Sie die 1. Um uns eine Nachricht zu hinterlassen, drücken Sie die 2.",
    },
    console=False,  # the browser console has no German catalogue
)

ENGLISH = Language(
    code="en",
    name="English",
    locale="en_GB",
    number_words="en",
    say_language="en-GB",
    voices=("Polly.Amy-Neural", "Polly.Emma-Neural", "Polly.Brian-Neural", "Polly.Arthur-Neural"),
    holidays_language="en_US",  # the holidays package has no British English
    weekday_names=_days(
        "monday",
        "tuesday tues",
        "wednesday",
        "thursday thurs",
        "friday",
        "saturday",
        "sunday",
    ),
    sentences=Sentences(
        time=_en_time,
        span=lambda s, e: f"from {_en_time(s)} to {_en_time(e)}",
        every_day="every day",
        day_range="{first} to {last}",
        one_day="on {day}",
        and_="and",
        except_holidays="except on public holidays",
        always="day and night, every day",
        never="at no time for now",
        today="today at {time}",
        tomorrow="tomorrow at {time}",
        weekday_at="on {day} at {time}",
        date_at="on {date} at {time}",
        date_format="d MMMM",
        zero="zero",
        # English speakers say phone numbers digit by digit, 0 as "oh": "one oh seven".
        digits=("oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
        whole_groups={"0800": "oh eight hundred"},
    ),
    listening_line="107",
    safe_text=(
        "We cannot put you through right now. "
        "If you are in danger, hang up and dial 112 for urgent medical help, "
        "or 101 for the police. "
        "To talk to someone, day and night, call Télé-Accueil on 107. "
        "We are trying to put you through to Télé-Accueil."
    ),
    safe_goodbye="We could not reach Télé-Accueil. Please dial 107 yourself. Goodbye.",
    new_line_prompts={
        "welcome": "Welcome to {line}.",
        "team_busy": "Our team is not available at the moment.",
        "closed_hours": "{line} is closed right now. We answer {hours}.",
        "putting_through": "We are putting you through to someone who listens, day and night. "
        "Please stay on the line.",
        "leave_message": "Please leave a message after the tone, with a phone number or an "
        "e-mail address where we can reach you. Press any key when you have finished.",
        "closed_menu": "To talk now to someone who listens day and night, press 1. To leave us "
        "a message, press 2.",
    },
    console=True,
)

# In the order they are listed to operators.
LANGUAGES: dict[str, Language] = {lang.code: lang for lang in (FRENCH, DUTCH, GERMAN, ENGLISH)}


def codes() -> tuple[str, ...]:
    """The codes of every language the router speaks, in the registry's order."""
    return tuple(LANGUAGES)


def known(code) -> bool:
    return isinstance(code, str) and code in LANGUAGES


def get(code: str) -> Language:
    """The language of `code`; the default language's for a code the router does not know
    (a caller is answered whatever a state or a setting says)."""
    return LANGUAGES.get(code) or LANGUAGES[DEFAULT]


def console_languages() -> dict[str, str]:
    """The browser console's languages, code -> own name."""
    return {lang.code: lang.name for lang in LANGUAGES.values() if lang.console}


def weekday_named(name: str) -> int | None:
    """Which weekday (0 Monday ... 6 Sunday) `name` is in one of the languages, written in
    lowercase: 'lundi', 'ma', 'thurs'; None when it names none."""
    for lang in LANGUAGES.values():
        for day, names in enumerate(lang.weekday_names):
            if name in names:
                return day
    return None
