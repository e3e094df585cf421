"""Anonymous statistics: how calls ended, counted by hour, line, outcome and language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select

from ivr.store.tables import call_outcomes, message_figures
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

    def report(self, start: datetime, end: datetime, with_organisation=False) -> list[dict]:
        """Calls that ended in [start, end), counted by hour, line, outcome and language
        (and, `with_organisation`, the line's organisation at the time: for the console)."""
        self.store.ready()
        columns = (
            call_outcomes.c.hour,
            call_outcomes.c.line,
            call_outcomes.c.outcome,
            call_outcomes.c.language,
        )
        if with_organisation:
            columns += (call_outcomes.c.organisation,)
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

    def messages(self, start: datetime, end: datetime) -> list[dict]:
        """The figures of the messages received in [start, end), kept or purged since: line,
        organisation, received_hour, outcome, done_hour, wait_seconds, purged_unanswered."""
        self.store.ready()
        query = (
            select(message_figures)
            .where(message_figures.c.received_hour >= utc(start))
            .where(message_figures.c.received_hour < utc(end))
            .order_by(message_figures.c.received_hour)
        )
        with self.store.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        for row in rows:
            for key in ("received_hour", "done_hour", "purged_hour"):
                row[key] = aware(row[key])
        return rows
