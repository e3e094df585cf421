"""The console's languages: those of the registry it speaks (`ivr.domain.languages`, with
`console=True`: French, Dutch and English), the operator's choice. Every text the
pages show is written in English in the code and the templates, `_("…")`, and its French and
Dutch are in the gettext catalogues of `ivr/console/catalogue.py`; dates and times are written
by Babel in the chosen language (tests/test_translations.py checks that no text lacks a
translation)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import holidays as holidays_package
from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from flask import g, request, session
from flask_login import current_user

from ivr.console.catalogue import translations
from ivr.domain import languages

DEFAULT = languages.DEFAULT
_holidays: dict[tuple[str, int], dict] = {}


def translate(text: str, lang: str, **values) -> str:
    text = translations(lang).gettext(text)
    return text % values if values else text


def language() -> str:
    """The page's language: the operator's, else the one chosen on the login page, else the
    browser's."""
    if "lang" not in g:
        chosen = None
        if current_user and current_user.is_authenticated:
            chosen = current_user.language
        chosen = chosen or session.get("lang")
        # The console's languages: those of the registry it speaks (`console=True`).
        spoken = languages.console_languages()
        if chosen not in spoken:
            chosen = request.accept_languages.best_match(list(spoken), DEFAULT)
        g.lang = chosen
    return g.lang


def holiday_name(schedule, day: date, lang: str) -> str | None:
    """The public holiday or closure day that closes a line on `day`, named in `lang`
    (a closure day as the configuration names it)."""
    name = schedule.holiday_name(day)
    if name is None:
        return None
    if any((c.month, c.day) == (day.month, day.day) for c in schedule.closure_days):
        return name
    key = (lang, day.year)
    if key not in _holidays:
        _holidays[key] = holidays_package.country_holidays(
            "BE",
            years=day.year,
            categories=("public",),
            language=languages.get(lang).holidays_language,
        )
    return _holidays[key].get(day) or name


def language_name(code: str, lang: str) -> str:
    """A caller's language named in the page's: 'néerlandais'."""
    try:
        return Locale.parse(code).get_display_name(locale_of(lang)) or code
    except (ValueError, LookupError):
        return code


def day_words(day: date, lang: str) -> tuple[str, str, str]:
    """('lundi', 'lun.', '21 déc.')"""
    locale = locale_of(lang)
    return (
        format_date(day, "EEEE", locale=locale),
        format_date(day, "EEE", locale=locale),
        format_date(day, "d MMM", locale=locale),
    )


def locale_of(lang: str) -> str:
    """Babel's locale of a language of the registry: fr_BE."""
    return languages.get(lang).locale


def moment(at: datetime | None, lang: str, zone: str = "Europe/Brussels") -> str:
    """'jeudi 24 décembre 2026 18:00'"""
    if at is None:
        return ""
    return format_datetime(at, "EEEE d MMMM y HH:mm", tzinfo=zone, locale=locale_of(lang))


def short(at: datetime | None, lang: str, zone: str = "Europe/Brussels") -> str:
    """'24 déc. 18:00'"""
    if at is None:
        return ""
    return format_datetime(at, "d MMM HH:mm", tzinfo=zone, locale=locale_of(lang))


def relative(at: datetime | None, now: datetime, lang: str, zone="Europe/Brussels") -> str:
    """'today 19:00', 'tomorrow 09:00', 'Monday 28 December 09:00'; '' for None."""
    if at is None:
        return ""
    local, today = at.astimezone(ZoneInfo(zone)), now.astimezone(ZoneInfo(zone)).date()
    hour = format_time(local, "HH:mm", locale=locale_of(lang))
    days = (local.date() - today).days
    if days == 0:
        return translate("today %(time)s", lang, time=hour)
    if days == 1:
        return translate("tomorrow %(time)s", lang, time=hour)
    return format_datetime(local, "EEEE d MMMM HH:mm", tzinfo=zone, locale=locale_of(lang))


def override_words(o, lang: str) -> str:
    """What an override makes of its line (`overrides.Shown`): 'closed', 'open', 'calls to 106'."""
    if o.kind == "closed":
        return translate("closed", lang)
    if o.kind == "open":
        return translate("open", lang)
    return translate("calls to %(to)s", lang, to=o.to)


def install(app) -> None:
    # Jinja's gettext, "new style": `_("… %(name)s", name=…)` fills the values in, escaped.
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(
        lambda text: translations(language()).gettext(text),
        lambda one, many, n: translations(language()).ngettext(one, many, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(
        language=language,
        relative=lambda at, now: relative(at, now, language()),
        override_words=lambda o: override_words(o, language()),
    )
    app.jinja_env.filters.update(
        moment=lambda at: moment(at, language()),
        short=lambda at: short(at, language()),
    )
