"""Phone numbers: how operators write them, which ones Twilio can dial, and how.

Twilio's `<Number>` dials E.164 numbers (`+3280030030`). Belgian short numbers (107, 106, 103,
1813, 116000, 1712) have no E.164 form: only a Belgian carrier routes them, so they are dialled
through a trunk (`<Sip>` to the carrier, or a Twilio BYOC trunk). The emergency numbers are
never dialled at all: Twilio does not reach Belgian emergency services, so callers are told to
hang up and dial them.
"""

from __future__ import annotations

import re

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
SHORT_NUMBER = re.compile(r"^\d{3,6}$")
NATIONAL_NUMBER = re.compile(r"^0\d{7,9}$")
EMERGENCY_NUMBERS = ("112", "101", "100")
BELGIUM = "+32"
MOBILE_PREFIXES = tuple(str(n) for n in range(45, 50))
# +32470123456, 0032 470 12 34 56, 0470 12 34 56: a number in international or national form
# (a CallSid's digits follow letters, a date starts with its year: both are left alone).
# Between digits, whatever people and forms put there: 0470 / 99 91 11, (0470) 99 91 11,
# 0470,99,91,11, 0470_999_111; %2B is a + as a URL writes it.
_GAP = r"[ ./,_()-]{0,3}"
IN_TEXT = re.compile(
    rf"(?<![\w+%])(?:\+|00|%2[Bb])\d(?:{_GAP}\d){{6,14}}(?!\d)"
    rf"|(?<![\w(])\(?0\d(?:{_GAP}\d){{7,9}}(?![\w])"
    rf"|(?<![\w+])32\d{{8,9}}(?![\w])"
)
# Dates and times, which are digits too but no one's number.
DATE_OR_TIME = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[:h]\d{2}|\d{1,2}/\d{1,2}(/\d{2,4})?")
LONG_DIGITS = re.compile(r"\d(?:[ ./,_()-]{0,3}\d){7,}")


# What people put between the digits of a number: 02 000 00 01, 02/000.00.01, 0470-12-34-56.
SEPARATORS = re.compile(r"[\s./()\u00a0-]")
# "+32 (0)2 ..." writes the national 0 in brackets: it is not dialled.
BRACKETED_ZERO = re.compile(r"^(\+|00)(\d{1,3})\s*\(0\)")


def normalise(text: str) -> str | None:
    """A number as Belgians write it, in the form the router keeps: E.164 (`+3220000001`) for
    02 000 00 01, 0800 30 030, 0470/12.34.56, +32 2 000 00 01, +32 (0)2 ..., 0032 2 ...; a
    short number's digits (107, 116 000 -> 116000); None when `text` is not a phone number.
    Emergency numbers come back as they are (112): whoever asks decides what to do with them."""
    text = BRACKETED_ZERO.sub(r"\1\2", str(text).strip())
    if not text.startswith("+") and "+" in text:
        return None
    digits = SEPARATORS.sub("", text)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith(BELGIUM + "0"):
        digits = BELGIUM + digits[len(BELGIUM) + 1 :]  # +32 0470 ...: the 0 is not dialled
    if is_national(digits):
        digits = BELGIUM + digits[1:]
    if digits.startswith(BELGIUM) and not belgian_length(digits):
        return None  # a digit missing or too many: it would ring no one, or someone else
    if is_e164(digits) or is_short(digits):
        return digits
    return None


def belgian_length(number: str) -> bool:
    """Whether a +32 number has as many digits as Belgian numbers have: 9 for a mobile
    (04 55 to 04 99), 8 for any other (02 000 00 01, 04 200 00 00 in Liège, 0800 30 030)."""
    rest = number[len(BELGIUM) :]
    return len(rest) == (9 if rest[:2] in MOBILE_PREFIXES else 8)


def is_e164(number: str) -> bool:
    return bool(E164.match(number))


def is_short(number: str) -> bool:
    return bool(SHORT_NUMBER.match(number))


def is_national(number: str) -> bool:
    return bool(NATIONAL_NUMBER.match(number))


def is_emergency(number: str) -> bool:
    return number in EMERGENCY_NUMBERS


def dial_string(number: str) -> str:
    """What Twilio dials: E.164 for national numbers, short numbers as they are."""
    if is_national(number):
        return BELGIUM + number[1:]
    return number


def in_text(text: str) -> bool:
    """Whether a text holds what may be someone's phone number (a counsellor's note must
    not): a number in national or international form, or eight digits or more in a row."""
    if IN_TEXT.search(text):
        return True
    return bool(LONG_DIGITS.search(DATE_OR_TIME.sub(" ", text)))
