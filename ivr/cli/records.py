"""What the database keeps: `ivr stats` for the annual report, `ivr db` for its schema.

Their times are Brussels time: they read the database alone, not the lines' schedules, so a
message or a figure of a line since removed is shown all the same.
"""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime, time, timedelta

from ivr.cli.common import CommandError, write_file
from ivr.cli.database import open_store
from ivr.cli.moments import BRUSSELS_TIME, check_year, not_real
from ivr.settings import Settings


def stats(args, settings: Settings) -> int:
    """Anonymous figures for the annual report: calls per line, hour, outcome and language."""
    example = "--from 2026-01-01 --to 2026-12-31"
    days = []
    for option, text in (("--from", args.date_from), ("--to", args.date_to)):
        try:
            day = date.fromisoformat(text)
        except (TypeError, ValueError) as exc:
            raise not_real(text, exc, "a date", example) from exc
        check_year(day.year, f"{option} {text}")
        days.append(day)
    first, last = days
    if last < first:
        raise CommandError(f"--to {last} is before --from {first}; write {example}")
    start = datetime.combine(first, time.min, BRUSSELS_TIME)
    end = datetime.combine(last + timedelta(days=1), time.min, BRUSSELS_TIME)
    # Read before writing: a database that is away leaves no empty file behind.
    rows = open_store(settings).outcomes.report(start, end)

    def write(out) -> None:
        writer = csv.writer(out)
        writer.writerow(["date", "hour", "line", "outcome", "language", "calls"])
        for row in rows:
            local = row["hour"].astimezone(BRUSSELS_TIME)
            writer.writerow(
                [
                    f"{local:%Y-%m-%d}",
                    f"{local:%H}:00",
                    row["line"],
                    row["outcome"],
                    row["language"],
                    row["calls"],
                ]
            )

    if args.output:
        write_file(args.output, write)
    else:
        write(sys.stdout)
    return 0


def db(args, settings: Settings) -> int:
    store = open_store(settings)
    if args.action == "upgrade":
        print(f"database schema at {store.migrate()}")
    else:
        current = store.revision()
        print(f"database schema at {current or 'nothing'}; newest is {store.head()}")
    return 0
