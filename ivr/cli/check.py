"""`ivr check`: the configuration checked before callers meet it."""

from __future__ import annotations

from ivr.cli.common import (
    config_dir,
    read_config,
)


def check(args) -> int:
    config, problems = read_config(config_dir(args), args.prompts, hint="")
    for problem in sorted(problems, key=lambda p: (p.file, p.line)):
        print(problem)
    errors = [p for p in problems if not p.warning]
    if errors:
        print(f"{len(errors)} error(s): callers would meet them; fix them before starting.")
        return 1
    print(f"configuration is sound: {len(config.lines)} lines, {len(config.services)} services")
    return 0
