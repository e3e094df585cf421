"""Hours, dates and phone numbers as a caller hears them, in French, Dutch, German and English.

Built from the schedule itself, so the spoken hours always match what the router does.
Weekday, month and language names come from Babel's locale data, numbers in words from
num2words; only the sentence patterns are ours.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from weakref import WeakKeyDictionary

from babel import Locale
from babel.dates import format_date, get_day_names
from num2words import num2words

from ivr.domain import phone
from ivr.domain.schedule import DAY, Schedule


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
    if start % 60 == 0 and end % 60 == 0 and start and end % DAY:
        return f"van {start // 60} tot {end % DAY // 60} uur"
    return f"van {_nl_time(start)} tot {_nl_time(end % DAY)}"


def _de_span(start: int, end: int) -> str:
    if start % 60 == 0 and end % 60 == 0 and start and end % DAY:
        return f"von {start // 60} bis {end % DAY // 60} Uhr"
    return f"von {_de_time(start)} bis {_de_time(end % DAY)}"


@dataclass(frozen=True)
class Language:
    """The sentence patterns of one language."""

    locale: str  # Babel locale
    number_words: str  # num2words language
    time: Callable[[int], str]  # minutes after midnight -> "9 h"
    span: Callable[[int, int], str]  # -> "de 9 h à 19 h"
    every_day: str
    day_range: str  # {first} {last}
    one_day: str  # {day}
    and_: str
    except_holidays: str
    always: str
    never: str
    today: str  # {time}
    tomorrow: str
    weekday_at: str  # {day} {time}
    date_at: str  # {date} {time}
    date_format: str
    zero: str


LANGUAGES = {
    "fr": Language(
        locale="fr_BE",
        number_words="fr_BE",
        time=_fr_time,
        span=lambda s, e: f"de {_fr_time(s)} à {_fr_time(e % DAY)}",
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
    "nl": Language(
        locale="nl_BE",
        number_words="nl",
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
    "de": Language(
        locale="de_BE",
        number_words="de",
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
    "en": Language(
        locale="en_GB",
        number_words="en",
        time=_en_time,
        span=lambda s, e: f"from {_en_time(s)} to {_en_time(e % DAY)}",
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
    ),
}


def language(code: str) -> Language:
    return LANGUAGES.get(code, LANGUAGES["fr"])


def preload(languages) -> None:
    """Loads Babel's locale data at start, so that no call waits on reading it from disk."""
    for code in languages:
        lang = language(code)
        get_day_names("wide", locale=lang.locale)
        format_date(datetime(2026, 1, 1), lang.date_format, locale=lang.locale)
        language_name(code, code)
        num2words(1, lang=lang.number_words)


def language_name(code: str, in_language: str) -> str:
    """'nl' said in French: 'néerlandais'."""
    return Locale.parse(language(in_language).locale).languages.get(code, code)


def spoken_time(minutes: int, code: str) -> str:
    return language(code).time(minutes % DAY)


def _join(items: list[str], code: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {language(code).and_} " + items[-1]


_HOURS: WeakKeyDictionary[Schedule, dict[tuple, str]] = WeakKeyDictionary()


def spoken_hours(schedule: Schedule, code: str, at: datetime) -> str:
    """`du lundi au vendredi de 9 h à 19 h, sauf les jours fériés`: the hours of the coming
    seven days from `at` (the call's instant), changes from a date included."""
    windows = schedule.windows
    if schedule.changes:
        windows = schedule.coming_week(schedule.local(at).date())
    # A schedule does not change once loaded: each sentence is made once, and forgotten with
    # the schedule when a new configuration replaces it.
    made = _HOURS.setdefault(schedule, {})
    if (code, windows) not in made:
        made[code, windows] = _spoken_hours(schedule, windows, code)
    return made[code, windows]


def _spoken_hours(schedule: Schedule, windows, code: str) -> str:
    lang = language(code)
    if schedule.always_open:
        return lang.always
    if not windows:
        return lang.never
    day_names = get_day_names("wide", locale=lang.locale)
    spans_by_day = [tuple((w.start, w.end) for w in windows if w.weekday == d) for d in range(7)]
    # Runs of consecutive days with the same windows become "from Monday to Friday".
    groups: list[tuple[int, int, tuple]] = []
    for day, spans in enumerate(spans_by_day):
        if not spans:
            continue
        if groups and groups[-1][1] == day - 1 and groups[-1][2] == spans:
            groups[-1] = (groups[-1][0], day, spans)
        else:
            groups.append((day, day, spans))
    parts = []
    for first, last, spans in groups:
        times = _join([lang.span(s, e) for s, e in spans], code)
        if first == 0 and last == 6:
            days = lang.every_day
        elif first == last:
            days = lang.one_day.format(day=day_names[first])
        elif last == first + 1:
            days = _join(
                [
                    lang.one_day.format(day=day_names[first]),
                    lang.one_day.format(day=day_names[last]),
                ],
                code,
            )
        else:
            days = lang.day_range.format(first=day_names[first], last=day_names[last])
        parts.append(f"{days} {times}")
    sentence = _join(parts, code)
    if schedule.closes_on_public_holidays:
        sentence += f", {lang.except_holidays}"
    return sentence


def spoken_moment(at: datetime | None, now: datetime, schedule: Schedule, code: str) -> str:
    """When something happens next, relative to now: `demain à 9 h`, `lundi à 14 h`."""
    if at is None:
        return ""
    lang = language(code)
    local_at, local_now = schedule.local(at), schedule.local(now)
    time = lang.time(local_at.hour * 60 + local_at.minute)
    days = (local_at.date() - local_now.date()).days
    if days == 0:
        return lang.today.format(time=time)
    if days == 1:
        return lang.tomorrow.format(time=time)
    if days < 7:
        day = get_day_names("wide", locale=lang.locale)[local_at.weekday()]
        return lang.weekday_at.format(day=day, time=time)
    day = format_date(local_at.date(), lang.date_format, locale=lang.locale)
    return lang.date_at.format(date=day, time=time)


def number_groups(number: str) -> list[str]:
    """A number in the groups people say: 0800 30 030, 02 475 44 11, 0470 12 34 56, as
    libphonenumber writes it (`phone.written`); a short number as Belgians say it, 107 and
    116 000 whole, 1712 in two pairs ("zeventien twaalf")."""
    if number.startswith("+"):
        return [group for group in re.split(r"\D+", phone.written(number)) if group]
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) == 4:
        return [digits[:2], digits[2:]]
    if len(digits) in (3, 6) or len(digits) < 3:
        return [digits]
    return [digits[i : i + 2] for i in range(0, len(digits), 2)]


def written_number(number: str) -> str:
    """A number as operators read it: '02 000 00 01', '0470 11 22 33', '107'."""
    return phone.written(number)


@lru_cache(maxsize=1024)
def spoken_number(number: str, code: str) -> str:
    """A phone number in words, group by group: `zéro huit cents, trente, zéro trente`."""
    lang = language(code)
    if code == "en":
        # English speakers say phone numbers digit by digit, 0 as "oh": "one oh seven".
        digit = ["oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        return ", ".join(
            "oh eight hundred" if group == "0800" else " ".join(digit[int(d)] for d in group)
            for group in number_groups(number)
        )
    words = []
    for group in number_groups(number):
        leading = len(group) - len(group.lstrip("0"))
        rest = group[leading:]
        parts = [lang.zero] * leading
        if rest:
            parts.append(num2words(int(rest), lang=lang.number_words))
        words.append(" ".join(parts))
    return ", ".join(words)
