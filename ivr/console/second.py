"""The console's second factor: a TOTP code (RFC 6238, 30-second steps, 6 digits, as the
authenticator apps speak it, by pyotp), or one of ten recovery codes (each used once, kept
hashed). Required of coordinators: until they enrol, the enrolment page is the one page they
reach. Offered to counsellors. A wrong code counts as a wrong password: the login's throttle
(`accounts`), and "login failed" in the audit log. The phone console's PIN stays its own factor.

The enrolment's QR code is drawn by segno as inline SVG in the page: no script, nothing from
another site (the pages' Content-Security-Policy stays 'self').
"""

from __future__ import annotations

import secrets
from datetime import datetime

import pyotp
import segno
from markupsafe import Markup
from werkzeug.security import check_password_hash

from ivr import metrics
from ivr.console import accounts

ISSUER = "Helplines console"
RECOVERY_CODES = 10
STEP_SECONDS = 30


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, name: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The QR code of `uri` as an <svg> element (segno's own markup: no script, no style)."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff"))


def new_recovery_codes() -> list[str]:
    return [accounts.new_code()[:9] for _ in range(RECOVERY_CODES)]  # XXXX-XXXX


def step_of(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code `code` is (now's, or the one before or after: a phone's clock
    a little off); None if it is none of them."""
    digits = "".join(c for c in code if c.isdigit())
    if len(digits) != 6:
        return None
    totp = pyotp.TOTP(secret)
    here = int(now.timestamp()) // STEP_SECONDS
    for step in (here, here - 1, here + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), digits):
            return step
    return None


def check(store, row: dict, code: str, address: str, now: datetime, *, enrolling=False) -> bool:
    """Whether `code` is the account's second factor now (a TOTP code not used before, or an
    unused recovery code, used up); a wrong one is counted and in the audit log as a failed
    login; Throttled after too many, as a login. `enrolling`: the first code, of the secret
    not yet confirmed (recovery codes do not count)."""
    counted = store.throttle.count(
        accounts.login_limits(row, row["name"], address),
        accounts.THROTTLE_WINDOW,
        now,
        refusal="login throttled",
    )
    if counted is None:
        metrics.CONSOLE_LOGINS.labels("throttled").inc()
        raise accounts.Throttled
    secret = row.get("totp_secret")
    step = step_of(secret, code, now) if secret else None
    right = False
    if step is not None:
        right = enrolling or store.operators.take_step(row["id"], step)
    elif not enrolling:
        typed = accounts.plain_code(code)
        for number, code_hash in store.operators.recovery_hashes(row["id"]):
            if check_password_hash(code_hash, typed):
                right = store.operators.use_recovery(number, now)
                break
    if right:
        store.throttle.forgive(counted)
        return True
    store.throttle.failed(at=now, who=row["name"], detail="wrong second-factor code")
    metrics.CONSOLE_LOGINS.labels("wrong").inc()
    return False


def enrol(store, row: dict, code: str, address: str, now: datetime) -> list[str] | None:
    """Confirms the account's pending secret with its first code: its recovery codes (shown
    once), or None if the code is wrong (counted as a failed login)."""
    if not check(store, row, code, address, now, enrolling=True):
        return None
    codes = new_recovery_codes()
    step = step_of(row["totp_secret"], code, now)
    hashes = [accounts.hash_password(accounts.plain_code(c)) for c in codes]
    store.operators.enrol(row["id"], step, hashes, at=now)
    return codes
