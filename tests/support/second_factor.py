"""The console's second factor in tests: enrol an account straight in the store, and the code
its authenticator app would show at the app's (fixed) clock. Coordinators must have one
(`ivr.console.second`): `log_in` helpers enrol them before logging in."""

from __future__ import annotations

import pyotp
from sqlalchemy import update

from ivr.console.second import STEP_SECONDS
from ivr.store.tables import operators

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the tests' authenticator app's, for every account


def enrol(store, name: str, at) -> str:
    """Gives the account `name` its second factor (SECRET, no recovery codes); returns it."""
    row = store.operators.get(name=name)
    store.operators.start_enrolment(row["id"], SECRET)
    store.operators.enrol(row["id"], int(at.timestamp()) // STEP_SECONDS - 10, [], at=at)
    return SECRET


def code(at, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(at)


def ready(store, name: str, at) -> bool:
    """Before a test logs `name` in: a coordinator is enrolled, and the code of this moment
    may be used again (the tests' clock stands still: a real one moves on). Returns whether the
    login will ask for the code."""
    row = store.operators.get(name=name.strip())
    if row is None:
        return False
    if row["role"] == "coordinator" and row.get("totp_enrolled_at") is None:
        enrol(store, row["name"], at)
        row = store.operators.get(name=row["name"])
    if row.get("totp_enrolled_at") is None:
        return False
    with store.engine.begin() as conn:
        conn.execute(update(operators).where(operators.c.id == row["id"]).values(totp_last_step=0))
    return True
