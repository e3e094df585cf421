"""Reads `trunks.yaml` and every phone number the configuration dials, with the trunk that
reaches it; the rules of numbers themselves are `ivr.domain.phone`'s."""

from __future__ import annotations

import re

from ivr.config.fields import Fields, closest, named_entries, or_list
from ivr.config.reading import Reader, line_of, place
from ivr.domain import model, phone
from ivr.twilio import platform

TRUNKS_FILE = "trunks.yaml"
TRUNK_KEYS = {"sip", "transport", "region", "byoc", "placeholder", "caller_id"}
# Twilio's regions for SIP: without one, calls to the carrier leave from the United States.
SIP_REGIONS = ("ie1", "de1", "us1", "us2", "br1", "au1", "jp1", "sg1")
BYOC_SID = re.compile(r"^BY[0-9a-f]{32}$")
SIP_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$")
SIP_TRANSPORTS = ("udp", "tcp", "tls")
# How a number may be written, said when one cannot be read.
NUMBER_FORMS = (
    "write it as on a business card, such as 02 000 00 01, 0470 12 34 56 or +32 2 000 00 01 "
    "(a Belgian number has 9 digits with its 0, a mobile 10), or a short number such as 107"
)
# What a line's caller ID must be, and where to read about it.
CALLER_ID_FIX = (
    "a Belgian geographic or mobile number the helpline holds at Twilio, such as "
    "caller_id: \"02 555 01 23\" (docs/configuration.md, 'Caller ID')"
)


def read_caller_id(
    r: Reader, line: int, written, what: str, *, placeholder: bool = False, carrier: bool = False
) -> str | None:
    """A `caller_id:`, the number the phones a transfer rings show; None, said, when it cannot
    be one. A line's (`carrier` False) is shown on the legs Twilio places to the phone
    network: a Belgian geographic or mobile number. A trunk's (`carrier` True) goes to the
    carrier, who decides what it presents: any number in E.164 form."""
    number = phone.normalise(str(written)) if written is not None else None
    if number is None:
        r.error(line, f"{what}: '{written}' is not a phone number; {NUMBER_FORMS}")
        return None
    if not phone.is_e164(number):
        r.error(
            line,
            f"{what}: {number} is a short number, which no phone shows as a caller; give "
            + ("the number your carrier presents for the helpline" if carrier else CALLER_ID_FIX),
        )
        return None
    problem = None if carrier else platform.caller_id_problem(number)
    if problem and phone.is_placeholder(number) and placeholder:
        problem = None  # said below, with the other placeholders
    if problem:
        marked = (
            "; while you have none, mark it 'placeholder: true' under 'caller_id:' with 'number:'"
            if phone.is_placeholder(number)
            else ""
        )
        r.error(
            line,
            f"{what}: {phone.written(number)} {problem}; give {CALLER_ID_FIX}{marked}",
        )
        return None
    if placeholder:
        r.warn(
            line,
            f"{what}: {number} is a placeholder; put in the real number and remove "
            "'placeholder: true'",
            kind="placeholder",
        )
    return number


def read_trunks(r: Reader, data) -> dict[str, model.Trunk]:
    """`trunks.yaml`: the carrier connections that dial what Twilio cannot (short numbers)."""
    trunks: dict[str, model.Trunk] = {}
    needs = "'sip: host' or 'byoc: BY...'"
    for name, item, line in named_entries(r, data, "trunks", "trunk", needs):
        f = Fields(r, item, f"trunk '{name}'", TRUNK_KEYS)
        sip = f.text("sip", required=False)
        byoc = f.text("byoc", required=False)
        transport = f.text("transport", required=False)
        region = f.text("region", required=False)
        placeholder = f.flag("placeholder", False)
        caller_id = None
        if f.has("caller_id"):
            caller_id = read_caller_id(
                r, f.line("caller_id"), f.text("caller_id"), f"trunk '{name}'", carrier=True
            )
            if caller_id is None:
                continue
        if bool(sip) == bool(byoc):
            r.error(
                line,
                f"trunk '{name}' needs either 'sip:' (the carrier's SIP address, such as "
                "sip.carrier.be) or 'byoc:' (a Twilio BYOC trunk, BY and 32 characters)",
            )
            continue
        if sip and not SIP_HOST.match(sip):
            r.error(
                f.line("sip"),
                f"'{sip}' is not a SIP host; write only the host (and :port), such as "
                "sip.carrier.be or sip.carrier.be:5061, without 'sip:' or a number",
            )
            continue
        if byoc and not BYOC_SID.match(byoc):
            r.error(
                f.line("byoc"),
                f"'{byoc}' is not a BYOC trunk SID; copy it from Twilio's console (Voice > "
                "BYOC Trunks): BY followed by 32 characters 0-9 and a-f",
            )
            continue
        if transport and (byoc or transport not in SIP_TRANSPORTS):
            r.error(
                f.line("transport"),
                "'transport' is for SIP trunks only, and is one of: " + ", ".join(SIP_TRANSPORTS),
            )
            continue
        if region and (byoc or region not in SIP_REGIONS):
            r.error(
                f.line("region"),
                "'region' is for SIP trunks only, and is one of: " + ", ".join(SIP_REGIONS),
            )
            continue
        trunks[name] = model.Trunk(name, sip, transport, region, byoc, placeholder, caller_id)
    return trunks


class Routes:
    """Reads numbers and the trunk (`via:`) that reaches them; remembers which numbers go
    through each trunk, so that a placeholder trunk is named once, not once per number."""

    def __init__(
        self,
        trunks: dict[str, model.Trunk],
        *,
        unknown_trunks: bool = False,
        broken: set[str] = frozenset(),
    ):
        self.trunks = trunks
        self.uses: dict[str, list[str]] = {}
        # Trunks written in trunks.yaml but not read (their error is said), and those named
        # by a `via:` but not written at all: said once each, when every file is read.
        self.broken = broken
        self.missing: dict[str, list[tuple[Reader, int, str]]] = {}
        # Each number Twilio dials: (reader, line, number, contact or service).
        self.dialled: list[tuple[Reader, int, str, str]] = []
        # trunks.yaml could not be read: any trunk named is taken as it is, without a word.
        self.unknown_trunks = unknown_trunks

    def read(
        self,
        r: Reader,
        line: int,
        number: str,
        what: str,
        *,
        via: str | None = None,
        via_line: int = 0,
        placeholder: bool = False,
        dialled: bool = True,
    ) -> model.Route | None:
        """`dialled` is False for a number we only tell callers about (one of our own lines,
        which a transfer enters without a phone call)."""
        written = number
        number = phone.normalise(written)
        if number is None:
            r.error(line, f"{what}: '{written}' is not a phone number; {NUMBER_FORMS}")
            return None
        if platform.never_dials(number):
            r.error(
                line,
                f"{what}: {number} is an emergency number and Twilio cannot dial Belgian "
                "emergency services; tell callers to hang up and dial it instead (a 'say' prompt)",
            )
            return None
        trunk = None
        if via:
            trunk = self.trunks.get(via)
            if trunk is None and (self.unknown_trunks or via in self.broken):
                trunk = model.Trunk(via)
            elif trunk is None:
                self.missing.setdefault(via, []).append((r, via_line, what))
                return None
        if trunk is None and not platform.dials(number) and dialled:
            r.error(
                line,
                f"{what}: {number} is a short number, which Twilio cannot dial itself (it has no "
                "+32 form); say which trunk of trunks.yaml reaches it, such as 'via: carrier' "
                "(docs/deploy.md explains trunks)",
            )
            return None
        if dialled and not phone.is_e164(number) and not phone.is_known_short(number):
            r.warn(
                line,
                f"{what}: {number} is not one of Belgium's short numbers as libphonenumber knows "
                "them (its short-number data): check the number, and that your carrier routes "
                "it",
            )
        if placeholder:
            r.warn(
                line,
                f"{what}: {number} is a placeholder; put in the real number and remove "
                "'placeholder: true'",
                kind="placeholder",
            )
        if trunk is not None and trunk.name in self.trunks:
            self.uses.setdefault(trunk.name, []).append(number)
        if dialled:
            self.dialled.append((r, line, number, what))
        return model.Route(number, trunk)

    def report_missing(self, trunks_reader: Reader | None) -> None:
        """Each trunk named by a `via:` that trunks.yaml does not have, once: at trunks.yaml
        when a trunk there nobody names is its likely misspelling, else where it is named."""
        for via, uses in self.missing.items():
            guess = closest(via, self.trunks)
            places = ", ".join(place(r.file, line) for r, line, _ in uses)
            if guess and guess not in self.uses and len(uses) > 1 and trunks_reader is not None:
                trunks_reader.error(
                    line_of(trunks_reader.data["trunks"], guess),
                    f"no number names trunk '{guess}', and {len(uses)} numbers name a trunk "
                    f"'{via}' that is not here ({places}): did you mean '{via}'?",
                )
                continue
            r, line, what = uses[0]
            more = f" (nor for {len(uses) - 1} more numbers: {places})" if len(uses) > 1 else ""
            r.error(
                line,
                f"{what}: there is no trunk '{via}' in trunks.yaml{more}; "
                + or_list(via, self.trunks, "the trunks are"),
            )

    def warn_placeholders(self, r: Reader) -> None:
        for name, numbers in self.uses.items():
            trunk = self.trunks[name]
            if trunk.placeholder:
                unique = list(dict.fromkeys(numbers))
                r.warn(
                    line_of(r.data["trunks"], name),
                    f"trunk '{name}' is a placeholder: until it is real, transfers to "
                    f"{', '.join(unique)} fail (callers then hear the number to dial "
                    "themselves); put in your carrier's details (docs/deploy.md)",
                    # The placeholders fold into one line, led by the one callers feel most.
                    kind="placeholder",
                    rank=-1,
                )
