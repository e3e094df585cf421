"""Anonymous statistics: how calls ended, counted by hour, line, outcome and language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select

from ivr.store.tables import call_outcomes
from ivr.store.times import aware, utc


class Outcomes:
    def __init__(self, store):
        self.store = store

    def add(self, outcomes: list[dict]) -> None:
        """Calls' outcomes (each: line, outcome, language, at, and the line's organisation
        at the time), kept by the hour only."""
        self.store.ready()
        rows = [
            dict(
                hour=utc(o["at"]).replace(minute=0, second=0, microsecond=0),
                line=o["line"],
                outcome=o["outcome"],
                language=o["language"],
                organisation=o.get("organisation") or o["line"],
            )
            for o in outcomes
        ]
        with self.store.engine.begin() as conn:
            conn.execute(insert(call_outcomes), rows)

    def report(self, start: datetime, end: datetime) -> list[dict]:
        """Calls that ended in [start, end), counted by hour, line, outcome and language."""
        self.store.ready()
        columns = (
            call_outcomes.c.hour,
            call_outcomes.c.line,
            call_outcomes.c.outcome,
            call_outcomes.c.language,
        )
        query = (
            select(*columns, func.count().label("calls"))
            .where(call_outcomes.c.hour >= utc(start))
            .where(call_outcomes.c.hour < utc(end))
            .group_by(*columns)
            .order_by(call_outcomes.c.hour, call_outcomes.c.line, call_outcomes.c.outcome)
        )
        with self.store.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        for row in rows:
            row["hour"] = aware(row["hour"])
        return rows
