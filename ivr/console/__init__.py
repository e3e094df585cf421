"""The operators' console under `/console`: the lines' status, the messages, the week, the
overrides and a trial call, from a browser (docs/console.md).

It is a Flask app of its own, mounted beside the webhooks (`mount`): its sessions, CSRF
tokens, security headers and error pages never touch a webhook's request or answer. In
production (`ivr serve`) it also has workers of its own (`create_app(serves="console")`), so
that its waits on the database never hold a worker a call needs.
"""

from __future__ import annotations

import logging

from flask import Flask, Response
from werkzeug.middleware.dispatcher import DispatcherMiddleware

PREFIX = "/console"
# Only with IVR_INSECURE=1 (local trials): anyone who knows it can forge a session.
INSECURE_SECRET = "insecure-local-console-secret"
log = logging.getLogger("ivr.console")


def mount(app: Flask, service) -> None:
    """Serves the console under /console beside `app` (the webhooks' app)."""
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {PREFIX: console_app(service)})


def console_app(service):
    settings = service.settings
    secret = settings.console_secret
    if not secret:
        if not settings.insecure:
            log.error(
                "the console is not served: IVR_CONSOLE_SECRET is not set (docs/deploy.md); "
                "set it, or IVR_CONSOLE=0 to switch the console off"
            )
            return refused
        log.warning("IVR_INSECURE=1 and no IVR_CONSOLE_SECRET: console sessions are forgeable")
        secret = INSECURE_SECRET
    from ivr.console.site import build  # Flask-Login, Flask-WTF: loaded only when served

    return build(service, secret)


def refused(environ, start_response):
    """Every console page, when the console cannot be served safely."""
    response = Response(
        "The console is not available: the server has no IVR_CONSOLE_SECRET (docs/deploy.md).\n",
        status=503,
        mimetype="text/plain",
        headers={"Cache-Control": "no-store"},
    )
    return response(environ, start_response)
