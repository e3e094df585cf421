"""Hours, dates and phone numbers as a caller hears them, in each language of the registry.

Built from the schedule itself, so the spoken hours always match what the router does.
Weekday, month and language names come from Babel's locale data, numbers in words from
num2words; only the sentence patterns are ours, in each language's entry of
`ivr.domain.languages`.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from weakref import WeakKeyDictionary

from babel import Locale
from babel.dates import format_date, get_day_names
from num2words import num2words

from ivr.domain import languages, phone
from ivr.domain.languages import Sentences
from ivr.domain.schedule import DAY, Schedule


def language(code: str) -> Sentences:
    """How `code` is said; the default language's for a code the registry does not know."""
    return languages.get(code).sentences


def preload(codes) -> None:
    """Loads Babel's locale data at start, so that no call waits on reading it from disk."""
    for code in codes:
        lang = languages.get(code)
        get_day_names("wide", locale=lang.locale)
        format_date(datetime(2026, 1, 1), lang.sentences.date_format, locale=lang.locale)
        language_name(code, code)
        num2words(1, lang=lang.number_words)


def language_name(code: str, in_language: str) -> str:
    """'nl' said in French: 'néerlandais'."""
    return Locale.parse(languages.get(in_language).locale).languages.get(code, code)


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
    day_names = get_day_names("wide", locale=languages.get(code).locale)
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
        times = _join([lang.span(s, e % DAY) for s, e in spans], code)
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
    lang, locale = language(code), languages.get(code).locale
    local_at, local_now = schedule.local(at), schedule.local(now)
    time = lang.time(local_at.hour * 60 + local_at.minute)
    days = (local_at.date() - local_now.date()).days
    if days == 0:
        return lang.today.format(time=time)
    if days == 1:
        return lang.tomorrow.format(time=time)
    if days < 7:
        day = get_day_names("wide", locale=locale)[local_at.weekday()]
        return lang.weekday_at.format(day=day, time=time)
    day = format_date(local_at.date(), lang.date_format, locale=locale)
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
    entry = languages.get(code)
    lang = entry.sentences
    if lang.digits:
        return ", ".join(
            lang.whole_groups.get(group) or " ".join(lang.digits[int(d)] for d in group)
            for group in number_groups(number)
        )
    words = []
    for group in number_groups(number):
        leading = len(group) - len(group.lstrip("0"))
        rest = group[leading:]
        parts = [lang.zero] * leading
        if rest:
            parts.append(num2words(int(rest), lang=entry.number_words))
        words.append(" ".join(parts))
    return ", ".join(words)
