"""The configuration a worker serves with, kept up to date off the webhooks' path.

A thread looks at the files every few seconds; a sound change is swapped in whole, a refused
one is logged and shown on /healthz while the last good one keeps serving. Each accepted
configuration is also kept aside on disk, so that a worker that starts while the files are
broken (gunicorn recycles workers) serves the last good one instead of failing to boot. The
overrides in force are published here by the database thread (`ivr.runtime.database_work`).
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from ivr import config as config_module
from ivr.domain import speech
from ivr.logs import scrub
from ivr.runtime.background import Periodic

log = logging.getLogger("ivr")
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
    """The configuration being served, swapped whole by its own thread when the files change; and
    the overrides in force, which the database thread (`ivr.runtime.database_work`) publishes here.
    """

    def __init__(self, settings, config, clock, refused: dict | None = None, seen: tuple = ()):
        """`seen`: the files' fingerprint taken before `config` was read from them."""
        self.config = config
        self.clock = clock
        self.sources = _sources(settings)
        self.last_good = LastGood(settings.spool_dir.parent / "last-good")
        self.loaded_at = clock()
        self.last_refused = refused
        self._fingerprint = seen
        # The overrides in force and planned, and a number that changes whenever they do,
        # swapped as one.
        self._overrides: tuple[int, tuple] = (0, ())
        self.reloader = Periodic(
            "ivr-reload",
            settings.reload_seconds,
            self.reload,
            failing="could not look at the configuration files; still serving the last ones",
            first_at_once=False,  # they were just read
        )
        if refused is None:
            self.last_good.keep(*self.sources, config.version)

    @classmethod
    def start(cls, settings, clock) -> Live:
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
            # Shown on /healthz, kept by monitoring tools: no number of anyone's in it.
            refused = {"at": clock().isoformat(), "problems": [scrub(str(p)) for p in errors]}
            log.error(
                "the configuration files are refused; serving the last good one, %s:\n%s",
                config.version,
                "\n".join(refused["problems"]),
            )
        preload(config, clock().year)
        return cls(settings, config, clock, refused, seen)

    @property
    def overrides(self) -> tuple:
        """The overrides in force and planned (`ivr.domain.model.Override`): a `CallFlow` picks the
        one of each line in force at its own instant."""
        return self._overrides[1]

    def overrides_now(self) -> tuple[int, tuple]:
        """The overrides, and their version (for keys of cached answers: an answer is kept
        for a minute, and overrides start and end on the minute)."""
        return self._overrides

    def publish_overrides(self, fresh) -> None:
        """The overrides in force and planned, as last read from the database."""
        fresh = tuple(fresh)
        version, known = self._overrides
        if fresh != known:
            self._overrides = (version + 1, fresh)

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
            self.last_refused = {
                "at": self.clock().isoformat(),
                "problems": [scrub(problem) for problem in errors],
            }
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

    def health(self) -> dict:
        return {
            "config_version": self.config.version,
            "config_loaded_at": self.loaded_at.isoformat(),
            "last_refused_change": self.last_refused,
            "lines": sorted(self.config.lines),
        }


def _sources(settings) -> tuple[Path, Path]:
    config_dir = Path(settings.config_dir)
    return config_dir, Path(settings.prompts_dir or config_module.default_prompts_dir(config_dir))
