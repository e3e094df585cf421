"""Everything that needs the database, done by a thread of each worker's own: the overrides
read every few seconds (and published to `ivr.runtime.live`), messages stored from the journal, the
anonymous statistics written. A webhook only reads what it last found, or asks it something
with a bound on the wait: a database that hangs never delays a call."""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout  # noqa: UP041 - 3.11's is not this
from datetime import datetime
from queue import Empty, SimpleQueue

from ivr.runtime.background import Periodic
from ivr.runtime.journal import Journal

MAX_OUTCOMES = 10_000  # kept while the database is away; the oldest go first


class DatabaseWork:
    def __init__(self, settings, store, live, clock):
        self.store = store
        self.live = live
        self.clock = clock
        self.journal = Journal(settings.spool_dir)
        self._asked: SimpleQueue = SimpleQueue()  # (what to do, its Future), in order
        self._outcomes: deque = deque(maxlen=MAX_OUTCOMES)
        self.thread = Periodic(
            "ivr-database",
            settings.refresh_seconds,
            self.round,
            failing="could not reach the database; calls go on with the overrides last known, "
            "messages wait on disk",
        )

    # -- asked by the webhooks -----------------------------------------------------------------

    def store_voicemail(self, message: dict, timeout: float) -> bool:
        """Asks the database thread to store one message; True if it did within `timeout`
        (also when it was there already; the journal then forgets it)."""

        def store() -> None:
            self.store.messages.add(**message)
            self.journal.forget(message["recording_sid"])

        return self.ask(store, timeout)

    def forget_later(self, kind: str, sid: str, due_at: datetime, timeout: float) -> bool:
        """Asks the database thread to queue a record for deletion at Twilio."""
        return self.ask(
            lambda: self.store.forget.add(kind, sid, due_at=due_at, now=self.clock()), timeout
        )

    def ask(self, job, timeout: float) -> bool:
        """Has the database thread do `job` first thing; True if it was done within
        `timeout`. The wait is skipped while the database does not answer."""
        self.thread.ensure()
        done: Future = Future()
        self._asked.put((job, done))
        self.thread.kick()
        if timeout <= 0 or not self.answers():
            return False
        try:
            done.result(timeout)
            return True
        except FutureTimeout:
            return False
        except Exception:  # the database refused it; the caller falls back
            return False

    def answers(self) -> bool:
        """Whether the database thread's last round went well and it is not stuck now."""
        return self.thread.last_error is None and self.thread.busy_for() < 1.0

    def add_outcome(self, **outcome) -> None:
        self._outcomes.append(outcome)

    # -- the thread ------------------------------------------------------------------------------

    def round(self) -> None:
        self._do_what_was_asked()
        self.journal.flush(self.store)
        # Those planned too: the router follows each from its first minute, read again or not.
        self.live.publish_overrides(self.store.overrides.in_force_or_planned(self.clock()))
        self._write_outcomes()
        self._publish_staffing()

    def _do_what_was_asked(self) -> None:
        while True:
            try:
                job, done = self._asked.get_nowait()
            except Empty:
                return
            try:
                job()
                done.set_result(True)
            except Exception as exc:
                done.set_exception(exc)
                raise

    def _write_outcomes(self) -> None:
        batch = []
        while self._outcomes and len(batch) < 1000:
            batch.append(self._outcomes.popleft())
        if not batch:
            return
        try:
            self.store.outcomes.add(batch)
        except Exception:
            self._outcomes.extendleft(reversed(batch))  # tried again next round
            raise

    def _publish_staffing(self) -> None:
        """`ivr_nobody_on_duty`, for an alert to watch (`ivr.console.shifts`)."""
        if getattr(self.store, "duty", None) is None:
            return
        from ivr.console.shifts import publish_unstaffed

        publish_unstaffed(self.store, self.live.config, self.live.overrides, self.clock())

    def health(self) -> dict:
        thread = self.thread
        if thread.hanging() or thread.busy_for() > 2:
            state = f"not answering for {thread.busy_for():.0f} s"
        elif thread.last_error and "timeout" in thread.last_error.lower():
            state = f"not answering: {thread.last_error}"
        elif thread.last_error:
            state = f"unreachable: {thread.last_error}"
        elif thread.last_success is None:
            state = "not asked yet"
        else:
            state = "reachable"
        last_ok = thread.last_success
        return {
            "database": state,
            "database_last_answered": (
                datetime.fromtimestamp(last_ok).astimezone().isoformat() if last_ok else None
            ),
            "voicemails_waiting_on_disk": self.journal.pending(),
            "checked_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
