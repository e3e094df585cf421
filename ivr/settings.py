"""The service's settings, read once from the environment at start and passed in from there.

Nothing else in `ivr` reads `os.environ` (the command line writes none of it either): a test,
or the `ivr call` command, builds `Settings` directly.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///var/ivr.sqlite3"
# Used only with IVR_INSECURE=1 and no IVR_SECRET: call-state URLs are then forgeable.
INSECURE_SECRET = "insecure-local-trial-secret"
TRUNK_SETTING = re.compile(r"^IVR_TRUNK_([A-Z0-9_]+)_(USERNAME|PASSWORD)$")


class SettingsError(ValueError):
    """A setting that cannot be used; the text names it and says how to fix it."""


@dataclass(frozen=True)
class Settings:
    auth_token: str = ""
    insecure: bool = False  # IVR_INSECURE=1: no signature checks, for local trials only
    # Keys that sign the call state in our URLs, newest first: the newest signs, every one is
    # accepted, so a key change drops no call in progress (IVR_SECRET=new,old).
    state_keys: tuple[str, ...] = ()
    public_url: str | None = None
    shared_keys: tuple[str, ...] = ()  # secrets of Twilio webhook SharedKeys
    trunk_credentials: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    database_url: str = DEFAULT_DATABASE_URL
    config_dir: Path = Path("config")
    prompts_dir: Path | None = None  # None: prompts/ beside the configuration folder
    spool_dir: Path = Path("var/spool")  # voicemail details written ahead of the database
    reload_seconds: float = 5.0
    refresh_seconds: float = 5.0
    log_json: bool = False
    log_level: str = "INFO"
    ops_token: str = ""  # the credential of /metrics and of /healthz's details
    metrics_folder: str = ""  # PROMETHEUS_MULTIPROC_DIR: every worker's figures, added up
    answer_cache: bool = True  # IVR_ANSWER_CACHE=0 works every answer out anew (benchmarks)
    operator: str = ""  # who `ivr override` writes in the audit log

    @property
    def signing_keys(self) -> tuple[str, ...]:
        """The call-state keys, newest first; the auth token when none is set."""
        if self.state_keys:
            return self.state_keys
        return (self.auth_token or INSECURE_SECRET,)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        env = os.environ if environ is None else environ
        prompts = env.get("IVR_PROMPTS_DIR")
        values = dict(
            auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            insecure=env.get("IVR_INSECURE") == "1",
            state_keys=_list(env.get("IVR_SECRET", "")),
            public_url=(env.get("IVR_PUBLIC_URL") or "").rstrip("/") or None,
            shared_keys=_list(env.get("TWILIO_SHARED_KEYS", "")),
            trunk_credentials=trunk_credentials(env),
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            config_dir=Path(env.get("IVR_CONFIG_DIR") or "config"),
            prompts_dir=Path(prompts) if prompts else None,
            spool_dir=Path(env.get("IVR_SPOOL_DIR") or "var/spool"),
            reload_seconds=_seconds(env, "IVR_RELOAD_SECONDS", 5.0),
            refresh_seconds=_seconds(env, "IVR_REFRESH_SECONDS", 5.0),
            log_json=env.get("IVR_LOG_FORMAT") == "json",
            log_level=env.get("IVR_LOG_LEVEL", "INFO"),
            ops_token=env.get("IVR_OPS_TOKEN", ""),
            answer_cache=env.get("IVR_ANSWER_CACHE", "1") != "0",
            metrics_folder=env.get("PROMETHEUS_MULTIPROC_DIR", ""),
            operator=env.get("IVR_OPERATOR") or env.get("USER") or "",
        )
        values.update(overrides)
        return cls(**values)


def _list(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise SettingsError(f"{name}={text} is not a number of seconds from 0 to 3600")
    return value


def trunk_credentials(environ: Mapping[str, str]) -> dict[str, tuple[str, str]]:
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
