"""Running the lines day to day: `ivr status` (overrides are set in `ivr.cli.overrides`)."""

from __future__ import annotations

from ivr.cli.common import load_config
from ivr.cli.database import open_store
from ivr.cli.moments import BRUSSELS_TIME, next_change, now_from, when
from ivr.cli.overrides import override_text
from ivr.flow.status import line_status
from ivr.settings import Settings


def status(args, settings: Settings) -> int:
    config = load_config(settings)
    now = now_from(args)
    overrides = open_store(settings).overrides.in_force_or_planned(now)
    print(f"At {now.astimezone(BRUSSELS_TIME):%A %d %B %Y %H:%M} ({BRUSSELS_TIME.key}):")
    for line in sorted(config.lines.values(), key=lambda li: li.id):
        s = line_status(config, line, now, overrides)
        state = "OPEN" if s.open else "CLOSED"
        print(f"\n{line.id}: {state} ({s.reason})")
        print(f"  a call goes → {s.destination}")
        coming = s.planned[0] if s.planned else None
        if s.overridden:
            ends = when(s.changes_at, now, line.schedule)
            then = (
                f"override #{coming.id} applies"
                if coming is not None and coming.starts_at == s.changes_at
                else "the schedule applies again"
            )
            print(f"  override ends: {ends}; then {then}")
        elif coming is not None and (s.changes_at is None or coming.starts_at <= s.changes_at):
            print(f"  override #{coming.id} starts {when(coming.starts_at, now, line.schedule)}")
        else:
            print(f"  {next_change(s.open, s.changes_at, now, line.schedule)}")
        for o in s.planned:
            print(f"  planned: #{o.id} {override_text(config, line, o, now)}")
    return 0
