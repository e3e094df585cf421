"""Who may use the console: accounts (`ivr operators add`), their passwords (scrypt hashes,
by werkzeug.security), the login and its throttle, and roles.

Throttle: the sixth wrong password within a minute for one account (or the 21st from one
address) is refused without the password being checked, whichever worker or instance it
reaches: the failures are rows in the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import wraps

from flask import abort, current_app
from flask_login import LoginManager, UserMixin, current_user
from werkzeug.security import check_password_hash, generate_password_hash

from ivr.store.operators import COORDINATOR, COUNSELLOR, ROLES  # noqa: F401 - the roles

SHORTEST_PASSWORD = 10
THROTTLE_WINDOW = timedelta(minutes=1)
MOST_FAILURES_PER_ACCOUNT = 5
MOST_FAILURES_PER_ADDRESS = 20
# Checked when the account does not exist, so that a wrong name takes as long as a wrong
# password and does not tell who has an account.
_NOBODY = generate_password_hash("nobody has this password", method="scrypt")


class Account(UserMixin):
    def __init__(self, row: dict):
        self.id = row["id"]
        self.name = row["name"]
        self.role = row["role"]
        self.language = row["language"]

    def get_id(self) -> str:
        return str(self.id)

    @property
    def coordinator(self) -> bool:
        return self.role == COORDINATOR


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def password_problem(password: str) -> str | None:
    """Why a new password cannot be used, or None."""
    if len(password) < SHORTEST_PASSWORD:
        return f"a password has at least {SHORTEST_PASSWORD} characters"
    if password != password.strip():
        return "a password neither starts nor ends with a space"
    return None


class Throttled(Exception):
    """Too many wrong passwords lately: this attempt is not even checked."""


def log_in(store, name: str, password: str, address: str, now: datetime) -> Account | None:
    """The account if the password is right; None if not (counted, and in the audit log);
    Throttled after too many wrong ones within a minute."""
    key = name.strip().lower()[:100]
    by_account, by_address = store.operators.failures(
        account=key, address=address, since=now - THROTTLE_WINDOW
    )
    if by_account >= MOST_FAILURES_PER_ACCOUNT or by_address >= MOST_FAILURES_PER_ADDRESS:
        raise Throttled
    row = store.operators.get(name=name.strip())
    if row is None:
        check_password_hash(_NOBODY, password)
        store.operators.failed(account=key, address=address, at=now, audit=("-", "no such account"))
        return None
    if not check_password_hash(row["password_hash"], password):
        store.operators.failed(
            account=key, address=address, at=now, audit=(row["name"], "wrong password")
        )
        return None
    return Account(row)


def install(app) -> None:
    manager = LoginManager()
    manager.login_view = "session.login"
    manager.login_message = None  # the login page says what it needs to
    manager.init_app(app)

    @manager.user_loader
    def load(user_id: str):
        if not user_id.isdigit():
            return None
        row = current_app.extensions["ivr"].store.operators.get(operator_id=int(user_id))
        return Account(row) if row else None  # a disabled account is logged out at once


def coordinators_only(view):
    """A page for coordinators: 403 for a counsellor (login_required comes first)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.coordinator:
            abort(403)
        return view(*args, **kwargs)

    return wrapper
