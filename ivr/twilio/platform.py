"""What Twilio can do, which `ivr check` holds the configuration to: the numbers its `<Dial>`
reaches by itself, those it never dials, and the numbers it may show on the calls it places in
Belgium. The facts, with their sources, are in docs/twilio.md; Belgium's numbering plan itself
(what a number is) is `ivr.domain.phone`'s.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType

from ivr.domain import phone

# Twilio's <Number> dials E.164 numbers; "Twilio does not support calling this number or the
# number is invalid" (error 13224) for anything else, such as Belgian short numbers, which go
# through a carrier's trunk (https://www.twilio.com/docs/api/errors/13224).
# Twilio reaches emergency services in a short list of countries, not Belgium: 112, 101 and 100
# are never dialled; callers are told to dial them.
# The types of number Twilio can show on a call it places in Belgium. Its guidelines for
# Belgium: "Outbound calls from Toll-Free numbers are not allowed. Outbound calls from
# National numbers are not allowed." (toll-free 0800; national: 070, 078, 090x;
# https://www.twilio.com/en-us/guidelines/be/voice.)
SHOWN_TYPES = (
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def dials(number: str) -> bool:
    """Whether Twilio's `<Number>` reaches `number` by itself, with no carrier's trunk."""
    return phone.is_e164(number)


def never_dials(number: str) -> bool:
    """The emergency numbers, which Twilio cannot reach in Belgium."""
    return phone.is_emergency(number)


@lru_cache(maxsize=1024)  # asked on every transfer, of the configuration's few numbers
def shows(number: str) -> bool:
    """Whether Twilio can show `number` (E.164) on a call it places: any but a Belgian
    toll-free or national number (premium-rate, shared-cost, UAN), by Twilio's guidelines for
    Belgium. Placeholders pass: they stand for the geographic numbers to come."""
    if not phone.is_belgian(number) or phone.is_placeholder(number):
        return True
    return phonenumbers.number_type(phonenumbers.parse(number, None)) in SHOWN_TYPES


def caller_id_problem(number: str) -> str | None:
    """Why `number` (E.164) cannot be what the phones Twilio rings show, for `ivr check`;
    None when it can: a Belgian geographic or mobile number."""
    if not phone.is_belgian(number):
        return "is not a Belgian number, and the phones a line rings show one of the helpline's"
    if phone.is_placeholder(number):
        return "is a placeholder, no one's number: the transfers that show it would fail"
    if not shows(number):
        return (
            f"is {phone.kind(number)}, which Twilio cannot show on the calls it places in "
            "Belgium (its guidelines for Belgium allow no outbound call from a toll-free or "
            "national number): the transfers that show it would fail"
        )
    return None
