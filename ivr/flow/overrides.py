"""What operators decided over the schedules, as a call flow sees it at one instant: the
override of each line in force now, and those planned later (`ivr.domain.model.Override`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from ivr.domain import model, phone

EARLIEST = datetime.min.replace(tzinfo=UTC)
# Overrides of a line one after the other, at most, looked through for its next opening.
MAX_IN_A_ROW = 20


class Overrides:
    def __init__(
        self,
        overrides: Iterable[model.Override] | Mapping[str, model.Override] | None,
        now: datetime,
    ):
        """Any number of overrides a line, in force, planned or over (a mapping is read as
        its values); those over at `now` are left out."""
        if isinstance(overrides, Mapping):
            overrides = overrides.values()
        self.now = now
        self._by_line: dict[str, list[model.Override]] = {}
        for o in sorted(overrides or (), key=lambda o: o.starts_at or EARLIEST):
            if o.until > now:
                self._by_line.setdefault(o.line, []).append(o)
        self._now = {o.line: o for os in self._by_line.values() for o in os if o.in_force(now)}

    def in_force(self, line_id: str) -> model.Override | None:
        """The override of the line in force now (`Override.in_force`), if any."""
        return self._now.get(line_id)

    def at(self, line_id: str, at: datetime) -> model.Override | None:
        """The override of the line in force at `at` (now or later), if any."""
        return next((o for o in self._by_line.get(line_id, ()) if o.in_force(at)), None)

    def planned(self, line_id: str) -> tuple[model.Override, ...]:
        """The line's overrides that start later than now, by start."""
        return tuple(
            o for o in self._by_line.get(line_id, ()) if o.starts_at and o.starts_at > self.now
        )

    def next_opening(self, line: model.Line) -> datetime | None:
        """When `line` is next open (now, if it is): its schedule, and the overrides in force
        and planned over it."""
        at = self.now
        for _ in range(MAX_IN_A_ROW):
            override = self.at(line.id, at)
            if override is not None:
                if override.open:
                    return at
                at = override.until
                continue
            opening = line.schedule.next_opening(at)
            planned = next(
                (
                    o
                    for o in self._by_line.get(line.id, ())
                    if o.starts_at is not None
                    and at < o.starts_at
                    and (opening is None or o.starts_at <= opening)
                ),
                None,
            )
            if planned is None:
                return opening
            if planned.open:
                return planned.starts_at
            at = planned.starts_at
        return line.schedule.next_opening(at)


class TargetError(ValueError):
    """What an override was asked to send calls to cannot be: the text says why."""


def open_periods(schedule, start: datetime, end: datetime, overrides, since: datetime):
    """When a line is open in [start, end), as its callers meet it: its schedule's open
    periods, and over them its `overrides`, each deciding alone while it is in force (one with
    no start counts from `since`). What a week shows, in the console as in `ivr schedule`."""
    periods = schedule.open_periods(start, end)
    for o in overrides:
        first, last = max(o.starts_at or since, start), min(o.until, end)
        if first >= last:
            continue
        periods = [piece for a, b in periods for piece in _outside(a, b, first, last)]
        if o.open:
            periods.append((first, last))
    joined: list[tuple[datetime, datetime]] = []
    for a, b in sorted(periods):
        if joined and joined[-1][1] >= a:
            joined[-1] = (joined[-1][0], max(joined[-1][1], b))
        else:
            joined.append((a, b))
    return joined


def _outside(a: datetime, b: datetime, first: datetime, last: datetime):
    """What of [a, b) is not in [first, last)."""
    if a < first:
        yield a, min(b, first)
    if b > last:
        yield max(a, last), b


def target(config: model.Config, line: model.Line, text: str, open_line: bool) -> str:
    """What an override sends calls to, as it is kept: a partner service's id, or a number in
    the form Twilio dials. The rules `ivr override --to` and the console share."""
    to = text.strip()
    if to not in config.services:
        number = phone.normalise(to)  # as Belgians write numbers: 0470 11 22 33, 02/...
        if number is None:
            raise TargetError(
                f"{text} is neither a service of services.yaml nor a phone number; give a "
                "number as on a business card (0470 11 22 33: a Belgian number has 9 digits "
                "with its 0, a mobile 10), or a service by its id (such as tele-onthaal)"
            )
        to = number
    service = config.services.get(to) or config.service_by_number(to)
    if to in config.line_by_number or (service is not None and service.line):
        raise TargetError(
            f"{text} is one of our own lines; send calls to a team's number or to a partner "
            "service (such as tele-accueil)"
        )
    if config.override_route(to) is None:
        raise TargetError(
            f"{text} is not a number the router can dial; give a number as +32470112233, or a "
            "service of services.yaml by its id (such as tele-onthaal) or its number (such as 106)"
        )
    if open_line and not line.contacts:
        raise TargetError(f"{text}: {line.id} has no contacts to forward, so this does not apply")
    return to
