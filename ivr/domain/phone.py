"""Phone numbers: how operators write them and what they are, by libphonenumber
(`phonenumbers`): Belgium's numbering plan, its short numbers and their types. Which of them
Twilio dials and shows is `ivr.twilio.platform`'s.

Twilio's `<Number>` dials E.164 numbers (`+3280030030`). Belgian short numbers (107, 106, 103,
1813, 116000, 1712) have no E.164 form: only a Belgian carrier routes them, so they are dialled
through a trunk (`<Sip>` to the carrier, or a Twilio BYOC trunk). The emergency numbers are
never dialled at all: Twilio does not reach Belgian emergency services, so callers are told to
hang up and dial them.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import (
    Leniency,
    NumberParseException,
    PhoneNumberFormat,
    PhoneNumberType,
    shortnumberinfo,
)

# Numbers are written as Belgians write them: 02 ..., 0470 ... are Belgian.
REGION = "BE"
BELGIUM = 32
# The placeholders of the shipped configuration and the tests, 02 000 00 00 to 02 000 99 99:
# numbers the plan leaves empty (a Brussels subscriber number never starts with 0), so one
# left in place rings no one. libphonenumber rightly finds them invalid; they are read all the
# same, and marked `placeholder: true` where `ivr check` should say so.
PLACEHOLDERS = "+322000"
KINDS = {
    PhoneNumberType.FIXED_LINE: "a geographic number",
    PhoneNumberType.MOBILE: "a mobile number",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "a geographic or mobile number",
    PhoneNumberType.TOLL_FREE: "a toll-free number",
    PhoneNumberType.PREMIUM_RATE: "a premium-rate number",
    PhoneNumberType.SHARED_COST: "a shared-cost number",
    PhoneNumberType.UAN: "a national (UAN) number",
    PhoneNumberType.VOIP: "a VoIP number",
    PhoneNumberType.PERSONAL_NUMBER: "a personal number",
    PhoneNumberType.PAGER: "a pager number",
    PhoneNumberType.VOICEMAIL: "a voicemail access number",
}

# What libphonenumber's matcher does not find in a text, kept by hand (its default leniency,
# VALID, passes over what is not a valid Belgian number, and over separators forms do not
# print): numbers with commas or underscores (0470,99,91,11, 0470_999_111), a + as a URL writes
# it (%2B32...), numbers of other countries written their national way, ours with a digit
# wrong, digits set apart by thin spaces. A CallSid's digits follow letters and a date starts
# with its year: both are left alone.
_GAP = r"[ \t\u00a0\u2009\u202f./,_()\u2010-\u2015-]{0,3}"
NOT_MATCHED = re.compile(
    rf"(?<![\w+%])(?:\+|00|%2[Bb])\d(?:{_GAP}\d){{6,14}}(?!\d)"
    rf"|(?<![\w(])\(?0\d(?:{_GAP}\d){{7,9}}(?![\w])"
    rf"|(?<![\w+])32\d{{8,9}}(?![\w])"
)
# Dates and times, which are digits too but no one's number.
DATE_OR_TIME = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[:h]\d{2}|\d{1,2}/\d{1,2}(/\d{2,4})?")
LONG_DIGITS = re.compile(rf"\d(?:{_GAP}\d){{7,}}")
# No number has fewer digits than this: a text with fewer is not given to the matcher (the
# one log line every request writes has none).
FEWEST_DIGITS = 7
DIGIT = re.compile(r"\d")


def parse(text: str) -> phonenumbers.PhoneNumber | None:
    """`text` as libphonenumber reads a number written in Belgium; None when it is none.
    Letters are refused first: libphonenumber reads them as a keypad's (1o7 would be 167)."""
    text = str(text).strip()
    if not text or any(char.isalpha() for char in text):
        return None
    try:
        return phonenumbers.parse(text, REGION)
    except NumberParseException:
        return None


def normalise(text: str) -> str | None:
    """A number as Belgians write it, in the form the router keeps: E.164 (`+3220000001`) for
    02 000 00 01, 0800 30 030, 0470/12.34.56, +32 2 000 00 01, +32 (0)2 ..., 0032 2 ...; a
    short number's digits (107, 116 000 -> 116000); None when `text` is not a phone number in
    use: a digit missing or one too many, a range Belgium's plan does not have (077 ...).
    Emergency numbers come back as they are (112): whoever asks decides what to do with them."""
    number = parse(text)
    if number is None or number.extension:
        return None
    digits = DIGIT.findall(str(text))
    if digits and digits[0] != "0" and "+" not in str(text):
        # Neither + nor 00 nor a national 0: a short number (107, 1712, 116 000), if anything.
        short = "".join(digits)
        possible = shortnumberinfo.is_possible_short_number_for_region(number, REGION)
        return short if possible and str(number.national_number) == short else None
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if phonenumbers.is_valid_number(number) or is_placeholder(e164):
        return e164
    return None


def is_placeholder(number: str) -> bool:
    """Whether `number` (E.164) is one of the placeholders, 02 000 00 00 to 02 000 99 99."""
    if not number.startswith(PLACEHOLDERS):
        return False
    parsed = phonenumbers.parse(number, None)
    return phonenumbers.is_possible_number_for_type(parsed, PhoneNumberType.FIXED_LINE)


def is_e164(number: str) -> bool:
    """Whether `number` is written as E.164, the form Twilio dials (`normalise` keeps)."""
    if not number.startswith("+"):
        return False
    try:
        parsed = phonenumbers.parse(number, None)
    except NumberParseException:
        return False
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164) == number


def is_known_short(number: str) -> bool:
    """Whether libphonenumber's short-number data has `number` as one of Belgium's."""
    parsed = parse(number)
    return parsed is not None and shortnumberinfo.is_valid_short_number_for_region(parsed, REGION)


def is_emergency(number: str) -> bool:
    """112, 101, 100: Belgium's emergency numbers, by libphonenumber's short-number data."""
    return number.isdigit() and shortnumberinfo.is_emergency_number(number, REGION)


def kind(number: str) -> str:
    """What `number` (E.164) is, in an operator's words: 'a toll-free number', ..."""
    if is_placeholder(number):
        return "a placeholder"
    parsed = phonenumbers.parse(number, None)
    return KINDS.get(phonenumbers.number_type(parsed), "a number of no known type")


def is_belgian(number: str) -> bool:
    return is_e164(number) and phonenumbers.parse(number, None).country_code == BELGIUM


def written(number: str) -> str:
    """A number as operators and callers read it: 02 000 00 01, 0800 30 030, 0470 12 34 56
    (libphonenumber's national format); another country's as +1 212-555-0100; short numbers
    as they are (107)."""
    if not number.startswith("+"):
        return number
    try:
        parsed = phonenumbers.parse(number, None)
    except NumberParseException:
        return number
    if parsed.country_code == BELGIUM:
        return phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL)


def _matched(text: str) -> list[tuple[int, int]]:
    """Where libphonenumber's matcher finds a number in `text` (valid ones, Belgium's first)."""
    if len(DIGIT.findall(text)) < FEWEST_DIGITS:
        return []
    found = phonenumbers.PhoneNumberMatcher(text, REGION, leniency=Leniency.VALID)
    return [(match.start, match.end) for match in found]


def in_text(text: str) -> bool:
    """Whether a text holds what may be someone's phone number (a counsellor's note must
    not): a number in national or international form, or eight digits or more in a row."""
    if _matched(text) or NOT_MATCHED.search(text):
        return True
    return bool(LONG_DIGITS.search(DATE_OR_TIME.sub(" ", text)))


def blanked(text: str, mark: str = "[number]") -> str:
    """`text` with every number in it replaced by `mark` (a log line)."""
    for start, end in reversed(_matched(text)):
        text = text[:start] + mark + text[end:]
    return NOT_MATCHED.sub(mark, text)
