"""What keeps the console's pages private: CSRF tokens on every form (Flask-WTF), sessions
that end on the server (8 hours after login, 30 minutes without a click, at the logout; rows
of `ivr.store.sessions`), headers that forbid framing, inline scripts and caching, and the
error pages."""

from __future__ import annotations

import ipaddress
import logging
from datetime import datetime, timedelta

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as NoConnection

from ivr.console.catalogue import N_

log = logging.getLogger("ivr.console")

LONGEST_SESSION_HOURS = 8
IDLE_MINUTES = 30
# The status board reloads itself with this header: that is no sign of someone at the screen.
REFRESH_HEADER = "X-Console-Refresh"
# ... except on the wallboard, which a wall screen shows all day: its refreshes keep its session
# (8 hours at most, as any).
KEPT_ALIVE = {"duty.wallboard"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


ERRORS = {
    403: N_("This page is for coordinators."),
    404: N_("There is no such page."),
    405: N_("This page does not take that request."),
    413: N_("That is too much to send."),
}
NO_TOKEN = N_(
    "This form was not sent from this page, or has expired. Go back, reload the page and try again."
)
DATABASE_AWAY = N_(
    "The database is not answering: this page cannot be shown, and what you asked may not have "
    "been done. Calls are answered as usual. Try again in a minute."
)


def now():
    return current_app.extensions["ivr"].clock()


def client_address() -> str:
    """The browser's address: behind our own nginx (loopback), the one it saw."""
    address = request.remote_addr or "-"
    forwarded = request.headers.get("X-Forwarded-For", "")
    try:
        loopback = ipaddress.ip_address(address).is_loopback
    except ValueError:
        loopback = False
    if loopback and forwarded:
        return forwarded.split(",")[-1].strip()[:64] or address
    return address


LASTING = timedelta(hours=LONGEST_SESSION_HOURS)
IDLE = timedelta(minutes=IDLE_MINUTES)
# A click is written to the session's row at most this often: its idle time is that precise.
SEEN_EVERY = timedelta(minutes=1)


def start_session(store, operator_id: int, moment: datetime) -> str:
    """A session row for the account; its token, for Flask-Login to keep in the cookie."""
    return store.sessions.start(operator_id, moment, lasting=LASTING, idle=IDLE)


def expired() -> bool:
    """Whether the logged-in session is over, by its row's times."""
    moment = now()
    return moment - current_user.started_at > LASTING or moment - current_user.seen_at > IDLE


def audit(action: str, subject: str, detail: str = "", who: str | None = None) -> None:
    """One line in the audit log: who (the operator logged in), what, when."""
    store = current_app.extensions["ivr"].store
    with store.engine.begin() as conn:
        store.audit.add(
            conn,
            at=now(),
            operator=who or current_user.name,
            action=action,
            subject=subject,
            detail=detail,
        )


def end_session(reason: str) -> None:
    """The logged-in session ends: its row goes, so any copy of the cookie opens nothing."""
    current_app.extensions["ivr"].store.sessions.end(current_user.token)
    audit(reason, "console")
    logout_user()
    session.clear()


def install(app) -> None:
    CSRFProtect(app)

    @app.before_request
    def session_times():
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        if expired():
            end_session("session expired")
            return redirect(url_for("session.login", expired=1))
        moment = now()
        clicked = not request.headers.get(REFRESH_HEADER) or request.endpoint in KEPT_ALIVE
        if clicked and moment - current_user.seen_at >= SEEN_EVERY:
            current_app.extensions["ivr"].store.sessions.seen(current_user.token, moment)
        return None

    @app.after_request
    def headers(response):
        response.headers.update(HEADERS)
        if current_app.extensions["ivr"].settings.https:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if request.endpoint != "static":
            # Nothing private stays in the browser: the back button after logout asks again.
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response

    @app.errorhandler(CSRFError)
    def no_token(error):
        return error_page(
            400,
            "This form was not sent from this page, or has expired. "
            "Go back, reload the page and try again.",
        ), 400

    for status, text in ERRORS.items():
        app.register_error_handler(status, _handler(status, text))

    @app.errorhandler(OperationalError)
    @app.errorhandler(NoConnection)
    def database_away(error):
        # Said once in a while: anyone can cause it, by asking for the login page.
        write, held = current_app.extensions["ivr"].noisy.allow("console database")
        if write:
            log.warning(
                "console: the database did not answer (%s); the page said so (%d more held back)",
                type(getattr(error, "orig", None) or error).__name__,
                held,
            )
        # The page is shown as to someone not logged in: finding out who is logged in needs
        # the database (Flask-Login keeps the request's user in g._login_user).
        g._login_user = current_app.login_manager.anonymous_user()
        response = current_app.make_response((error_page(503, DATABASE_AWAY), 503))
        response.headers["Retry-After"] = "60"
        return response


def _handler(status: int, text: str):
    def handle(error):
        return error_page(status, text), status

    return handle


def error_page(status: int, text: str) -> str:
    return render_template("error.html", status=status, text=text)
