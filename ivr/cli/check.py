"""`ivr check`: the configuration checked before callers meet it."""

from __future__ import annotations

from pathlib import Path

from ivr.cli.common import read_config
from ivr.settings import Settings


def check(args, settings: Settings) -> int:
    # The prompts checked are those beside the configuration, or --prompts: an operator checks
    # the copy they have just edited, wherever IVR_PROMPTS_DIR points the running service.
    prompts = Path(args.prompts) if args.prompts else None
    config, problems = read_config(settings.config_dir, prompts, hint="")
    # Errors first: what stops the service is what the operator reads first; and files in
    # the order they are read, which is the order they depend on each other (trunks,
    # services, prompts, then the lines): a root cause comes before what it leads to.
    order = {file: n for n, file in enumerate(dict.fromkeys(p.file for p in problems))}
    for problem in sorted(problems, key=lambda p: (p.warning, order[p.file], p.line)):
        print(problem)
    errors = [p for p in problems if not p.warning]
    if errors:
        print(f"{len(errors)} error(s): callers would meet them; fix them before starting.")
        return 1
    if not settings.twilio_api:
        for warning in queues_without_rest(config, settings.config_dir):
            print(warning)
    sound = f"configuration is sound: {len(config.lines)} lines, {len(config.services)} services"
    if not settings.twilio_api:
        sound += (
            "; calls and recordings stay at Twilio, with the callers' numbers, since "
            "TWILIO_API_KEY is not set (docs/privacy.md)"
        )
    elif not settings.message_keys:
        sound += "; messages' audio stays at Twilio: IVR_MESSAGE_KEYS is not set"
    print(sound)
    return 0


def queues_without_rest(config, folder: Path) -> list[str]:
    """Without Twilio's REST API nobody on duty can be rung: each queue step puts its callers
    through to the line's YAML numbers (or `on_nobody`), said at the step."""
    found = []
    for line in config.lines.values():
        if not any(type(a).__name__ == "Queue" for step in line.steps.values() for a in step):
            continue
        path = Path(line.source) if line.source else folder / f"{line.id}.yaml"
        at = 1
        try:
            for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if text.strip().startswith("- queue:"):
                    at = number
                    break
        except OSError:
            pass
        found.append((path, at))
    if not found:
        return []
    (path, at), more = found[0], found[1:]
    warning = (
        f"{path}:{at}: warning: without Twilio's REST API (TWILIO_API_KEY is not set) nobody "
        "on duty can be rung: this queue step puts callers through to the line's YAML "
        "numbers, as a transfer does (docs/configuration.md, 'queue')"
    )
    if more:
        files = ", ".join(sorted({p.name for p, _ in more}))
        warning += f" (and {len(more)} more like it, in {files})"
    return [warning]
