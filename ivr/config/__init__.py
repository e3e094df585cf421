"""Loads and checks the operators' YAML files, and compiles them into `ivr.domain.model` objects.

Every mistake is reported as a `Problem` with the file and line it comes from, phrased for an
operator: what is wrong and how to fix it. `ivr check` prints them; the app refuses to start on
an error. Warnings (a placeholder number, a short number the carrier must support) do not stop
anything.

One module a concern: `reading` (YAML with line numbers, the limits against hostile files),
`fields` (settings by type), `schedules`, `numbers` (trunks and every number dialled),
`services`, `lines` with `contacts`, `steps` and `actions` (one reader an action type),
`prompts` (prompts, placeholders, voices), `checks` (what only the whole configuration shows),
`prompt_checks` (the prompts each line says), `emergency` (whether every caller hears 112 and
101), `schedule_checks` (dated rules that do nothing) and `loading` (the whole folder);
`yamlerrors` says what YAML cannot read in an operator's words.
"""

from ivr.config.loading import default_prompts_dir, load, load_or_raise
from ivr.config.prompts import AUDIO_DIR, format_problem, placeholders
from ivr.config.reading import (
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_FILE_BYTES,
    MAX_NODES,
    ConfigError,
    Problem,
)

__all__ = [
    "AUDIO_DIR",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "ConfigError",
    "Problem",
    "default_prompts_dir",
    "format_problem",
    "load",
    "load_or_raise",
    "placeholders",
]
