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
    # Twilio's REST API, with an API key: to forget calls at Twilio and keep messages here.
    twilio_account_sid: str = ""
    twilio_api_key: str = ""
    twilio_api_secret: str = ""
    twilio_api_base: str = ""  # another base URL than Twilio's (a local stand-in, in tests)
    message_keys: tuple[str, ...] = ()  # Fernet keys for messages' audio, newest first
    # Each organisation's own keys (IVR_MESSAGE_KEYS_<ORGANISATION>, `keys_variable`), newest
    # first: its messages are sealed with them, not with the shared IVR_MESSAGE_KEYS.
    organisation_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    forget_after_seconds: float = 3600.0  # how long after a call ends its record is deleted
    twilio_seconds: float = 30.0  # how often each worker's Twilio thread looks for work
    # How often each worker's queue thread offers waiting calls to counsellors on duty
    # (IVR_QUEUE_SECONDS; unset: 2, or 0, only when asked, where IVR_TWILIO_SECONDS is 0).
    queue_seconds: float = 2.0
    metrics_folder: str = ""  # PROMETHEUS_MULTIPROC_DIR: every worker's figures, added up
    answer_cache: bool = True  # IVR_ANSWER_CACHE=0 works every answer out anew (benchmarks)
    operator: str = ""  # who `ivr override` writes in the audit log
    console: bool = True  # IVR_CONSOLE=0: no operators' console under /console
    console_secret: str = ""  # IVR_CONSOLE_SECRET: signs the console's session cookies
    # Mail when a message waits (ivr.runtime.mail): smtp://user:password@host:587 (STARTTLS
    # when the server offers it) or smtps://...:465; empty, no mail is sent.
    smtp_url: str = ""
    mail_from: str = ""  # IVR_MAIL_FROM: the sender of the mails
    mail_seconds: float = 30.0  # how often each worker's mail thread looks for work
    reminder_hour: int = 8  # IVR_MAIL_REMINDER_HOUR: the daily reminder's hour, Brussels time
    remind_after_hours: int = 24  # IVR_MAIL_REMIND_AFTER_HOURS: a message new this long

    @property
    def https(self) -> bool:
        """Whether the public URL is https: then cookies are sent over https only."""
        return bool(self.public_url and self.public_url.startswith("https://"))

    @property
    def twilio_api(self) -> bool:
        """Whether the REST API can be used: without it, calls and recordings stay at Twilio."""
        return bool(self.twilio_account_sid and self.twilio_api_key and self.twilio_api_secret)

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
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            twilio_api_key=env.get("TWILIO_API_KEY", ""),
            twilio_api_secret=env.get("TWILIO_API_SECRET", ""),
            twilio_api_base=(env.get("TWILIO_API_BASE") or "").rstrip("/"),
            message_keys=_list(env.get("IVR_MESSAGE_KEYS", "")),
            organisation_keys=organisation_keys(env),
            forget_after_seconds=_seconds(env, "IVR_FORGET_CALLS_AFTER", 3600.0, 30 * 86400),
            twilio_seconds=_seconds(env, "IVR_TWILIO_SECONDS", 30.0),
            queue_seconds=_seconds(
                env, "IVR_QUEUE_SECONDS", 0.0 if env.get("IVR_TWILIO_SECONDS") == "0" else 2.0, 60
            ),
            operator=env.get("IVR_OPERATOR") or env.get("USER") or "",
            console=env.get("IVR_CONSOLE", "1") != "0",
            console_secret=env.get("IVR_CONSOLE_SECRET", ""),
            smtp_url=smtp_url(env.get("IVR_SMTP_URL", "")),
            mail_from=env.get("IVR_MAIL_FROM", ""),
            mail_seconds=_seconds(env, "IVR_MAIL_SECONDS", 30.0),
            reminder_hour=_whole(env, "IVR_MAIL_REMINDER_HOUR", 8, 0, 23),
            remind_after_hours=_whole(env, "IVR_MAIL_REMIND_AFTER_HOURS", 24, 1, 24 * 30),
        )
        values.update(overrides)
        return cls(**values)


KEYS_PREFIX = "IVR_MESSAGE_KEYS_"


def keys_variable(organisation: str) -> str:
    """The variable holding an organisation's keys: IVR_MESSAGE_KEYS_STOP_IT_NOW for
    stop-it-now (an organisation's name has lowercase letters, digits and - only)."""
    return KEYS_PREFIX + organisation.upper().replace("-", "_")


def organisation_keys(env: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    return {
        name[len(KEYS_PREFIX) :].lower().replace("_", "-"): _list(value)
        for name, value in env.items()
        if name.startswith(KEYS_PREFIX) and _list(value)
    }


def _list(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _seconds(env: Mapping[str, str], name: str, default: float, most: float = 3600) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= most:
        raise SettingsError(f"{name}={text} is not a number of seconds from 0 to {most:.0f}")
    return value


def _whole(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = env.get(name)
    if not text:
        return default
    if not text.strip().isdigit() or not low <= int(text) <= high:
        raise SettingsError(f"{name}={text} is not a whole number from {low} to {high}")
    return int(text)


def smtp_url(text: str) -> str:
    """IVR_SMTP_URL, checked: smtp://[user:password@]host[:port] or smtps://..."""
    text = text.strip()
    if text and not re.match(r"^smtps?://[^/\s]*[^@/:\s][^/\s]*/?$", text):
        raise SettingsError(
            "IVR_SMTP_URL must be smtp://user:password@host:587 (STARTTLS) or "
            "smtps://user:password@host:465, not what is set"
        )
    return text


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
