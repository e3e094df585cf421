"""`ivr check` and `ivr voicemails`: the operators' command line."""

from __future__ import annotations

import argparse
import os
import sys

from ivr import config as config_module
from ivr.store import Store


def check(args) -> int:
    config_dir = args.config_dir or os.environ.get("IVR_CONFIG_DIR") or "config"
    config, problems = config_module.load(config_dir, args.prompts)
    for problem in sorted(problems, key=lambda p: (p.file, p.line)):
        print(problem)
    errors = [p for p in problems if not p.warning]
    if errors:
        print(f"{len(errors)} error(s): callers would meet them; fix them before starting.")
        return 1
    print(f"configuration is sound: {len(config.lines)} lines, {len(config.services)} services")
    return 0


def voicemails(args) -> int:
    rows = Store().list_voicemails(args.line)
    if not rows:
        print("no voicemail")
        return 0
    for row in rows:
        print(
            f"{row['received_at']:%Y-%m-%d %H:%M}  {row['line']:<28} {row['language']:<3} "
            f"{row['duration_seconds']:>4}s  {row['recording_sid']}  {row['recording_url']}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ivr", description="Belgian helpline call router")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("check", help="check the configuration before callers meet it")
    p.add_argument("config_dir", nargs="?", help="configuration folder (default: ./config)")
    p.add_argument("--prompts", help="prompts folder (default: prompts/ beside the config)")
    p.set_defaults(run=check)
    p = commands.add_parser("voicemails", help="list the messages callers left")
    p.add_argument("--line", help="only this line")
    p.set_defaults(run=voicemails)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
