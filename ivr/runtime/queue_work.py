"""Callers waiting for a counsellor on duty (issue 21): each worker's own thread offers their
calls to the counsellors, through Twilio's REST API, never on a webhook's path.

A webhook only tells this worker what Twilio reported (`report`: a wait request's queue size;
`left`: a caller out of the queue) and asks for a round. A round writes those reports in the
database, then for each queue with callers waiting claims offers (`ivr.store.duty.Duty.offer`:
never more outstanding than callers waiting, on every worker and instance) and rings each
counsellor claimed (`TwilioAPI.place_offer`). It also reads who is on duty, which the queue
steps ask (`duty`) without waiting on the database.

Without REST credentials nobody can be rung: `duty` always says nobody, and queue steps put
callers through to the line's YAML numbers (`ivr check` warns).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from datetime import datetime, timedelta

from ivr import metrics
from ivr.runtime.background import Periodic
from ivr.store.duty import REPORT_STALE
from ivr.twilio import platform
from ivr.twilio.links import Links

log = logging.getLogger("ivr.runtime.queue_work")
# Who is on duty, as last read: read again this often on the request path at most, if the
# thread has not (a worker whose thread is late still sees shifts that started).
SNAPSHOT_STALE = timedelta(seconds=30)
PURGE_EVERY = timedelta(minutes=10)
RING_SECONDS = 20  # how long a counsellor's phone rings with an offer


class QueueWork:
    def __init__(self, settings, store, live, clock, api=None):
        self.settings = settings
        self.store = store
        self.live = live
        self.clock = clock
        self.api = api
        self.secret = (settings.signing_keys[0] or "queue").encode()
        self._lock = threading.Lock()
        self._reports: dict[tuple[str, str], tuple] = {}  # (line, lang) -> report
        self._left: list[tuple[str, str]] = []
        self._bases: dict[tuple[str, str], str] = {}  # the base URL each queue's callers used
        self._on_duty: dict[tuple[str, str], int] | None = None
        self._read_at: datetime | None = None
        self._purged_at: datetime | None = None
        self.thread = Periodic(
            "ivr-queue",
            settings.queue_seconds,
            self.round,
            failing="could not offer waiting calls to counsellors on duty; tried again",
        )

    # -- for the request path: no database, no Twilio ---------------------------------------

    def duty(self, line_id: str, lang: str) -> bool:
        """Whether someone on duty takes `line_id`'s calls in `lang` (free or not: the caller
        waits for them) and can be rung. Read by the thread; read here only if it never was."""
        if self.api is None:
            return False
        now = self.clock()
        if self._on_duty is None:
            try:
                self._read_duty(now)
            except Exception:
                log.exception("could not read who is on duty; the line's numbers ring")
                return False
        if self._read_at is None or now - self._read_at > SNAPSHOT_STALE:
            # The thread has not read who is on duty lately (the database away?): shifts may
            # have ended since, so no caller is queued for counsellors who may be gone; the
            # line's numbers ring, as with nobody on duty.
            self.thread.kick()
            return False
        return self._on_duty.get((line_id, lang), 0) > 0

    def report(self, line: str, lang: str, waiting: int, queue_time: int, average: int, base):
        """A wait request's figures (Twilio's CurrentQueueSize, QueueTime, AvgQueueTime)."""
        with self._lock:
            known = self._reports.get((line, lang))
            longest = queue_time if known is None else max(queue_time, known[1])
            self._reports[(line, lang)] = (waiting, longest, average, self.clock())
            self._bases[(line, lang)] = base
        self.thread.kick()

    def left(self, line: str, lang: str) -> None:
        """A caller is out of the queue (hung up, left by a key or max_wait)."""
        with self._lock:
            self._left.append((line, lang))
            known = self._reports.get((line, lang))
            if known is not None and known[0] > 0:
                self._reports[(line, lang)] = (known[0] - 1, *known[1:])
        self.thread.kick()

    def call_key(self, call_sid: str) -> str:
        """What a caller's key pressed while waiting is kept under: a keyed hash of their
        CallSid, never the CallSid."""
        return hmac.new(self.secret, call_sid.encode(), hashlib.sha256).hexdigest()[:40]

    # -- the thread -------------------------------------------------------------------------

    def round(self) -> None:
        now = self.clock()
        with self._lock:
            reports, self._reports = self._reports, {}
            lefts, self._left = self._left, []
        for line, lang in lefts:
            self.store.duty.left(line, lang, now=now)
        for (line, lang), (waiting, longest, average, at) in reports.items():
            if now - at < REPORT_STALE:
                self.store.duty.report(
                    line, lang, waiting=waiting, now=now, longest_wait=longest, average_wait=average
                )
        if self.api is not None:
            self._read_duty(now)  # first: offers that fail leave it fresh
            self.offer_waiting(now)
        if self._purged_at is None or now - self._purged_at >= PURGE_EVERY:
            self._purged_at = now  # the retention of ended shifts (docs/privacy.md)
            self.store.duty.purge(now)

    def offer_waiting(self, now: datetime) -> int:
        """Offers each queue's waiting callers to free counsellors; returns the calls placed."""
        placed = 0
        config = self.live.config
        for queue in self.store.duty.queues(now=now):
            # The gauge from the database's count, every instance's callers: back to 0 too.
            metrics.CALLERS_WAITING.labels(queue["line"], queue["language"]).set(
                max(queue["waiting"], 0)
            )
            if queue["waiting"] <= 0:
                continue
            line = config.lines.get(queue["line"])
            base = self._bases.get((queue["line"], queue["language"])) or (self.settings.public_url)
            if line is None or not base:
                continue
            shown = config.caller_id(line, (), None)
            if not platform.shows(shown):
                log.error(
                    "line=%s: offers cannot show its caller ID (an 0800 number?); set "
                    "caller_id in its YAML (ivr check says so)",
                    line.id,
                )
                continue
            claimed = self.store.duty.offer(line.id, queue["language"], waiting=None, now=now)
            links = Links(base, None)
            for shift in claimed:
                placed += self._ring(shift, shown, links, line.id, now)
        return placed

    def _ring(self, shift: dict, shown: str, links: Links, line_id: str, now: datetime) -> int:
        token = shift["token"]
        try:
            self.api.place_offer(
                shift["phone"],
                shown,
                links.offer(token, "answer"),
                links.offer(token, "status"),
                RING_SECONDS,
            )
        except Exception as exc:  # this counsellor only: tried again at the next round
            metrics.OFFERS.labels(line_id, "failed").inc()
            self.store.duty.released(token, now=now)  # not the counsellor's doing
            # Twilio's text of a refused call names the number dialled, the counsellor's:
            # only its code is logged.
            code = getattr(exc, "code", None) or getattr(exc, "status", None) or "-"
            log.warning(
                "line=%s could not ring a counsellor on duty: %s (code %s)",
                line_id,
                type(exc).__name__,
                code,
            )
            return 0
        metrics.OFFERS.labels(line_id, "made").inc()
        return 1

    def _read_duty(self, now: datetime) -> None:
        config = self.live.config
        counts: dict[tuple[str, str], int] = {}
        for shift in self.store.duty.on_duty(now=now):
            for line_id in shift["lines"]:
                line = config.lines.get(line_id)
                if line is None:
                    continue
                for lang in shift["languages"] or line.languages:
                    if lang in line.languages:
                        counts[(line_id, lang)] = counts.get((line_id, lang), 0) + 1
        self._on_duty, self._read_at = counts, now
