"""'Try a call': `ivr call` run for the coordinator, its transcript shown in the page.

It runs as a process of its own, as a coordinator would run it by hand: a trial app with its
own token and scratch folder, the real configuration and overrides, nothing stored, and
nothing of the trial in this worker (its metrics, its threads), however it ends. Its
transcript is in the page's language: `ivr call --words` writes its own sentences in it,
from the console's catalogues.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from ivr.console.catalogue import N_
from ivr.settings import Settings

BRUSSELS = ZoneInfo("Europe/Brussels")  # what `ivr call --at` reads
KEYS = re.compile(r"^[0-9*#]{1,10}$")
# How transfers end (`ivr call --dial-result`), as the form offers them.
DIAL_RESULTS = {
    "completed": N_("answered: the counsellor takes the call"),
    "not-taken": N_("answered, but nobody presses the key that takes the call"),
    "busy": N_("busy"),
    "no-answer": N_("no answer"),
    "failed": N_("failed: the number cannot be reached"),
}
TIMEOUT_SECONDS = 8  # gunicorn gives a request 10


class TrialFailed(RuntimeError):
    """The trial could not be played; `text` (to translate) and its `values`."""

    def __init__(self, text: str, **values):
        super().__init__(text % values if values else text)
        self.text = text
        self.values = values


def keys_of(text: str) -> list[str] | None:
    """'1 2 #' -> ['1', '2', '#']; None if something else than keys was typed."""
    keys = text.replace(",", " ").split()
    return keys if all(KEYS.match(key) for key in keys) else None


def run(
    settings: Settings,
    line_id: str,
    at: datetime,
    lang: str | None,
    keys: list[str],
    result: str | None,
    words: str = "en",
) -> list[str]:
    """The transcript's lines, its own words in the language `words`."""
    command = [sys.executable, "-m", "ivr", "call", line_id, "--words", words]
    command += ["--at", at.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M")]
    if lang:
        command += ["--lang", lang]
    for key in keys:
        command += ["--press", key]
    if result:
        command += ["--dial-result", result]
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PROMETHEUS_MULTIPROC_DIR", "IVR_LOG_FORMAT")
    }
    env.update(
        DATABASE_URL=settings.database_url,
        IVR_CONFIG_DIR=str(settings.config_dir),
        IVR_SPOOL_DIR=str(settings.spool_dir),
    )
    if settings.prompts_dir:
        env["IVR_PROMPTS_DIR"] = str(settings.prompts_dir)
    try:
        done = subprocess.run(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired as exc:
        raise TrialFailed(
            "The trial call took more than %(seconds)s s: it was stopped.", seconds=TIMEOUT_SECONDS
        ) from exc
    lines = done.stdout.splitlines()
    if done.returncode == 2 or not lines:
        # `ivr call`'s own complaint, as an operator at a terminal reads it.
        why = " ".join(done.stderr.split())[:300] or f"exit {done.returncode}"
        raise TrialFailed("The trial call could not be played: %(why)s", why=why)
    return lines + [line for line in done.stderr.splitlines() if line.strip()]
