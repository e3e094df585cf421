"""Accounts with grants, for the tests of organisations (issue 22): an account of one
organisation, of one line, of two organisations, or of every line."""

from __future__ import annotations

from datetime import UTC, datetime

from ivr.console.accounts import hash_password
from ivr.store.grants import ALL, Grant


def password_of(name: str) -> str:
    return f"{name}'s long password"  # as conftest's, so that its log_in works


def add_account(store, name: str, role: str, *where: str, line: str | None = None, at=None):
    """An account with a grant of `role` in each organisation of `where` ("*": every line),
    or in the one line `line` (of its organisation, from the store's configuration)."""
    if line is not None:
        grants = [Grant(ORGANISATIONS[line], role, line)]
    else:
        grants = [Grant(ALL if org == "*" else org, role) for org in where]
    store.operators.add(
        name,
        role,
        hash_password(password_of(name)),
        language="fr",
        by="test",
        at=at or datetime.now(UTC),
        grants=tuple(grants),
    )


# The shipped lines' organisations (config/*.yaml).
ORGANISATIONS = {
    "1712": "caw-vertrouwenscentra",
    "stop-it-now": "stop-it-now",
    "ecoute-violences-conjugales": "ecoute-violences-conjugales",
    "orientation": "orientation",
}
