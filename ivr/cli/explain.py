"""The one line, and exit status, for whatever stopped a command (`ivr.cli.main` prints it):
an operator's mistake as the command said it, a database that cannot be reached or refused,
anything else with its type, never a password or a number."""

from __future__ import annotations

import sys

from ivr.cli.common import CommandError, one_line
from ivr.logs import scrub


def explain(exc: Exception, database_url: str) -> tuple[str, int]:
    """One line and an exit status for whatever stopped a command."""
    if isinstance(exc, CommandError):
        return str(exc), exc.status
    # A database error means the database's modules are loaded: told apart without loading
    # them for every command (`ivr check` needs none).
    errors = sys.modules.get("sqlalchemy.exc")
    if errors and isinstance(exc, errors.DBAPIError):
        from ivr.cli.database import database_shown, error_text  # loaded with the database

        shown, said = database_shown(database_url), error_text(exc, database_url)
        if isinstance(exc, errors.OperationalError | errors.InterfaceError):
            why = f"cannot reach the database {shown}: {said}"
            return f"{why}; is it running, and is DATABASE_URL right?", 1
        return f"the database {shown} refused: {said}", 1
    if isinstance(exc, RuntimeError) and "ivr db upgrade" in str(exc):
        return one_line(exc), 1  # Store: the schema is behind the code
    return (
        f"unexpected error: {type(exc).__name__}: {scrub(one_line(exc))} (IVR_DEBUG=1 shows where)",
        1,
    )
