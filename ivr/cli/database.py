"""The commands' database: opened from DATABASE_URL, and whatever goes wrong with it said in one
line, never with its password (`ivr.cli.explain` says a failure with them)."""

from __future__ import annotations

import contextlib

from sqlalchemy import exc as database_errors
from sqlalchemy.engine import make_url

from ivr.cli.common import Failure, one_line
from ivr.settings import Settings
from ivr.store import Store


def database_shown(url: str) -> str:
    """DATABASE_URL as it may be shown: host, port and database, never the password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "DATABASE_URL (not a database URL)"


def error_text(exc: Exception, database_url: str) -> str:
    """What the driver said, its first line (the rest is advice we give better), without the
    password (drivers do not repeat it, but in case one did)."""
    said = str(getattr(exc, "orig", None) or exc).strip()
    text = one_line(said.splitlines()[0] if said else type(exc).__name__)
    with contextlib.suppress(Exception):
        password = str(make_url(database_url).password or "")
        if len(password) >= 4:
            text = text.replace(password, "***")
    return text


def open_store(settings: Settings) -> Store:
    """The database of DATABASE_URL (the store gives up on one that does not answer within
    seconds); main() turns its failures into one line."""
    url = settings.database_url
    try:
        return Store(url)
    except (database_errors.ArgumentError, ImportError) as exc:
        raise Failure(
            f"DATABASE_URL is not a database the router can use ({error_text(exc, url)}); "
            "write it like postgresql+psycopg://user:password@host:5432/ivr"
        ) from exc
    except OSError as exc:
        raise Failure(f"cannot create the database {database_shown(url)}: {exc.strerror}") from exc
