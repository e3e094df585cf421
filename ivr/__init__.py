"""The call router for Belgian helplines: `create_app` builds the Flask app Twilio talks to."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, Response, request

from ivr import config as config_module
from ivr.store import Store

log = logging.getLogger("ivr")

# Used only with IVR_INSECURE=1 and no IVR_SECRET: call-state URLs are then forgeable.
INSECURE_SECRET = "insecure-local-trial-secret"


def preload(config, year: int) -> None:
    """Does at start what would otherwise read files during the first calls."""
    from ivr import speech

    speech.preload({lang for line in config.lines.values() for lang in line.languages})
    schedules = [line.schedule for line in config.lines.values()]
    schedules += [service.schedule for service in config.services.values()]
    for schedule in schedules:
        schedule.preload_years(range(year - 1, year + 3))


TRUNK_SETTING = re.compile(r"^IVR_TRUNK_([A-Z0-9_]+)_(USERNAME|PASSWORD)$")


def trunk_credentials(environ) -> dict[str, tuple[str, str]]:
    """The SIP trunks' usernames and passwords, by trunk name: IVR_TRUNK_CARRIER_USERNAME and
    IVR_TRUNK_CARRIER_PASSWORD for the trunk 'carrier' ('-' in a name is '_' here)."""
    found: dict[str, dict[str, str]] = {}
    for key, value in environ.items():
        match = TRUNK_SETTING.match(key)
        if match:
            name = match[1].lower().replace("_", "-")
            found.setdefault(name, {})[match[2]] = value
    return {
        name: (pair["USERNAME"], pair["PASSWORD"])
        for name, pair in found.items()
        if pair.get("USERNAME") and pair.get("PASSWORD")
    }


class InsecureStartRefused(RuntimeError):
    pass


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    config_dir: str | os.PathLike | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
) -> Flask:
    """The app for the configuration in `config_dir` ($IVR_CONFIG_DIR, else ./config).

    Refuses to start (ConfigError) on a configuration `ivr check` would reject, and without
    TWILIO_AUTH_TOKEN unless IVR_INSECURE=1.
    """
    if not logging.getLogger().handlers or os.environ.get("IVR_LOG_FORMAT") == "json":
        from ivr import logs

        logs.setup(
            json_lines=os.environ.get("IVR_LOG_FORMAT") == "json",
            level=os.environ.get("IVR_LOG_LEVEL", "INFO"),
        )
    config_dir = Path(config_dir or os.environ.get("IVR_CONFIG_DIR") or "config")
    prompts_dir = os.environ.get("IVR_PROMPTS_DIR")
    config = config_module.load_or_raise(config_dir, prompts_dir)

    token = os.environ.get("TWILIO_AUTH_TOKEN", "")
    insecure = os.environ.get("IVR_INSECURE") == "1"
    if not token and not insecure:
        raise InsecureStartRefused(
            "TWILIO_AUTH_TOKEN is not set, so anyone could pose as Twilio; set it, or set "
            "IVR_INSECURE=1 for a local trial"
        )
    if not token:
        log.warning(
            "!!! INSECURE: IVR_INSECURE=1 and no TWILIO_AUTH_TOKEN: requests are NOT checked "
            "for Twilio's signature. For local trials only, never in production. !!!"
        )
    secret = os.environ.get("IVR_SECRET") or token or INSECURE_SECRET

    from ivr.web import Router, bp, safe_response, signature_refusal

    clock = clock or utc_now
    preload(config, clock().year)

    app = Flask(__name__)
    app.extensions["ivr"] = Router(
        config=config,
        clock=clock,
        store=Store(),
        auth_token=token,
        secret=secret,
        public_url=os.environ.get("IVR_PUBLIC_URL"),
        sources=(config_dir, prompts_dir or config_module.default_prompts_dir(config_dir)),
        shared_keys=[
            k.strip() for k in os.environ.get("TWILIO_SHARED_KEYS", "").split(",") if k.strip()
        ],
        trunk_credentials=trunk_credentials(os.environ),
    )
    app.register_blueprint(bp)

    @app.errorhandler(404)
    @app.errorhandler(405)
    def not_a_webhook(error):
        # Twilio only ever requests /voice URLs; whatever went wrong, the caller is helped.
        if request.path.startswith("/voice"):
            router = app.extensions["ivr"]
            router.begin_request()
            try:
                return signature_refusal(router) or safe_response(router)
            finally:
                router.end_request()
        return error

    @app.get("/metrics")
    def metrics_page():
        from ivr import metrics

        body, content_type = metrics.exposition()
        return Response(body, mimetype=content_type.split(";")[0], content_type=content_type)

    @app.get("/healthz")
    def healthz():
        router = app.extensions["ivr"]
        router.maybe_reload()
        live = router._config
        try:
            router.store.ping()
            database = "reachable"
        except Exception as exc:  # noqa: BLE001 - any failure means unreachable
            database = f"unreachable: {type(exc).__name__}"
        return {
            "status": "ok",
            "database": database,
            "config_version": live.version,
            "config_loaded_at": router.loaded_at.isoformat(),
            "last_refused_change": router.last_refused,
            "lines": sorted(live.lines),
        }

    log.info("serving %d lines, configuration %s", len(config.lines), config.version)
    return app
