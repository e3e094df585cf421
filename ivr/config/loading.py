"""Reads a whole configuration folder and its prompts into a `model.Config`, or the problems
that stop it."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from ivr.config.checks import Unread, check_lines, check_services_lines
from ivr.config.console import CONSOLE_FILE, read_console
from ivr.config.emergency import check_emergency_numbers
from ivr.config.lines import LineReader, looks_like_a_copy
from ivr.config.numbers import TRUNKS_FILE, Routes, read_trunks
from ivr.config.prompt_checks import (
    check_console_prompts,
    check_prompt_sections,
    check_shared_prompts,
)
from ivr.config.prompts import AUDIO_DIR, VOICES_FILE, read_prompts, read_voices
from ivr.config.reading import ConfigError, Mapping, Problem, Reader, fold, line_of, place
from ivr.config.services import SERVICES_FILE, read_services
from ivr.domain import languages, model
from ivr.twilio import platform


def default_prompts_dir(config_dir: Path) -> Path:
    sibling = config_dir.parent / "prompts"
    return sibling if sibling.is_dir() else Path("prompts")


def load(config_dir, prompts_dir=None) -> tuple[model.Config | None, list[Problem]]:
    """Reads everything; returns the compiled configuration (None on an error) and problems."""
    config_dir = Path(config_dir)
    prompts_dir = Path(prompts_dir) if prompts_dir else default_prompts_dir(config_dir)
    if not config_dir.is_dir():
        return None, [Problem(str(config_dir), 0, "there is no configuration folder here")]
    files = Files()
    trunks_reader, routes = _trunks(files, config_dir / TRUNKS_FILE)
    services_reader, services = _services(files, config_dir / SERVICES_FILE, routes)
    voices_reader, voices = _voices(files, config_dir / VOICES_FILE)
    prompts, prompt_readers = _prompts(files, prompts_dir)
    # Files that could not be read, or hold a mistake of their own (languages, for prompts):
    # nothing is checked against them, so that only the mistake is said, not what follows.
    unreadable = Unread(lang for lang, r in prompt_readers.items() if r.unreadable or r.errors)
    if services_reader is not None and services_reader.unreadable:
        unreadable.add(SERVICES_FILE)
    if services_reader is not None and isinstance(services_reader.data, Mapping):
        written = services_reader.data.get("services")
        unreadable.services = set(written or ()) - set(services)
    lines, readers, broken_line_files = _lines(files, config_dir, routes)
    console_reader, console = _console(files, config_dir / CONSOLE_FILE, services, lines)

    problems = files.problems
    if not lines and not any(not p.warning for p in problems):
        problems.append(Problem(str(config_dir), 0, "no line is configured (no *.yaml file)"))
    routes.report_missing(trunks_reader)
    if not broken_line_files:  # else a section may be the broken line's: nothing to say
        check_prompt_sections(prompts, prompt_readers, lines, unreadable)
    check_lines(readers, services, prompts, prompt_readers, unreadable, routes)
    check_emergency_numbers(readers, services, prompts, unreadable)
    # A line file that did not compile has its own errors; do not repeat them here.
    if services_reader is not None and not broken_line_files:
        check_services_lines(services_reader, services, lines)
    check_shared_prompts(prompts, prompt_readers, services, unreadable)
    check_console_prompts(console_reader, console, prompts, prompt_readers, unreadable)
    if trunks_reader is not None and not trunks_reader.unreadable:
        routes.warn_placeholders(trunks_reader)

    # A shared prompt is checked for each line that speaks it: said once.
    problems[:] = fold(list(dict.fromkeys(problems)))
    if any(not p.warning for p in problems):
        return None, problems
    # A service that is one of our lines answers with the line's own schedule.
    for sid, service in list(services.items()):
        if service.line:
            services[sid] = dataclasses.replace(service, schedule=lines[service.line].schedule)
    # Absolute: the web app serves recordings from here whatever its working folder (Flask
    # takes a relative folder as relative to its package, not to where we were started).
    audio_dir = (prompts_dir / AUDIO_DIR).resolve()
    version = files.digest.hexdigest()[:12]
    shown = frozenset(n for line in lines.values() for n in line.numbers if platform.shows(n))
    config = model.Config(
        lines, services, prompts, voices, version, str(audio_dir), console, shown=shown
    )
    return config, problems


def load_or_raise(config_dir, prompts_dir=None) -> model.Config:
    config, problems = load(config_dir, prompts_dir)
    if config is None:
        raise ConfigError([p for p in problems if not p.warning])
    return config


class Files:
    """The files of one configuration: their problems, and a digest of all they hold (the
    configuration's version)."""

    def __init__(self):
        self.problems: list[Problem] = []
        self.digest = hashlib.sha256()

    def reader(self, path: Path) -> Reader:
        return Reader(path, self.problems, str(path), self.digest)


def _trunks(files: Files, path: Path) -> tuple[Reader | None, Routes]:
    if not path.exists():
        return None, Routes({})
    r = files.reader(path)
    data = r.load()
    trunks = read_trunks(r, data) if data is not None else {}
    written = data.get("trunks") if isinstance(data, Mapping) else None
    broken = set(written) - set(trunks) if isinstance(written, Mapping) else set()
    # An unreadable trunks.yaml is reported once, not once per number that names a trunk.
    return r, Routes(trunks, unknown_trunks=r.unreadable or not written, broken=broken)


def _services(files: Files, path: Path, routes: Routes):
    if not path.exists():
        return None, {}
    r = files.reader(path)
    data = r.load()
    return r, read_services(r, data, routes) if data is not None else {}


def _voices(files: Files, path: Path) -> tuple[Reader, dict[str, model.Voice]]:
    r = files.reader(path)
    if not path.exists():
        r.error(0, "voices.yaml is missing; it names the voice of each language")
        return r, {}
    data = r.load()
    return r, read_voices(r, data) if data is not None else {}


def _console(files: Files, path: Path, services, lines):
    """console.yaml's reader and the phone console (None for either when there is none)."""
    if not path.exists():
        return None, None
    r = files.reader(path)
    data = r.load()
    return r, read_console(r, data, services, lines) if data is not None else None


def _prompts(files: Files, prompts_dir: Path):
    """The prompts of each language, and the reader of each language's file."""
    prompts: dict[str, dict[str, dict[str, model.Prompt]]] = {}
    readers: dict[str, Reader] = {}
    for path in sorted(prompts_dir.glob("*.yaml")):
        r = files.reader(path)
        lang = path.stem
        if not languages.known(lang):
            r.error(1, f"'{lang}' is not a language code; name the file fr.yaml, nl.yaml, ...")
            continue
        data = r.load()
        prompts[lang] = read_prompts(r, data, prompts_dir) if data is not None else {}
        readers[lang] = r
    return prompts, readers


def _same_id(line_id: str, lr: LineReader, first: LineReader) -> None:
    """Two files with one id: said once, in the one that is likely a copy (its name is not
    the id), naming the other."""
    copy, other = (first, lr) if looks_like_a_copy(first, lr) else (lr, first)
    copy.r.error(
        line_of(copy.data, "id"),
        f"this file has the id '{line_id}', as {place(other.r.file, line_of(other.data, 'id'))} "
        "has: each line file needs an id of its own; a copy kept as a backup goes outside the "
        "configuration folder",
    )


def _lines(files: Files, config_dir: Path, routes: Routes):
    """The lines that compiled, their readers, and how many line files did not compile."""
    lines: dict[str, model.Line] = {}
    readers: list[tuple[LineReader, model.Line]] = []
    broken = 0
    for path in sorted(config_dir.glob("*.y*ml")):
        if path.name in (SERVICES_FILE, VOICES_FILE, TRUNKS_FILE, CONSOLE_FILE):
            continue
        r = files.reader(path)
        if path.suffix != ".yaml":
            r.error(1, "name the file with the .yaml ending")
            continue
        data = r.load()
        if data is None:
            broken += 1
            continue
        lr = LineReader(r, data, routes)
        line = lr.read()
        if line is None:
            broken += 1
            continue
        if line.id in lines:
            _same_id(line.id, lr, next(other for other, li in readers if li.id == line.id))
            continue
        lines[line.id] = line
        readers.append((lr, line))
    return lines, readers, broken
