"""`create_app`: the Flask app Twilio talks to, wired from its settings. Wiring only: the webhooks
are in `ivr.twilio.webhooks` (the coordinators' phone console's in `ivr.console.phone_calls`), the
operations endpoints in `ivr.deploy.ops`, the operators' console (under /console, a Flask app of its
own) in `ivr.console`.

One app serves both the calls and the console (`make run`, gunicorn alone), or either
(`ivr serve`: two pools of workers, nginx sending /console to the console's, so that nothing the
console does ever takes a worker a call needs)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, request

from ivr import logs
from ivr.console import phone_calls
from ivr.deploy import ops
from ivr.logs import Throttle
from ivr.runtime.database_work import DatabaseWork
from ivr.runtime.live import Live
from ivr.runtime.mail import MailWork
from ivr.runtime.queue_work import QueueWork
from ivr.runtime.twilio_work import TwilioWork
from ivr.settings import Settings
from ivr.store import Store
from ivr.twilio import webhooks
from ivr.twilio.answers import Answers
from ivr.twilio.links import StateCodec
from ivr.twilio.rest import TwilioAPI
from ivr.twilio.signature import Signatures

log = logging.getLogger("ivr")
# With intervals of 0, what a request waits at most for a fresh round of a thread.
FRESH_WAIT = 2.0
BOTH, CALLS, CONSOLE = "both", "calls", "console"  # what an app serves


class InsecureStartRefused(RuntimeError):
    pass


def utc_now() -> datetime:
    return datetime.now(UTC)


class Service:
    """What the app's requests share, built once at start (`app.extensions["ivr"]`): the
    configuration being served, the database, and the threads that keep them up to date."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime], pooled: bool = True):
        self.settings = settings
        self.clock = clock
        self.store = Store(settings.database_url, pooled=pooled)
        self.live = Live.start(settings, clock)
        self.upkeep = DatabaseWork(settings, self.store, self.live, clock)
        api = TwilioAPI.from_settings(settings)
        self.privacy = TwilioWork(settings, self.store, self.live, clock, api)
        # Callers waiting for a counsellor on duty, and the offers of their calls (issue 21).
        self.queue = QueueWork(settings, self.store, self.live, clock, api)
        self.threads = (
            self.live.reloader,
            self.upkeep.thread,
            self.privacy.thread,
            self.queue.thread,
        )
        self.on_demand = tuple(thread for thread in self.threads if thread.seconds == 0)
        # The mails: never waited for, not even by tests (an SMTP server is no call's business).
        self.mail = MailWork(settings, self.store, self.live, clock)
        self.threads += (self.mail.thread,)
        self._watched_at = float("-inf")
        self.codec = StateCodec(settings.signing_keys)
        self.signatures = Signatures(settings.auth_token, settings.shared_keys, settings.insecure)
        self.watch()  # from the start: a worker that has served no call yet watches too
        self.answers = Answers(
            self.live, clock, settings.trunk_credentials, keep=settings.answer_cache
        )
        # What answers a call to the coordinators' phone console (set by `create_app`).
        self.phone_console = None
        # Log lines any client can cause, unsigned: at most one every few seconds of a kind.
        self.noisy = Throttle(seconds=10)

    def watch(self) -> None:
        """Starts this process's threads (again, after a fork): cheap, on every webhook."""
        for thread in self.threads:
            thread.ensure()

    def begin(self) -> None:
        """At the start of every webhook: the threads are looked at once a second at most.
        With intervals of 0 (tests, `ivr call`) a request waits, a moment at most, for a fresh
        round of each thread."""
        now = time.monotonic()
        if now - self._watched_at >= 1.0 or self.on_demand:
            self._watched_at = now
            self.watch()
            for thread in self.on_demand:
                thread.fresh(FRESH_WAIT)

    def health(self) -> dict:
        return {**self.live.health(), **self.upkeep.health()}

    @property
    def config(self):
        """The configuration being served now."""
        return self.live.config

    def decode(self, token: str):
        return self.codec.decode(token)


def create_app(
    config_dir: str | os.PathLike | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    settings: Settings | None = None,
    serves: str = BOTH,
) -> Flask:
    """The app for `settings` (read from the environment when not given), serving the
    configuration in `config_dir` if given: the webhooks and the console (`serves` BOTH),
    or only the webhooks and the operations endpoints (CALLS), or only the console (CONSOLE).

    Refuses to start (ConfigError) on a configuration `ivr check` would reject, unless an
    earlier one was accepted (then that one serves, and /healthz shows the refusal); and
    without TWILIO_AUTH_TOKEN unless IVR_INSECURE=1.
    """
    settings = settings or Settings.from_env()
    if config_dir is not None:
        settings = replace(settings, config_dir=Path(config_dir))
    if not logging.getLogger().handlers or settings.log_json:
        logs.setup(json_lines=settings.log_json, level=settings.log_level)
    if not settings.auth_token and not settings.insecure:
        raise InsecureStartRefused(
            "TWILIO_AUTH_TOKEN is not set, so anyone could pose as Twilio; set it, or set "
            "IVR_INSECURE=1 for a local trial"
        )
    if not settings.auth_token:
        log.warning(
            "!!! INSECURE: IVR_INSECURE=1 and no TWILIO_AUTH_TOKEN: requests are NOT checked "
            "for Twilio's signature. For local trials only, never in production. !!!"
        )
    elif not settings.state_keys:
        log.warning(
            "IVR_SECRET is not set: the call state in our URLs is signed with the auth token, "
            "so changing the token would send calls in progress back to their start; set "
            "IVR_SECRET (docs/deploy.md)"
        )
    if serves not in (BOTH, CALLS, CONSOLE):
        raise ValueError(f"an app serves {BOTH}, {CALLS} or {CONSOLE}, not {serves!r}")
    # The console's own workers connect anew for each use of the database (PostgreSQL): a
    # connection's start is bounded (connect_timeout), where a pooled connection to a server
    # that hangs would hold a worker until gunicorn kills it.
    service = Service(settings, clock or utc_now, pooled=serves != CONSOLE)
    app = Flask(__name__)
    app.extensions["ivr"] = service

    if serves != CONSOLE:
        app.register_blueprint(webhooks.bp)
        app.register_blueprint(phone_calls.bp)
        service.phone_console = phone_calls.answer
        app.register_blueprint(ops.bp)
    if settings.console and serves != CALLS:
        from ivr.console import mount  # its libraries load only when it is served

        mount(app, service)

    @app.errorhandler(404)
    @app.errorhandler(405)
    def not_a_webhook(error):
        # Twilio only ever requests /voice URLs; whatever went wrong, the caller is helped.
        if request.path.startswith("/voice") and serves != CONSOLE:
            return webhooks.not_found()
        return error

    log.info(
        "serving %d lines, configuration %s", len(service.config.lines), service.config.version
    )
    return app
