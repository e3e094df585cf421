"""Who may use the console: accounts (`ivr operators add`), their passwords (scrypt hashes,
by werkzeug.security), the login and its throttle, sessions, and roles.

Throttle: the sixth wrong password within a minute for one name (or the 21st from one
address) is refused without the password being checked, whichever worker or instance it
reaches: each attempt is counted in the database before its password is checked, in one atomic
step (`ivr.store.throttle`), so parallel guesses get no more checks than the limit.

Sessions: Flask-Login's id of a logged-in user is the token of a session row
(`ivr.store.sessions`): logging out, disabling the account or giving it a new password deletes
the row, and every copy of the cookie then opens nothing.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import wraps

from flask import abort, current_app
from flask_login import LoginManager, UserMixin, current_user
from werkzeug.security import check_password_hash, generate_password_hash

from ivr import metrics
from ivr.console.catalogue import N_
from ivr.store.operators import COORDINATOR, COUNSELLOR, ROLES  # noqa: F401 - the roles
from ivr.store.throttle import Limit

SHORTEST_PASSWORD = 10
THROTTLE_WINDOW = timedelta(minutes=1)
MOST_FAILURES_PER_ACCOUNT = 5
MOST_FAILURES_PER_ADDRESS = 20
# The roles as the pages name them (translated there).
ROLE_NAMES = {COORDINATOR: N_("coordinator"), COUNSELLOR: N_("counsellor")}
# Checked when the account does not exist, so that a wrong name takes as long as a wrong
# password and does not tell who has an account.
_NOBODY = generate_password_hash("nobody has this password", method="scrypt")


class Account(UserMixin):
    """A logged-in operator: their account's row and their session's."""

    def __init__(self, row: dict, token: str, grants=()):
        self.id = row["id"]
        # What it may see and change (`ivr.console.access`), read at each request.
        self.grants = tuple(grants)
        self.name = row["name"]
        self.role = row["role"]
        self.language = row["language"]
        self.token = token
        # A second factor confirmed (`ivr.console.second`): a coordinator without one
        # reaches the enrolment page only.
        self.enrolled = row.get("totp_enrolled_at") is not None
        self.started_at = row["started_at"]
        self.seen_at = row["seen_at"]

    def get_id(self) -> str:
        return self.token

    @property
    def must_enrol(self) -> bool:
        return self.role == COORDINATOR and not self.enrolled

    @property
    def unnarrowed(self) -> bool:
        """Every line, from migration 0009, until someone narrows it (`ivr.console.access`)."""
        return any(g.unnarrowed for g in self.grants)

    @property
    def coordinator(self) -> bool:
        return self.role == COORDINATOR

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)


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


def login_limits(row: dict | None, name: str, address: str) -> tuple[Limit, ...]:
    """The login's limits, for a password, a one-time code or a second factor alike: tries
    for the name, and from the address."""
    key = name.strip().lower()[:100]
    # The audit log names an account, never what was typed: a password typed in the name's
    # field, say.
    who = row["name"] if row else "-"
    return (
        Limit(
            f"name:{key}",
            MOST_FAILURES_PER_ACCOUNT,
            who,
            f"more than {MOST_FAILURES_PER_ACCOUNT} wrong passwords in a minute for "
            + ("this name" if row else "a name that has no account"),
        ),
        Limit(
            f"address:{address[:64]}",
            MOST_FAILURES_PER_ADDRESS,
            "-",
            f"more than {MOST_FAILURES_PER_ADDRESS} wrong passwords in a minute from "
            f"{address[:64]}",
        ),
    )


def attempt(store, name: str, address: str, now: datetime) -> tuple[dict | None, object]:
    """One attempt at an account (a password, a one-time code), counted before anything is
    checked, in one atomic step: (the account's row or None, what forgives the attempt once
    it proves right). Throttled after too many wrong ones within a minute, for the name or
    from the address."""
    row = store.operators.get(name=name.strip())
    limits = login_limits(row, name, address)
    counted = store.throttle.count(limits, THROTTLE_WINDOW, now, refusal="login throttled")
    if counted is None:
        metrics.CONSOLE_LOGINS.labels("throttled").inc()
        raise Throttled
    return row, counted


def log_in(store, name: str, password: str, address: str, now: datetime) -> dict | None:
    """The account's row if the password is right; None if not (counted, and in the audit
    log); Throttled after too many wrong ones within a minute."""
    row, counted = attempt(store, name, address, now)
    if row is None:
        check_password_hash(_NOBODY, password)
        store.throttle.failed(at=now, who="-", detail="no such account")
    elif not check_password_hash(row["password_hash"], password):
        store.throttle.failed(at=now, who=row["name"], detail="wrong password")
    else:
        store.throttle.forgive(counted)
        metrics.CONSOLE_LOGINS.labels("right").inc()
        return row
    metrics.CONSOLE_LOGINS.labels("wrong").inc()
    return None


# A one-time code to set one's own password: 16 letters and digits none can take for another
# (80 bits), in groups of four; it works once, for a day.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LIFETIME = timedelta(hours=24)


def new_code() -> str:
    letters = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(letters[i : i + 4] for i in range(0, 16, 4))


def plain_code(typed: str) -> str:
    return "".join(c for c in typed.upper() if c.isalnum())


def give_code(store, name: str, *, by: str, now: datetime) -> tuple[str, datetime]:
    """A one-time code for `name` (only its hash is kept), and until when it works."""
    code = new_code()
    until = now + CODE_LIFETIME
    store.operators.set_reset(name, hash_password(plain_code(code)), until, by=by, at=now)
    return code, until


def reset_with_code(store, name: str, code: str, password: str, address: str, now: datetime):
    """Sets the account's own password with its one-time code: True if done, False if the
    name or code is wrong or the code is used or old (counted as a failed login, and in the
    audit log); Throttled after too many within a minute, as a login."""
    row, counted = attempt(store, name, address, now)
    usable = bool(row and row.get("reset_hash") and row["reset_until"] and row["reset_until"] > now)
    if check_password_hash(row["reset_hash"] if usable else _NOBODY, plain_code(code)) and usable:
        store.throttle.forgive(counted)
        store.operators.reset_password(row["id"], hash_password(password), at=now)
        return True
    store.throttle.failed(at=now, who=row["name"] if row else "-", detail="wrong one-time code")
    metrics.CONSOLE_LOGINS.labels("wrong").inc()
    return False


def install(app) -> None:
    manager = LoginManager()
    manager.login_view = "session.login"
    manager.login_message = None  # the login page says what it needs to
    manager.init_app(app)

    @manager.user_loader
    def load(token: str):
        store = current_app.extensions["ivr"].store
        row = store.sessions.find(token)
        # No row: logged out, disabled, a new password, expired; or never a session.
        return Account(row, token, store.grants.of(row["id"])) if row else None


def coordinators_only(view):
    """A page for coordinators: 403 for a counsellor (login_required comes first)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.coordinator:
            abort(403)
        return view(*args, **kwargs)

    return wrapper
