"""The console's Flask app: its settings, security, language and pages, put together."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask

from ivr.console import accounts, security, words
from ivr.console.duty import bp as duty
from ivr.console.pages import bp as pages
from ivr.console.reports import bp as reports
from ivr.console.session import bp as session_pages
from ivr.console.tools import bp as tools

PACKAGE = Path(__file__).resolve().parent.parent


def build(service, secret: str) -> Flask:
    app = Flask(
        "ivr.console",
        template_folder=str(PACKAGE / "templates" / "console"),
        static_folder=str(PACKAGE / "static" / "console"),
        static_url_path="/static",
    )
    app.extensions["ivr"] = service
    app.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_NAME="ivr_console",
        SESSION_COOKIE_PATH="/console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=service.settings.https,
        # The session ends with the browser, and the server ends it sooner (security.py).
        PERMANENT_SESSION_LIFETIME=timedelta(hours=security.LONGEST_SESSION_HOURS),
        # A form's token lasts as long as the session that holds it.
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=service.settings.https,
        MAX_CONTENT_LENGTH=16 * 1024,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        TEMPLATES_AUTO_RELOAD=False,
    )
    security.install(app)
    accounts.install(app)
    words.install(app)
    for blueprint in (session_pages, pages, duty, tools, reports):
        app.register_blueprint(blueprint)
    return app
