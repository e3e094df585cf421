"""Counsellors on duty (issue 21): their shifts, and the offers of waiting calls made to them.

A shift is an account's, for one or more lines, with the phone the counsellor answers on (E.164,
never shown to callers; coordinators only) and the languages they take calls in (none listed:
each line's own). It ends by itself at `ends_at` (start + 8 hours unless renewed: starting again
while on duty renews it and takes the new lines, phone and languages), or when ended (`stop`).

Where a counsellor is in their calls is the shift's row: *offered* a waiting call (rung by the
REST API, until they take it or the offer runs out), *busy* in one, *not ready* for a while after
one (or until `ready`), *skipped* for a while after an offer they did not take, else *free*.
`free_for` gives the free ones of a line and language, longest idle first.

`offer` claims offers in one transaction that holds the queue's row (PostgreSQL: its lock;
SQLite: the database's): the outstanding offers of a queue never outnumber the callers Twilio
says wait in it, on every worker and instance; and a counsellor is claimed by one conditional
UPDATE, so never offered two calls at once.

Rows stay after the shift ends, for coordinators, `RETENTION` long (`purge`, run by the Twilio
thread's retention round; docs/privacy.md). Nothing in them is a caller's.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ivr.domain import phone as phones
from ivr.store.tables import duty_choices, duty_queues, duty_shifts, operators
from ivr.store.times import aware, utc

FREE, OFFERED, BUSY, NOT_READY, SKIPPED = "free", "offered", "busy", "not ready", "skipped"
STATES = (FREE, OFFERED, BUSY, NOT_READY, SKIPPED)
SHIFT_HOURS = 8
RETENTION = timedelta(days=90)  # an ended shift's row, for coordinators (docs/privacy.md)
OFFER_SECONDS = 60  # an offer not answered by then is no offer (its callback may be lost)
SKIP_SECONDS = 120  # after an offer not taken, the counsellor is left alone this long
REST_SECONDS = 60  # after a call, not ready this long (or until `ready`)
BUSY_AT_MOST = timedelta(hours=4)  # a call whose end Twilio never reported frees them then
# A queue's count of callers waiting is Twilio's last report (each wait request's); none for
# this long and nobody is taken to wait (every caller waiting asks again within 30 s).
REPORT_STALE = timedelta(seconds=90)
CHOICE_KEPT = timedelta(minutes=10)  # a key pressed while waiting, not read by then: gone
INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class DutyError(ValueError):
    """What was asked of a shift cannot be done; the text says why and how to fix it."""


def queue_name(line: str, language: str) -> str:
    """Twilio's queue of a line's callers in one language (`<Dial><Queue>` always takes the
    first caller waiting, so one queue a line and language); as `ivr.flow.actions.queue`
    names it."""
    return re.sub(r"[^\w-]", "-", f"{line}-{language}")[:64]


def duty_phone(text: str) -> str:
    """The phone a counsellor answers on, E.164; DutyError when it cannot be one (withheld,
    a short or emergency number, not a number)."""
    text = (text or "").strip()
    if not text or text.lower() in ("anonymous", "restricted", "unknown", "private"):
        raise DutyError("the phone is withheld: give the number the counsellor answers on")
    number = phones.normalise(text)
    if number is None or not phones.is_e164(number):
        raise DutyError(
            f"'{text}' is not a phone number Twilio can ring (such as 0470 12 34 56 or "
            "+32 2 511 45 67): give the number the counsellor answers on"
        )
    return number


def _split(text: str | None) -> list[str]:
    return [part for part in (text or "").split(",") if part]


def _join(parts) -> str:
    return ",".join(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def _active(now: datetime):
    return and_(duty_shifts.c.ended_at.is_(None), duty_shifts.c.ends_at > utc(now))


def _later(a: datetime | None, now: datetime) -> bool:
    return a is not None and aware(a) > now


def state_of(row, now: datetime) -> tuple[str, datetime | None]:
    """A shift's state now, and when it is free again (None: free now, or only when its call
    or offer ends)."""
    if row.call_state == BUSY and _later(row.offer_until, now):
        return BUSY, None
    if row.call_state == OFFERED and _later(row.offer_until, now):
        return OFFERED, None
    waits = [aware(t) for t in (row.not_ready_until, row.skipped_until) if _later(t, now)]
    if _later(row.not_ready_until, now):
        return NOT_READY, max(waits)
    if _later(row.skipped_until, now):
        return SKIPPED, max(waits)
    return FREE, None


def _shift(row, now: datetime) -> dict:
    state, ready_at = state_of(row, now)
    return {
        "id": row.id,
        "operator_id": row.operator_id,
        "name": row.name,
        "lines": _split(row.lines),
        "phone": row.phone,
        "languages": _split(row.languages),  # []: each of its lines' languages
        "started_at": aware(row.started_at),
        "ends_at": aware(row.ends_at),
        "ended_at": aware(row.ended_at),
        "state": state,
        "ready_at": ready_at,
        "queue": row.call_queue if state in (OFFERED, BUSY) else None,
        "idle_since": aware(row.last_call_ended_at or row.started_at),
        "calls_taken": row.calls_taken,
        "offers_refused": row.offers_refused,
    }


class Duty:
    def __init__(self, store):
        self.store = store

    # -- shifts --------------------------------------------------------------------------

    def start(
        self,
        name: str,
        lines,
        phone: str,
        languages=None,
        *,
        now: datetime,
        hours: float = SHIFT_HOURS,
    ) -> dict:
        """Starts `name`'s shift (an active account's), or, on duty already, renews it from
        now with these lines, phone and languages. `languages` None or empty: each line's.
        DutyError for no lines, a phone that cannot be rung, an unknown account."""
        lines = _join(lines or [])
        if not lines:
            raise DutyError("say which line(s) the shift takes calls for (--line 1712)")
        number = duty_phone(phone)
        spoken = _join(languages or [])
        ends_at = utc(now + timedelta(hours=hours))
        self.store.ready()
        with self.store.engine.begin() as conn:
            account = conn.execute(
                select(operators.c.id).where(operators.c.name == name, operators.c.active.is_(True))
            ).first()
            if account is None:
                raise DutyError(
                    f"there is no active account '{name}': a shift is an account's "
                    "(ivr operators add NAME --role counsellor)"
                )
            self._end_expired(conn, now)
            values = {"lines": lines, "phone": number, "languages": spoken, "ends_at": ends_at}
            shift_id = conn.execute(
                update(duty_shifts)
                .where(duty_shifts.c.name == name, _active(now))
                .values(**values)
                .returning(duty_shifts.c.id)
            ).scalar()
            if shift_id is None:
                shift_id = conn.execute(
                    insert(duty_shifts)
                    .values(
                        operator_id=account.id,
                        name=name,
                        started_at=utc(now),
                        calls_taken=0,
                        offers_refused=0,
                        **values,
                    )
                    .returning(duty_shifts.c.id)
                ).scalar_one()
            self.store.audit.add(
                conn,
                at=now,
                operator=name,
                action="duty started",
                subject=lines,
                detail=f"until {ends_at:%Y-%m-%d %H:%M} UTC",
            )
            row = conn.execute(select(duty_shifts).where(duty_shifts.c.id == shift_id)).one()
        return _shift(row, now)

    def stop(self, name: str, *, now: datetime) -> bool:
        """Ends `name`'s shift now; False when they were not on duty."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            self._end_expired(conn, now)
            ended = conn.execute(
                update(duty_shifts)
                .where(duty_shifts.c.name == name, _active(now))
                .values(ended_at=utc(now))
            ).rowcount
            if ended:
                self.store.audit.add(
                    conn, at=now, operator=name, action="duty ended", subject=name, detail=""
                )
        return bool(ended)

    def renew(self, name: str, *, now: datetime, hours: float = SHIFT_HOURS) -> dict | None:
        """`name`'s shift now ends `hours` from now; None when they are not on duty."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            self._end_expired(conn, now)
            row = conn.execute(
                update(duty_shifts)
                .where(duty_shifts.c.name == name, _active(now))
                .values(ends_at=utc(now + timedelta(hours=hours)))
                .returning(*duty_shifts.c)
            ).first()
        return _shift(row, now) if row else None

    def ready(self, name: str, *, now: datetime) -> bool:
        """Ends `name`'s time of not ready (after a call) now; False when not on duty."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(duty_shifts)
                    .where(duty_shifts.c.name == name, _active(now))
                    .values(not_ready_until=None)
                ).rowcount
            )

    def shift(self, name: str, *, now: datetime) -> dict | None:
        """`name`'s shift in progress, or None."""
        found = [s for s in self.on_duty(now=now) if s["name"] == name]
        return found[0] if found else None

    def on_duty(self, *, now: datetime, line: str | None = None) -> list[dict]:
        """The shifts in progress (of `line`), by name: id, name, lines, phone, languages,
        started_at, ends_at, state (free, offered, busy, not ready, skipped), ready_at."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            self._end_expired(conn, now)
            rows = conn.execute(
                select(duty_shifts).where(_active(now)).order_by(duty_shifts.c.name)
            ).all()
        shifts = [_shift(row, now) for row in rows]
        return [s for s in shifts if line is None or line in s["lines"]]

    def history(self, *, since: datetime, line: str | None = None) -> list[dict]:
        """The shifts that started since `since` (ended ones too), newest first: for
        coordinators."""
        self.store.ready()
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(duty_shifts)
                .where(duty_shifts.c.started_at >= utc(since))
                .order_by(duty_shifts.c.started_at.desc())
            ).all()
        shifts = [_shift(row, since) for row in rows]
        return [s for s in shifts if line is None or line in s["lines"]]

    def free_for(self, line: str, language: str, *, now: datetime) -> list[dict]:
        """The free counsellors on duty for `line` who take calls in `language`, longest
        idle first (since their last call, or their shift's start)."""
        free = [
            s
            for s in self.on_duty(now=now, line=line)
            if s["state"] == FREE and (not s["languages"] or language in s["languages"])
        ]
        return sorted(free, key=lambda s: (s["idle_since"], s["id"]))

    def taking(self, line: str, language: str, *, now: datetime) -> list[dict]:
        """The counsellors on duty for `line` in `language`, whatever their state: nobody,
        and a queue step sends its callers on (`on_nobody`)."""
        return [
            s
            for s in self.on_duty(now=now, line=line)
            if not s["languages"] or language in s["languages"]
        ]

    def purge(self, now: datetime, kept: timedelta = RETENTION) -> int:
        """Deletes the shifts that ended more than `kept` ago; returns how many."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            self._end_expired(conn, now)
            conn.execute(delete(duty_choices).where(duty_choices.c.at < utc(now - CHOICE_KEPT)))
            return conn.execute(
                delete(duty_shifts).where(duty_shifts.c.ended_at < utc(now - kept))
            ).rowcount

    @staticmethod
    def _end_expired(conn, now: datetime) -> None:
        conn.execute(
            update(duty_shifts)
            .where(duty_shifts.c.ended_at.is_(None), duty_shifts.c.ends_at <= utc(now))
            .values(ended_at=duty_shifts.c.ends_at)
        )

    # -- queues and offers ---------------------------------------------------------------

    def report(
        self,
        line: str,
        language: str,
        *,
        waiting: int,
        now: datetime,
        longest_wait: int = 0,
        average_wait: int = 0,
    ) -> None:
        """How many callers wait in the queue of `line` and `language`, as Twilio said."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            self._report(conn, line, language, waiting, now, longest_wait, average_wait)

    def _report(self, conn, line, language, waiting, now, longest_wait=0, average_wait=0):
        """Writes the queue's row, and holds it until the transaction ends."""
        table = duty_queues
        values = {
            "waiting": max(0, int(waiting)),
            "longest_wait": max(0, int(longest_wait)),
            "average_wait": max(0, int(average_wait)),
            "reported_at": utc(now),
        }
        statement = INSERTS[conn.dialect.name](table).values(
            name=queue_name(line, language), line=line, language=language, **values
        )
        conn.execute(statement.on_conflict_do_update(index_elements=[table.c.name], set_=values))

    def left(self, line: str, language: str, *, now: datetime) -> None:
        """A caller left the queue (joined, hung up, gone on): one fewer waits, until Twilio
        reports again."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            conn.execute(
                update(duty_queues)
                .where(duty_queues.c.name == queue_name(line, language), duty_queues.c.waiting > 0)
                .values(waiting=duty_queues.c.waiting - 1)
            )

    def queues(self, *, now: datetime, line: str | None = None) -> list[dict]:
        """Each queue: its line and language, how many wait (0 when Twilio has not reported
        for a while), the longest wait Twilio last gave, its average; by name."""
        self.store.ready()
        query = select(duty_queues).order_by(duty_queues.c.name)
        if line is not None:
            query = query.where(duty_queues.c.line == line)
        with self.store.engine.connect() as conn:
            rows = conn.execute(query).all()
        found = []
        for row in rows:
            fresh = aware(row.reported_at) > now - REPORT_STALE
            found.append(
                {
                    "name": row.name,
                    "line": row.line,
                    "language": row.language,
                    "waiting": row.waiting if fresh else 0,
                    "longest_wait": row.longest_wait if fresh else 0,
                    "average_wait": row.average_wait,
                    "reported_at": aware(row.reported_at),
                }
            )
        return found

    def waiting(self, queue: str, *, now: datetime) -> int:
        """The callers Twilio last said wait in `queue` (0 when it has not said for a while)."""
        self.store.ready()
        with self.store.engine.connect() as conn:
            row = conn.execute(select(duty_queues).where(duty_queues.c.name == queue)).first()
        fresh = row is not None and aware(row.reported_at) > now - REPORT_STALE
        return row.waiting if fresh else 0

    def outstanding(self, line: str, language: str, *, now: datetime) -> int:
        """The offers of the queue not answered yet."""
        self.store.ready()
        with self.store.engine.connect() as conn:
            return self._outstanding(conn, queue_name(line, language), now)

    @staticmethod
    def _outstanding(conn, queue: str, now: datetime) -> int:
        return conn.execute(
            select(func.count()).where(
                duty_shifts.c.call_state == OFFERED,
                duty_shifts.c.call_queue == queue,
                duty_shifts.c.offer_until > utc(now),
            )
        ).scalar_one()

    def offer(
        self,
        line: str,
        language: str,
        *,
        waiting: int | None,
        now: datetime,
        longest_wait: int = 0,
        average_wait: int = 0,
        seconds: int = OFFER_SECONDS,
    ) -> list[dict]:
        """Twilio says `waiting` callers wait in the queue of `line` and `language`: claims
        offers for free counsellors, longest idle first, until the queue's outstanding offers
        are as many as its callers waiting. Returns the shifts claimed, each with its offer's
        `token` and `queue` (none: enough offers are out, or nobody is free)."""
        self.store.ready()
        queue = queue_name(line, language)
        claimed = []
        with self.store.engine.begin() as conn:
            if waiting is None:  # as last reported, the row held (an UPDATE takes its lock)
                row = conn.execute(
                    update(duty_queues)
                    .where(duty_queues.c.name == queue)
                    .values(waiting=duty_queues.c.waiting)
                    .returning(duty_queues.c.waiting, duty_queues.c.reported_at)
                ).first()
                fresh = row is not None and aware(row.reported_at) > now - REPORT_STALE
                waiting = row.waiting if fresh else 0
            else:
                self._report(conn, line, language, waiting, now, longest_wait, average_wait)
            wanted = int(waiting) - self._outstanding(conn, queue, now)
            if wanted <= 0:
                return []
            self._end_expired(conn, now)
            rows = conn.execute(select(duty_shifts).where(_active(now))).all()
            free = [
                _shift(row, now)
                for row in rows
                if line in _split(row.lines)
                and (not row.languages or language in _split(row.languages))
                and state_of(row, now)[0] == FREE
            ]
            free.sort(key=lambda s: (s["idle_since"], s["id"]))
            for shift in free:
                if len(claimed) >= wanted:
                    break
                token = secrets.token_urlsafe(18)
                mine = conn.execute(
                    update(duty_shifts)
                    .where(
                        duty_shifts.c.id == shift["id"],
                        duty_shifts.c.ended_at.is_(None),
                        or_(
                            duty_shifts.c.call_state.is_(None),
                            duty_shifts.c.offer_until <= utc(now),
                        ),
                    )
                    .values(
                        call_state=OFFERED,
                        call_queue=queue,
                        offer_token=token,
                        offer_until=utc(now + timedelta(seconds=seconds)),
                    )
                ).rowcount
                if mine:
                    claimed.append(dict(shift, token=token, queue=queue, state=OFFERED))
        return claimed

    def offered(self, token: str, *, now: datetime) -> dict | None:
        """The shift an offer (its token) was made to, while it is outstanding or taken."""
        self.store.ready()
        with self.store.engine.connect() as conn:
            row = conn.execute(
                select(duty_shifts).where(
                    duty_shifts.c.offer_token == token,
                    duty_shifts.c.call_state.in_((OFFERED, BUSY)),
                )
            ).first()
        return _shift(row, now) if row else None

    def taken(self, token: str, *, now: datetime) -> dict | None:
        """The counsellor pressed the key: busy, until the call ends (`finished`), and the
        caller they are joined to waits no more. None when the offer is no longer theirs (it
        ran out, or was never made)."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            queue = conn.execute(
                select(duty_shifts.c.call_queue).where(
                    duty_shifts.c.offer_token == token, duty_shifts.c.call_state == OFFERED
                )
            ).scalar()
            if queue is not None:
                conn.execute(
                    update(duty_queues)
                    .where(duty_queues.c.name == queue, duty_queues.c.waiting > 0)
                    .values(waiting=duty_queues.c.waiting - 1)
                )
            row = conn.execute(
                update(duty_shifts)
                .where(duty_shifts.c.offer_token == token, duty_shifts.c.call_state == OFFERED)
                .values(
                    call_state=BUSY,
                    offer_until=utc(now + BUSY_AT_MOST),
                    calls_taken=duty_shifts.c.calls_taken + 1,
                )
                .returning(*duty_shifts.c)
            ).first()
        return _shift(row, now) if row else None

    def declined(self, token: str, *, now: datetime, seconds: int = SKIP_SECONDS) -> bool:
        """The offer was not taken (no answer, busy, refused, no key): the counsellor is
        skipped for `seconds` and the offer is out no more."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(duty_shifts)
                    .where(duty_shifts.c.offer_token == token, duty_shifts.c.call_state == OFFERED)
                    .values(
                        call_state=None,
                        offer_token=None,
                        offer_until=None,
                        skipped_until=utc(now + timedelta(seconds=seconds)),
                        offers_refused=duty_shifts.c.offers_refused + 1,
                    )
                ).rowcount
            )

    def finished(self, token: str, *, now: datetime, seconds: int = REST_SECONDS) -> bool:
        """The counsellor's call with a caller ended: not ready for `seconds`, then free."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(duty_shifts)
                    .where(duty_shifts.c.offer_token == token, duty_shifts.c.call_state == BUSY)
                    .values(
                        call_state=None,
                        offer_token=None,
                        offer_until=None,
                        last_call_ended_at=utc(now),
                        not_ready_until=utc(now + timedelta(seconds=seconds)),
                    )
                ).rowcount
            )

    def released(self, token: str, *, now: datetime) -> bool:
        """The counsellor took an offer but nobody was waiting any more (the caller hung up,
        or another counsellor took them): free again at once, no call counted."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(duty_shifts)
                    .where(
                        duty_shifts.c.offer_token == token,
                        duty_shifts.c.call_state.in_((OFFERED, BUSY)),
                    )
                    .values(
                        call_state=None,
                        offer_token=None,
                        offer_until=None,
                        calls_taken=case(
                            (duty_shifts.c.call_state == BUSY, duty_shifts.c.calls_taken - 1),
                            else_=duty_shifts.c.calls_taken,
                        ),
                    )
                ).rowcount
            )

    # -- a key pressed while waiting -------------------------------------------------------

    def choose(self, call_key: str, choice: str, *, now: datetime) -> None:
        """Keeps a caller's key (under `call_key`, a keyed hash of their CallSid) until the
        `<Enqueue>`'s action reads it."""
        self.store.ready()
        statement = INSERTS[self.store.engine.dialect.name](duty_choices).values(
            call_key=call_key, choice=choice[:8], at=utc(now)
        )
        with self.store.engine.begin() as conn:
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[duty_choices.c.call_key],
                    set_={"choice": choice[:8], "at": utc(now)},
                )
            )

    def chosen(self, call_key: str) -> str | None:
        """The key kept under `call_key`, once: the row goes."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            return conn.execute(
                delete(duty_choices)
                .where(duty_choices.c.call_key == call_key)
                .returning(duty_choices.c.choice)
            ).scalar()
