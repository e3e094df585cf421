"""Work that must never delay a call runs here: a thread of its own per job, every few seconds.

Threads do not survive gunicorn's fork, so each is started by the process that serves, on its
first request, and started again if it died. A round that hangs (a database that accepts
connections and never answers) is left behind after `hang_seconds` and a new thread takes over;
the calls never waited for either.

With `seconds == 0` (tests, `ivr call`) a round runs only when asked: `fresh()` asks for one and
waits for it, at most a given time, so that what a request sees is up to date.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

log = logging.getLogger("ivr.runtime.background")
# Threads left behind in a hung round, at most; past that, none is started until one returns.
MAX_ABANDONED = 3


class Periodic:
    def __init__(
        self,
        name: str,
        seconds: float,
        job: Callable[[], None],
        hang_seconds: float = 30.0,
        failing: str = "failed",
        first_at_once: bool = True,
    ):
        """`failing` says, for the log, what it means when a round fails; without
        `first_at_once`, the first round comes after one interval, not at start."""
        self.name = name
        self.first_at_once = first_at_once
        self.failing = failing
        self.seconds = seconds
        self.job = job
        self.hang_seconds = hang_seconds
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._generation = 0
        self._abandoned = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._done = threading.Condition()
        self._rounds = 0
        self._busy_since: float | None = None
        self.last_error: str | None = None
        self.last_success: float | None = None  # time.time() of the last round without error

    # -- for the request path: cheap -------------------------------------------------------

    def ensure(self) -> None:
        """Starts the thread if this process has none running (or its round hangs)."""
        if self._pid == os.getpid() and self._thread.is_alive() and not self.hanging():
            return
        with self._lock:
            if self._pid == os.getpid() and self._thread.is_alive():
                if not self.hanging() or self._abandoned >= MAX_ABANDONED:
                    return
                self._abandoned += 1
                log.error(
                    "%s: a round has not returned for %.0f s; a new thread takes over",
                    self.name,
                    time.monotonic() - (self._busy_since or time.monotonic()),
                )
            self._pid = os.getpid()
            self._generation += 1
            self._busy_since = None
            self._thread = threading.Thread(
                target=self._run, args=(self._generation,), name=self.name, daemon=True
            )
            self._thread.start()

    def kick(self) -> None:
        """Asks for a round now rather than at the end of the interval."""
        self._wake.set()

    def fresh(self, timeout: float) -> bool:
        """Waits, at most `timeout` seconds, for a round that starts after this call."""
        with self._done:
            target = self._rounds + (2 if self._busy_since is not None else 1)
            self._wake.set()
            return self._done.wait_for(lambda: self._rounds >= target, timeout)

    def hanging(self) -> bool:
        since = self._busy_since
        return since is not None and time.monotonic() - since > self.hang_seconds

    def busy_for(self) -> float:
        since = self._busy_since
        return 0.0 if since is None else time.monotonic() - since

    # -- the thread ------------------------------------------------------------------------

    def _run(self, generation: int) -> None:
        if self.seconds == 0:
            self._wake.wait()  # only when asked
        elif not self.first_at_once:
            self._wake.wait(self.seconds)
        while generation == self._generation:
            self._wake.clear()
            self._busy_since = time.monotonic()
            try:
                self.job()
                if self.last_error is not None:
                    log.warning("%s: works again", self.name)
                self.last_error = None
                self.last_success = time.time()
            except Exception as exc:  # a round that fails is tried again next time
                error = f"{type(exc).__name__}: {exc}"[:300]
                if error != self.last_error:  # said once, not every round
                    log.warning("%s (%s)", self.failing, error)
                self.last_error = error
            finally:
                if generation == self._generation:
                    self._busy_since = None
                else:
                    self._abandoned = max(0, self._abandoned - 1)
            with self._done:
                self._rounds += 1
                self._done.notify_all()
            self._wake.wait(None if self.seconds == 0 else self.seconds)
