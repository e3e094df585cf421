"""What a worker serves with, kept up to date off the webhooks' path.

- The configuration: a thread looks at the files every few seconds; a sound change is swapped
  in whole, a refused one is logged and shown on /healthz while the last good one keeps
  serving. Each accepted configuration is also kept aside on disk, so that a worker that starts
  while the files are broken (gunicorn recycles workers) serves the last good one instead of
  failing to boot.
- Everything that needs the database: another thread reads the operators' overrides, stores
  the voicemails the journal holds and writes the anonymous call outcomes. A webhook reads only
  the last known overrides, so a database that hangs never delays a call.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections import deque
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout  # noqa: UP041 - 3.11's is not this
from datetime import datetime
from pathlib import Path
from queue import Empty, SimpleQueue

from ivr import config as config_module
from ivr import speech
from ivr.background import Periodic
from ivr.journal import Journal

log = logging.getLogger("ivr")
# With intervals of 0 (tests, `ivr call`), a request waits this long at most for fresh data.
FRESH_WAIT = 2.0
MAX_OUTCOMES = 10_000  # kept while the database is away; the oldest go first
KEEP_LAST_GOOD = 3


def preload(config, year: int) -> None:
    """Does at start what would otherwise read files during the first calls."""
    speech.preload({lang for line in config.lines.values() for lang in line.languages})
    schedules = [line.schedule for line in config.lines.values()]
    schedules += [service.schedule for service in config.services.values()]
    for schedule in schedules:
        schedule.preload_years(range(year - 1, year + 3))


def fingerprint(folders) -> tuple:
    """Names, sizes and modification times of the YAML files: a cheap look, no reading."""
    seen = []
    for folder in folders:
        try:
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                if entry.is_file() and entry.name.endswith((".yaml", ".yml")):
                    info = entry.stat()
                    seen.append((entry.path, info.st_size, info.st_mtime_ns))
        except OSError:
            seen.append((str(folder), -1, -1))
    return tuple(seen)


class LastGood:
    """Copies of the configurations that were accepted, newest named in `current`."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def keep(self, config_dir: Path, prompts_dir: Path, version: str) -> None:
        target = self.folder / version
        try:
            if not target.exists():
                tmp = self.folder / f".{version}.{os.getpid()}"
                shutil.rmtree(tmp, ignore_errors=True)
                shutil.copytree(config_dir, tmp / "config", ignore=_only_yaml)
                shutil.copytree(prompts_dir, tmp / "prompts", ignore=_only_yaml)
                audio = Path(prompts_dir) / config_module.AUDIO_DIR
                if audio.is_dir():
                    (tmp / "prompts" / config_module.AUDIO_DIR).symlink_to(audio.resolve())
                try:
                    tmp.rename(target)
                except OSError:  # another worker kept the same version first
                    shutil.rmtree(tmp, ignore_errors=True)
            pointer = self.folder / f".current.{os.getpid()}"
            pointer.write_text(version, encoding="utf-8")
            os.replace(pointer, self.folder / "current")
            self._prune(version)
        except OSError as exc:
            log.warning("could not keep a copy of the configuration in %s: %s", self.folder, exc)

    def load(self):
        """The last good configuration, or None."""
        try:
            version = (self.folder / "current").read_text(encoding="utf-8").strip()
        except OSError:
            return None
        folder = self.folder / version
        config, _ = config_module.load(folder / "config", folder / "prompts")
        return config

    def _prune(self, keep: str) -> None:
        kept = sorted(
            (p for p in self.folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in kept[KEEP_LAST_GOOD:]:
            if old.name != keep:
                shutil.rmtree(old, ignore_errors=True)


def _only_yaml(folder, names):
    return [n for n in names if not n.endswith((".yaml", ".yml")) or n.startswith(".")]


class Live:
    def __init__(
        self, settings, config, store, clock, refused: dict | None = None, seen: tuple = ()
    ):
        """`seen`: the files' fingerprint taken before `config` was read from them."""
        self.settings = settings
        self.config = config
        self.store = store
        self.clock = clock
        self.journal = Journal(settings.spool_dir)
        self.sources = _sources(settings)
        self.last_good = LastGood(settings.spool_dir.parent / "last-good")
        self.loaded_at = clock()
        self.last_refused = refused
        self._fingerprint = seen
        # The overrides in force and a number that changes whenever they do, swapped as one.
        self._overrides: tuple[int, dict] = (0, {})
        self._voicemails: SimpleQueue = SimpleQueue()
        self._outcomes: deque = deque(maxlen=MAX_OUTCOMES)
        self.reloader = Periodic(
            "ivr-reload",
            settings.reload_seconds,
            self.reload,
            failing="could not look at the configuration files; still serving the last ones",
        )
        self.database = Periodic(
            "ivr-database",
            settings.refresh_seconds,
            self.database_round,
            failing="could not reach the database; calls go on with the overrides last known, "
            "messages wait on disk",
        )
        if refused is None:
            self.last_good.keep(*self.sources, config.version)

    @classmethod
    def start(cls, settings, store, clock) -> Live:
        """The configuration in the files, or, if they are refused and an earlier one was
        accepted, that one (with the refusal on /healthz). ConfigError when there is none."""
        # Looked at before reading: a file changed meanwhile is read again by the first round.
        seen = fingerprint(_sources(settings))
        config, problems = config_module.load(*_sources(settings))
        refused = None
        if config is None:
            errors = [p for p in problems if not p.warning]
            config = LastGood(settings.spool_dir.parent / "last-good").load()
            if config is None:
                raise config_module.ConfigError(errors)
            refused = {"at": clock().isoformat(), "problems": [str(p) for p in errors]}
            log.error(
                "the configuration files are refused; serving the last good one, %s:\n%s",
                config.version,
                "\n".join(refused["problems"]),
            )
        preload(config, clock().year)
        return cls(settings, config, store, clock, refused, seen)

    # -- on every webhook: cheap -----------------------------------------------------------

    def watch(self) -> None:
        """Starts this process's threads (again, after a fork): at start, and on every
        webhook, cheaply."""
        self.reloader.ensure()
        self.database.ensure()

    def begin(self) -> None:
        self.watch()
        if self.reloader.seconds == 0:
            self.reloader.fresh(FRESH_WAIT)
        if self.database.seconds == 0:
            self.database.fresh(FRESH_WAIT)

    @property
    def overrides(self) -> dict:
        return self._overrides[1]

    def overrides_now(self) -> tuple[int, dict]:
        """The overrides in force, and their version (for keys of cached answers)."""
        return self._overrides

    def store_voicemail(self, message: dict, timeout: float) -> bool:
        """Asks the database thread to store one message; True if it did within `timeout`
        (False too when it was there already: the journal then forgets it)."""
        self.database.ensure()
        done: Future = Future()
        self._voicemails.put((message, done))
        self.database.kick()
        if timeout <= 0 or not self.database_answers():
            return False  # the journal has it; the database thread stores it when it can
        try:
            return done.result(timeout) is not None
        except FutureTimeout:
            return False
        except Exception:  # the database refused it; the journal keeps it
            return False

    def database_answers(self) -> bool:
        """Whether the database thread's last round went well and it is not stuck now."""
        database = self.database
        return database.last_error is None and database.busy_for() < 1.0

    def add_outcome(self, **outcome) -> None:
        self._outcomes.append(outcome)

    # -- the configuration thread ----------------------------------------------------------

    def reload(self) -> None:
        before = fingerprint(self.sources)
        if before == self._fingerprint:
            return
        try:
            config, problems = config_module.load(*self.sources)
        except Exception as exc:  # a bug in loading must not stop calls either
            config = None
            problems = [config_module.Problem(str(self.sources[0]), 0, repr(exc))]
        if fingerprint(self.sources) != before:
            return  # a file changed while it was read (an editor saving): read it all again
        self._fingerprint = before
        if config is None:
            errors = [str(p) for p in problems if not p.warning]
            self.last_refused = {"at": self.clock().isoformat(), "problems": errors}
            log.error(
                "refused a configuration change; still serving %s:\n%s",
                self.config.version,
                "\n".join(errors),
            )
            return
        if config.version == self.config.version:
            self.last_refused = None
            return
        preload(config, self.clock().year)
        self.config = config
        self.loaded_at = self.clock()
        self.last_refused = None
        self.last_good.keep(*self.sources, config.version)
        log.info("configuration %s is live", config.version)

    # -- the database thread ---------------------------------------------------------------

    def database_round(self) -> None:
        self._store_voicemails()
        self.journal.flush(self.store)
        fresh = self.store.overrides.active(self.clock())
        version, known = self._overrides
        if fresh != known:
            self._overrides = (version + 1, fresh)
        self._write_outcomes()

    def _store_voicemails(self) -> None:
        while True:
            try:
                message, done = self._voicemails.get_nowait()
            except Empty:
                return
            try:
                self.store.messages.add(**message)
                self.journal.forget(message["recording_sid"])
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

    # -- what /healthz shows with its credential ---------------------------------------------

    def health(self) -> dict:
        database = self.database
        if database.hanging() or database.busy_for() > 2:
            state = f"not answering for {database.busy_for():.0f} s"
        elif database.last_error and "timeout" in database.last_error.lower():
            state = f"not answering: {database.last_error}"
        elif database.last_error:
            state = f"unreachable: {database.last_error}"
        elif database.last_success is None:
            state = "not asked yet"
        else:
            state = "reachable"
        last_ok = database.last_success
        return {
            "config_version": self.config.version,
            "config_loaded_at": self.loaded_at.isoformat(),
            "last_refused_change": self.last_refused,
            "database": state,
            "database_last_answered": (
                datetime.fromtimestamp(last_ok).astimezone().isoformat() if last_ok else None
            ),
            "voicemails_waiting_on_disk": self.journal.pending(),
            "lines": sorted(self.config.lines),
            "checked_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }


def _sources(settings) -> tuple[Path, Path]:
    config_dir = Path(settings.config_dir)
    return config_dir, Path(settings.prompts_dir or config_module.default_prompts_dir(config_dir))
