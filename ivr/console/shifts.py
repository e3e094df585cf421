"""Counsellors on duty, as the browser console and the phone console use them: the phone a
shift answers on (a Belgian number, checked here), starting, ending, renewing a shift and
saying "ready again", each written in the audit log; and the live wallboard's figures (who is
on duty, callers waiting, today's calls) with the gauge an alert watches,
`ivr_nobody_on_duty{line=...}` (the queue thread sets it too).

The shifts themselves are the store's (`store.duty`, ivr/store/duty.py): plain dicts with the
counsellor's name, lines, phone, languages, start, end and state (free, offered, busy, not
ready, skipped). The counsellor's phone is shown to coordinators and to the counsellor alone:
`Staff.phone` is empty for anyone else, and nothing here writes it in a log or the journal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ivr import metrics
from ivr.console import access
from ivr.console.catalogue import N_
from ivr.domain import figures, phone
from ivr.flow.status import line_status
from ivr.store.duty import RETENTION, SHIFT_HOURS, DutyError

BRUSSELS = ZoneInfo("Europe/Brussels")
MOMENT = "%Y-%m-%d %H:%M"  # how the journal's details write a time
# What a shift may answer on: a phone that rings a person (not 0800, 0900, a short number).
ANSWERING_KINDS = {"a mobile number", "a geographic number", "a geographic or mobile number"}
# How a call ended, as the wallboard counts it: the reports' categories (ivr.domain.figures).
TODAY = {
    figures.ANSWERED: "answered",
    figures.VOICEMAIL: "voicemail",
    figures.REFERRED: "referred",
    figures.HUNG_UP: "hung_up",
}
# A counsellor's state on duty, as the store names it (and the pages say it, translated).
STATES = (N_("free"), N_("offered"), N_("busy"), N_("not ready"), N_("skipped"))


class Refused(ValueError):
    """A shift that cannot be started as asked: `text` (to translate) and its `values`."""

    def __init__(self, text: str, **values):
        super().__init__(text % values if values else text)
        self.text = text
        self.values = values


def answering_phone(written: str) -> str:
    """The phone a shift answers on, E.164, from what the counsellor typed (or the caller ID
    of their call to the phone console); Refused says why it cannot be."""
    text = (written or "").strip()
    number = phone.normalise(text) if text else None
    if not text:
        raise Refused("Give the phone you answer on, such as 0470 12 34 56.")
    if number is None or not phone.is_e164(number):
        raise Refused(
            "%(phone)s is not a phone number: write it as on a business card, "
            "such as 0470 12 34 56.",
            phone=text[:32],
        )
    if not phone.is_belgian(number):
        raise Refused(
            "%(phone)s is not a Belgian number: calls are put through to Belgian phones only.",
            phone=phone.written(number),
        )
    if not (phone.is_placeholder(number) or phone.kind(number) in ANSWERING_KINDS):
        raise Refused(
            "%(phone)s is not a phone a person answers: give your mobile or landline.",
            phone=phone.written(number),
        )
    return number


def shift_of(store, name: str, now: datetime) -> dict | None:
    """The counsellor's shift on now, or None."""
    return store.duty.shift(name, now=now)


def remembered(store, name: str, now: datetime) -> dict | None:
    """The counsellor's last shift (its lines, phone and languages), for the one button on a
    phone's screen: the newest the store keeps (`RETENTION`), None when none."""
    since = now - RETENTION
    return next((s for s in store.duty.history(since=since) if s["name"] == name), None)


def start(store, config, account, *, lines, phone_number, languages, now):
    """Starts (or, while on duty, renews) the account's shift on `lines`; Refused says why
    not. The store writes it in the audit log (without the number)."""
    allowed = access.visible_lines(account, config)
    wanted = [line for line in dict.fromkeys(lines) if line in config.lines]
    if not wanted:
        raise Refused("Choose at least one line.")
    if any(line not in allowed for line in wanted):
        raise Refused("You cannot take calls for that line.")
    spoken = {code for line in wanted for code in config.lines[line].languages}
    chosen = [code for code in dict.fromkeys(languages or []) if code in spoken]
    number = answering_phone(phone_number)
    try:
        return store.duty.start(
            account.name, wanted, number, chosen or None, now=now, hours=SHIFT_HOURS
        )
    except DutyError as exc:
        raise Refused("This shift cannot be started: %(why)s", why=str(exc)) from None


def stop(store, account, *, now) -> bool:
    """Ends the account's shift (the store writes it in the audit log)."""
    return store.duty.stop(account.name, now=now)


def renew(store, account, *, now):
    shift = store.duty.renew(account.name, now=now, hours=SHIFT_HOURS)
    if shift:
        # Written as the store writes a shift's end (UTC): the journal says it in Brussels time.
        ends = shift["ends_at"].astimezone(UTC)
        _audit(store, now, account.name, "duty renew", f"until {ends:{MOMENT}} UTC")
    return shift


def ready(store, account, *, now) -> bool:
    done = store.duty.ready(account.name, now=now)
    if done:
        _audit(store, now, account.name, "duty ready", "")
    return bool(done)


def _audit(store, now, who, action, detail) -> None:
    with store.engine.begin() as conn:
        store.audit.add(conn, at=now, operator=who, action=action, subject=who, detail=detail)


# -- the wallboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    name: str
    state: str  # free, offered, busy, not ready, skipped
    ends_at: datetime
    ready_at: datetime | None
    languages: tuple[str, ...]
    phone: str  # as Belgians write it; "" unless the page's reader may see it


@dataclass(frozen=True)
class Today:
    answered: int = 0
    voicemail: int = 0
    referred: int = 0
    hung_up: int = 0


@dataclass(frozen=True)
class LineBoard:
    id: str
    name: str
    open: bool
    staff: list[Staff]
    waiting: int | None  # None: not known (no queue figures on this server)
    longest_wait: int | None  # seconds
    today: Today = field(default_factory=Today)
    team: bool = True  # whether counsellors on duty answer it (a queue step)

    @property
    def unstaffed(self) -> bool:
        """Open, answered by counsellors on duty, and nobody on duty for it."""
        return self.open and self.team and not self.staff

    def count(self, *states: str) -> int:
        return sum(1 for s in self.staff if s.state in states)


def wallboard(service, account, now: datetime) -> list[LineBoard]:
    """For each line the account may see: who is on duty and how, callers waiting, today's
    calls."""
    config, store = service.config, service.store
    seen = access.visible_lines(account, config)
    shifts = store.duty.on_duty(now=now)
    today = todays_calls(store, now)
    waiting = callers_waiting(service, now)
    in_force = store.overrides.in_force_or_planned(now)  # as the status board reads them
    rows = []
    for line in sorted(config.lines.values(), key=lambda li: li.name.lower()):
        if line.id not in seen:
            continue
        status = line_status(config, line, now, in_force)
        # A counsellor's phone: to the coordinators of this very line, and to themselves.
        shows_numbers = access.may_change(account, config, line.id)
        staff = [
            Staff(
                name=s["name"],
                state=s["state"] if s["state"] in STATES else "free",
                ends_at=s["ends_at"],
                ready_at=s.get("ready_at"),
                languages=tuple(s.get("languages") or line.languages),
                phone=phone.written(s["phone"])
                if shows_numbers or s["name"] == account.name
                else "",
            )
            for s in shifts
            if line.id in s["lines"]
        ]
        count, longest = waiting.get(line.id, (0, None))
        row = LineBoard(
            line.id,
            line.name,
            status.open,
            staff,
            count,
            longest,
            today.get(line.id, Today()),
            team=has_team(line),
        )
        # The gauge an alert watches, by the rule publish_unstaffed applies (as of now).
        metrics.NOBODY_ON_DUTY.labels(line.id).set(1 if row.unstaffed else 0)
        rows.append(row)
    return rows


def publish_unstaffed(store, config, overrides, now: datetime) -> None:
    """The gauge of every line, set by each worker's database thread at each round (so that an
    alert sees it with no wallboard open)."""
    staffed = {line for s in store.duty.on_duty(now=now) for line in s["lines"]}
    for line in config.lines.values():
        status = line_status(config, line, now, overrides)
        unstaffed = status.open and has_team(line) and line.id not in staffed
        metrics.NOBODY_ON_DUTY.labels(line.id).set(1 if unstaffed else 0)


def has_team(line) -> bool:
    """Whether counsellors on duty answer the line: it has a queue step. A line that rings its
    YAML numbers alone, or only tells callers where to turn, is never "nobody on duty"."""
    return any(action.waits_for_duty for actions in line.steps.values() for action in actions)


def todays_calls(store, now: datetime) -> dict[str, Today]:
    """Today's calls (Brussels day) by line, from the anonymous outcomes `ivr stats` reads."""
    day = now.astimezone(BRUSSELS).date()
    start = datetime.combine(day, time.min, BRUSSELS)
    counts: dict[str, dict[str, int]] = {}
    for row in store.outcomes.report(start, start + timedelta(days=1)):
        by_line = counts.setdefault(row["line"], {})
        kind = TODAY.get(figures.category(row["outcome"]))
        if kind:
            by_line[kind] = by_line.get(kind, 0) + row["calls"]
    return {line: Today(**found) for line, found in counts.items()}


def callers_waiting(service, now: datetime) -> dict[str, tuple[int, int | None]]:
    """Callers waiting by line (every language's queue), and the longest wait in seconds, as
    Twilio last reported them to the queue (`store.duty.queues`)."""
    found: dict[str, tuple[int, int | None]] = {}
    for queue in service.store.duty.queues(now=now):
        count, longest = found.get(queue["line"], (0, 0))
        found[queue["line"]] = (
            count + queue["waiting"],
            max(longest or 0, queue["longest_wait"] if queue["waiting"] else 0),
        )
    return found
