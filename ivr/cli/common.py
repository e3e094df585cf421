"""What every command shares: its errors, the configuration, the files it writes. Light: `ivr
check` loads nothing more (the database's helpers are in `ivr.cli.database`)."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from ivr import config as config_module
from ivr.domain import model
from ivr.logs import scrub
from ivr.settings import Settings


class CommandError(Exception):
    """A mistake in the command; the text says how to fix it."""

    status = 2


class Failure(CommandError):
    """The command is right but something around it failed (database, file, configuration)."""

    status = 1


def one_line(text: object, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_config(directory: Path, prompts: Path | None, hint: str = "; run 'ivr check'"):
    """config_module.load, with any exception it lets out turned into one line."""
    try:
        return config_module.load(directory, prompts)
    except Exception as exc:
        detail = f"{type(exc).__name__}: {scrub(one_line(exc))}"
        if isinstance(exc, RecursionError):
            detail += " (a YAML alias that contains itself?)"
        raise Failure(f"cannot read the configuration in {directory}: {detail}{hint}") from exc


def load_config(settings: Settings) -> model.Config:
    config, problems = read_config(settings.config_dir, settings.prompts_dir)
    if config is None:
        errors = [p for p in problems if not p.warning]
        first = f", the first: {errors[0]}" if errors else ""
        raise CommandError(f"the configuration has {len(errors)} error(s){first}; run 'ivr check'")
    return config


def find_line(config: model.Config, name: str) -> model.Line:
    line = config.lines.get(name) or config.line_by_number.get(name)
    if line is None:
        raise CommandError(f"no line '{name}'; the lines are: {', '.join(sorted(config.lines))}")
    return line


def operator_name(settings: Settings) -> str:
    return settings.operator or getpass.getuser()


def cannot_write(path: str, exc: OSError) -> Failure:
    folder = os.path.dirname(os.path.abspath(path))
    if isinstance(exc, IsADirectoryError):
        why = "it is a folder; give a file name in it"
    elif not os.path.isdir(folder):
        why = f"the folder {folder} does not exist; create it or choose another file"
    elif isinstance(exc, PermissionError):
        why = "permission denied; choose a folder you can write to"
    else:
        why = exc.strerror or str(exc)
    return Failure(f"cannot write {path}: {why}")


def write_file(path: str, write, binary: bool = False) -> None:
    """Calls write(file) on `path` opened for writing; a failure becomes one line."""
    try:
        if binary:
            with open(path, "wb") as out:
                write(out)
        else:
            with open(path, "w", newline="", encoding="utf-8") as out:
                write(out)
    except OSError as exc:
        raise cannot_write(path, exc) from exc
