"""Reads a line's `contacts:`: who answers it, one phone or a ring group, and how they ring."""

from __future__ import annotations

from ivr.config.fields import Fields
from ivr.config.numbers import Routes
from ivr.config.reading import Mapping, Reader, Sequence, line_of
from ivr.domain import model

CONTACT_KEYS = {"number", "numbers", "ring", "screening", "via", "placeholder"}
# Twilio rings at most 10 numbers at once.
MAX_RING_GROUP = 10


def read_contacts(
    r: Reader, f: Fields, routes: Routes, broken: set[str]
) -> dict[str, model.Contact]:
    """The contacts that could be read; the names of those that could not go in `broken`
    (their own error is said: a transfer to them is not an error of its own)."""
    contacts = {}
    m = f.mapping("contacts", required=False) or {}
    for cid, item in m.items():
        line = line_of(m, cid)
        if isinstance(item, str | int):
            item_map = Mapping({"number": str(item)})
            item_map.line, item_map.key_lines = line, {"number": line}
            item = item_map
        contact = None
        if not isinstance(item, Mapping):
            r.error(line, f"contact '{cid}' needs 'number:' (or 'numbers:')")
        else:
            contact = read_contact(r, cid, item, line, routes)
        if contact is None:
            broken.add(cid)
        else:
            contacts[cid] = contact
    return contacts


def read_contact(
    r: Reader, cid: str, item: Mapping, line: int, routes: Routes
) -> model.Contact | None:
    g = Fields(r, item, f"contact '{cid}'", CONTACT_KEYS)
    if g.has("number") == g.has("numbers"):
        r.error(
            line,
            f"contact '{cid}' needs 'number:' for one phone, or 'numbers:' for a ring group "
            "of several",
        )
        return None
    if g.has("number"):
        given = [(g.text("number") or "", g.line("number"))]
    else:
        seq = g.sequence("numbers") or Sequence()
        given = [(str(n), ln) for n, ln in zip(seq, seq.item_lines, strict=True)]
        if not 1 <= len(given) <= MAX_RING_GROUP:
            r.error(
                g.line("numbers"),
                f"a ring group has from 1 to {MAX_RING_GROUP} numbers (Twilio rings at most "
                f"{MAX_RING_GROUP} at once), not {len(given)}",
            )
            return None
    ring = g.text("ring", required=False, default=model.TOGETHER).replace("_", " ")
    if ring not in (model.TOGETHER, model.IN_ORDER):
        r.error(
            g.line("ring"),
            f"'ring' is 'together' (every phone at once, the first to take the call wins) "
            f"or 'in order' (one after the other), not '{ring}'",
        )
        return None
    placeholder = g.flag("placeholder", False)
    phones = []
    for number, ln in given:
        route = routes.read(
            r,
            ln,
            number,
            cid,
            via=g.text("via", required=False),
            via_line=g.line("via"),
            placeholder=placeholder,
        )
        if route is None:
            return None
        phones.append(route)
    sip = [route for route in phones if route.trunk and route.trunk.sip_host]
    if ring == model.TOGETHER and sip and len(phones) > 1:
        r.warn(
            g.line("numbers"),
            f"contact '{cid}' rings a SIP trunk together with other phones: Twilio allows "
            "that only with 'Enhanced Programmable SIP Features' on the account; or write "
            "'ring: in order' (docs/deploy.md)",
        )
    return model.Contact(tuple(phones), ring, g.flag("screening", True), placeholder)
