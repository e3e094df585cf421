"""Hours, dates and phone numbers as a caller hears them.

Built from the schedule itself, so the spoken hours always match what the router does.
Weekday and month names come from Babel's locale data; only the sentence patterns are ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date, get_day_names

from ivr.schedule import DAY, Schedule

# Babel locale for each language a line may speak.
LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "de": "de_BE", "en": "en_GB"}


@dataclass(frozen=True)
class Phrases:
    """The sentence patterns of one language."""

    every_day: str
    day_range: str  # {first} {last}
    one_day: str  # {day}
    time_span: str  # {start} {end}
    and_: str
    except_holidays: str
    always: str
    closed: str
    midnight: str
    hour: str  # {h}
    hour_minutes: str  # {h} {m}
    today: str  # {time}
    tomorrow: str
    weekday_at: str  # {day} {time}
    date_at: str  # {date} {time}


PHRASES = {
    "fr": Phrases(
        every_day="tous les jours",
        day_range="du {first} au {last}",
        one_day="le {day}",
        time_span="de {start} à {end}",
        and_="et",
        except_holidays="sauf les jours fériés",
        always="jour et nuit, tous les jours",
        closed="à aucun moment pour l'instant",
        midnight="minuit",
        hour="{h} h",
        hour_minutes="{h} h {m:02d}",
        today="aujourd'hui à {time}",
        tomorrow="demain à {time}",
        weekday_at="{day} à {time}",
        date_at="le {date} à {time}",
    ),
}


def preload(languages) -> None:
    """Loads Babel's locale data at start, so that no call waits on reading it from disk."""
    for language in languages:
        locale = LOCALES.get(language, "fr_BE")
        get_day_names("wide", locale=locale)
        format_date(datetime(2026, 1, 1), "d MMMM", locale=locale)


def phrases(language: str) -> Phrases:
    return PHRASES.get(language, PHRASES["fr"])


def spoken_time(minutes: int, language: str) -> str:
    p = phrases(language)
    minutes %= DAY
    if minutes == 0:
        return p.midnight
    h, m = divmod(minutes, 60)
    return p.hour.format(h=h) if m == 0 else p.hour_minutes.format(h=h, m=m)


def _join(items: list[str], language: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {phrases(language).and_} " + items[-1]


def spoken_hours(schedule: Schedule, language: str) -> str:
    """`du lundi au vendredi de 9 h à 19 h, sauf les jours fériés`."""
    p = phrases(language)
    if schedule.always_open:
        return p.always
    if not schedule.windows:
        return p.closed
    day_names = get_day_names("wide", locale=LOCALES.get(language, "fr_BE"))
    spans_by_day = [
        tuple((w.start, w.end) for w in schedule.windows if w.weekday == d) for d in range(7)
    ]
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
        times = _join(
            [
                p.time_span.format(start=spoken_time(s, language), end=spoken_time(e, language))
                for s, e in spans
            ],
            language,
        )
        if first == 0 and last == 6:
            days = p.every_day
        elif first == last:
            days = p.one_day.format(day=day_names[first])
        elif last == first + 1:
            days = _join(
                [p.one_day.format(day=day_names[first]), p.one_day.format(day=day_names[last])],
                language,
            )
        else:
            days = p.day_range.format(first=day_names[first], last=day_names[last])
        parts.append(f"{days} {times}")
    sentence = _join(parts, language)
    if schedule.closes_on_public_holidays:
        sentence += f", {p.except_holidays}"
    return sentence


def spoken_moment(at: datetime | None, now: datetime, schedule: Schedule, language: str) -> str:
    """When something happens next, relative to now: `demain à 9 h`, `lundi à 14 h`."""
    if at is None:
        return ""
    p = phrases(language)
    locale = LOCALES.get(language, "fr_BE")
    local_at, local_now = schedule.local(at), schedule.local(now)
    time = spoken_time(local_at.hour * 60 + local_at.minute, language)
    days = (local_at.date() - local_now.date()).days
    if days == 0:
        return p.today.format(time=time)
    if days == 1:
        return p.tomorrow.format(time=time)
    if days < 7:
        day = get_day_names("wide", locale=locale)[local_at.weekday()]
        return p.weekday_at.format(day=day, time=time)
    return p.date_at.format(date=format_date(local_at.date(), "d MMMM", locale=locale), time=time)


def spoken_number(number: str, language: str) -> str:
    """A phone number written the way people say it, in groups: `0800 30 030`, `116 000`."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if number.startswith("+32"):
        digits = "0" + digits[2:]
    if len(digits) <= 4:
        return digits
    if digits.startswith("0800") or digits.startswith("0900"):
        rest = digits[4:]
        return " ".join([digits[:4], rest[:2], rest[2:]]).strip()
    if len(digits) == 6:
        return f"{digits[:3]} {digits[3:]}"
    # Belgian numbering: 02 475 44 11 (one-digit zones), 071 31 47 79, 0470 12 34 56.
    if len(digits) == 9 and digits[1] in "2349":
        groups = [digits[:2], digits[2:5], digits[5:7], digits[7:]]
    elif len(digits) == 9:
        groups = [digits[:3], digits[3:5], digits[5:7], digits[7:]]
    elif len(digits) == 10:
        groups = [digits[:4], digits[4:6], digits[6:8], digits[8:]]
    else:
        groups = [digits[i : i + 2] for i in range(0, len(digits), 2)]
    return " ".join(groups)
