"""`ivr new-line`: a new line from a few questions, read one a line from standard input: its
name, number, languages, hours, who answers, and where calls go while it is closed. It writes
the line's file and, in each of its languages, a section of prompts to put one's own words in;
both pass `ivr check` (tried on a copy of the configuration before anything is written)."""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ivr.cli.common import CommandError, Failure, read_config
from ivr.config import default_prompts_dir
from ivr.config.fields import ID
from ivr.config.lines import usable_id
from ivr.domain import languages, phone
from ivr.domain.schedule import ScheduleError, weekly_windows
from ivr.settings import Settings
from ivr.twilio import platform

LISTENING_LINE = "tele-accueil"  # the service that answers day and night (107; 106 in Dutch)
# Where callers go while the line is closed, or when the team does not answer: the step.
AFTER = {"1": "listening-line", "2": "message", "3": "choice"}
# The prompts each way needs, beside welcome, team_busy and closed_hours.
AFTER_PROMPTS = {
    "listening-line": ["putting_through"],
    "message": ["leave_message"],
    "choice": ["putting_through", "leave_message", "closed_menu"],
}


@dataclass
class NewLine:
    """What the operator answered."""

    name: str = ""
    id: str = ""
    number: str = ""
    languages: list[str] = field(default_factory=list)
    hours: list[tuple[str, str]] | None = None  # (days, windows) rows; None: always
    closed_on_holidays: bool = True
    team: list[str] = field(default_factory=list)
    caller_id: str = ""  # what the team's phone shows, when Twilio may not show `number`
    after: str = "listening-line"  # where callers go while closed: a step of AFTER


def new_line(args, settings: Settings) -> int:
    config_dir = Path(settings.config_dir)
    prompts_dir = Path(args.prompts) if args.prompts else default_prompts_dir(config_dir)
    config, problems = read_config(config_dir, prompts_dir)
    if config is None:
        errors = [p for p in problems if not p.warning]
        raise Failure(
            f"the configuration has {len(errors)} error(s), the first: {errors[0]}; run "
            "'ivr check' and fix them before adding a line"
        )
    line = Interview(Questions(sys.stdin, sys.stdout), config, config_dir, prompts_dir).run()
    files = {config_dir / f"{line.id}.yaml": line_file(line)}
    for lang in line.languages:
        path = prompts_dir / f"{lang}.yaml"
        files[path] = path.read_text(encoding="utf-8") + prompts_section(line, lang)
    said = tried(config_dir, prompts_dir, files)
    errors = [p for p in said if ": warning:" not in p]
    if errors:
        print("\n".join(errors))
        raise Failure("the line was not written: the check found the error(s) above")
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {config_dir / f'{line.id}.yaml'}")
    for lang in line.languages:
        print(f"added the section '{line.id}:' to {prompts_dir / f'{lang}.yaml'}")
    for problem in said:
        print(problem)
    print(
        f"\nNext: put your own words in the prompts under '{line.id}:', run 'ivr check', then "
        f"try a call: ivr call {line.id}"
    )
    return 0


class Questions:
    """Asks on `out`, reads each answer as one line of `answers`; asks again, saying why,
    as long as an answer does not fit: the answers before it are never thrown away. Only the
    end of the input (Ctrl-D) stops, and then nothing is written."""

    def __init__(self, answers, out):
        self.answers, self.out = answers, out

    def ask(self, question: str, read, default: str = ""):
        """`read(text)` -> (value, None), or (None, what is wrong and how to answer)."""
        shown = f" [{default}]" if default else ""
        while True:
            self.out.write(f"{question}{shown}: ")
            self.out.flush()
            text = self.answers.readline()
            if not text:
                self.out.write("\n")
                raise CommandError(f"no answer to '{question}': nothing was written")
            if not self.answers.isatty():
                self.out.write(text if text.endswith("\n") else text + "\n")  # as typed
            value, problem = read(text.strip() or default)
            if problem is None:
                return value
            self.out.write(f"  {problem}\n")


class Interview:
    """The questions, each answer checked against the configuration as it is."""

    def __init__(self, questions: Questions, config, config_dir: Path, prompts_dir: Path):
        self.q, self.config = questions, config
        self.config_dir, self.prompts_dir = config_dir, prompts_dir
        self.number = ""  # the new line's, once given

    def run(self) -> NewLine:
        line, q = NewLine(), self.q
        line.name = q.ask("The line's name, as callers hear it (such as Écoute Ados)", _name)
        line.id = q.ask(
            "Its short name in the files (lowercase, digits, -)", self._id, usable_id(line.name)
        )
        line.number = q.ask(
            "The number callers dial, as Twilio gives it (such as 02 555 01 23)", self._number
        )
        if not platform.shows(line.number):
            line.caller_id = q.ask(
                f"{phone.written(line.number)} is {phone.kind(line.number)}, which Twilio cannot "
                "show on the calls it puts through: the Belgian geographic or mobile number "
                "the line holds at Twilio, to show instead (such as 02 555 01 23)",
                self._caller_id,
            )
        line.languages = q.ask(
            f"The languages it speaks, the first one the default ({', '.join(languages.codes())})",
            self._languages,
            "fr",
        )
        line.hours = q.ask(
            "Its opening hours (such as: mon-fri 09:00-17:00; sat 10:00-12:00; or: always)",
            _hours,
            "mon-fri 09:00-17:00",
        )
        if line.hours is not None:
            line.closed_on_holidays = q.ask(
                "Closed on Belgian public holidays? (yes or no)", _yes, "yes"
            )
        self.number = line.number
        line.team = q.ask(
            "Who answers: the team's phone number (several: separated by commas)", self._team
        )
        choices = ["2 they leave a message"]
        if LISTENING_LINE in self.config.services:
            choices = [
                "1 they are put through to Télé-Accueil 107 (Tele-Onthaal 106 in Dutch)",
                *choices,
                "3 they choose one of the two",
            ]
        line.after = q.ask(
            "While the line is closed, and when the team does not answer: " + "; ".join(choices),
            lambda text: _choice(text, [c[0] for c in choices]),
            choices[0][0],
        )
        return line

    def _id(self, text: str):
        if not ID.match(text):
            return None, f"'{text}' is not usable: use lowercase letters, digits and -"
        if text in self.config.lines or (self.config_dir / f"{text}.yaml").exists():
            return None, f"there is a line '{text}' already: choose another"
        section = re.compile(rf"^[\"']?{re.escape(text)}[\"']?\s*:", re.MULTILINE)
        for prompts in sorted(self.prompts_dir.glob("*.yaml")):
            if section.search(prompts.read_text(encoding="utf-8", errors="replace")):
                return None, (
                    f"{prompts} still has a section '{text}' (of a line removed?): choose "
                    "another name, or remove that section first"
                )
        return text, None

    def _number(self, text: str):
        number = phone.normalise(text)
        if number is None or not phone.is_e164(number):
            return None, "that is not a number Twilio gives: write it such as 02 555 01 23"
        if number in self.config.line_by_number:
            return None, f"{number} is the number of line '{self.config.line_by_number[number].id}'"
        return number, None

    def _caller_id(self, text: str):
        number = phone.normalise(text)
        if number is None or not phone.is_e164(number):
            return None, "that is not a phone number: write it such as 02 555 01 23"
        problem = platform.caller_id_problem(number)
        if problem:
            return None, f"{phone.written(number)} {problem}"
        return number, None

    def _languages(self, text: str):
        chosen = [lang for lang in re.split(r"[\s,;]+", text.lower()) if lang]
        wrong = [lang for lang in chosen if not languages.known(lang)]
        if wrong or not chosen:
            return None, f"write some of: {', '.join(languages.codes())}, such as: fr, nl"
        missing = [lang for lang in chosen if not (self.prompts_dir / f"{lang}.yaml").exists()]
        if missing:
            return None, f"there is no prompts file for {', '.join(missing)} in {self.prompts_dir}"
        return list(dict.fromkeys(chosen)), None

    def _team(self, text: str):
        numbers = []
        for written in text.split(","):
            number = phone.normalise(written)
            if number is None or phone.is_emergency(number) or not phone.is_e164(number):
                return None, (
                    f"'{written.strip()}' is not a phone number the team answers: write it such "
                    "as 0470 12 34 56"
                )
            if number in self.config.line_by_number or number == self.number:
                return None, f"{number} is the number of one of our lines, not of a team"
            numbers.append(number)
        return numbers, None


def _name(text: str):
    return (text, None) if text else (None, "the name is said to callers: write one")


def _hours(text: str):
    if text.lower() == "always":
        return None, None
    rows = []
    for part in text.split(";"):
        match = re.match(r"^\s*(.+?)[\s:]+(\d.*)$", part)
        if not match:
            return None, f"'{part.strip()}' is not days and hours, such as mon-fri 09:00-17:00"
        rows.append((match[1].strip(), match[2].strip()))
    try:
        weekly_windows(rows)
    except ScheduleError as exc:
        return None, str(exc)
    return rows, None


def _yes(text: str):
    answer = text.lower()
    if answer in ("yes", "y", "oui", "ja"):
        return True, None
    if answer in ("no", "n", "non", "nee", "nein"):
        return False, None
    return None, "answer yes or no"


def _choice(text: str, keys: list[str]):
    if text in keys:
        return AFTER[text], None
    return None, f"answer {' or '.join(keys)}"


def quoted(text: str) -> str:
    """A text as YAML reads it back whatever it holds."""
    return json.dumps(text, ensure_ascii=False)


def line_file(line: NewLine) -> str:
    if line.hours is None:
        hours = "  hours: always\n"
    else:
        rows = "".join(f"    {days}: {spans}\n" for days, spans in line.hours)
        holidays = "closed" if line.closed_on_holidays else "open"
        hours = f"  hours:\n{rows}  public_holidays: {holidays}\n"
    team = (
        f"    number: {quoted(line.team[0])}\n"
        if len(line.team) == 1
        else f"    numbers: [{', '.join(quoted(n) for n in line.team)}]\n"
    )
    after = {
        "listening-line": "  listening-line:\n    - say: putting_through\n"
        f"    - transfer: {LISTENING_LINE}\n",
        "message": "  message:\n    - voicemail: leave_message\n",
    }
    steps = after.get(line.after) or "".join(after.values()) + (
        "  choice:\n    - menu:\n        prompt: closed_menu\n        options:\n"
        '          "1": listening-line\n          "2": message\n'
        "        on_failure: listening-line\n"
    )
    return (
        f"# {line.name}: written by `ivr new-line`; docs/configuration.md explains each setting.\n"
        f"id: {quoted(line.id)}\n"
        f"name: {quoted(line.name)}\n"
        f"numbers: [{quoted(line.number)}]\n"
        + (f"caller_id: {quoted(line.caller_id)}\n" if line.caller_id else "")
        + (
            "# Mailed when a caller leaves a message: put the team's addresses in, such as\n"
            "# [team@example.org] (empty, nobody is told: someone must look in the console).\n"
            "notify: []\n"
            if line.after != "listening-line"
            else ""
        )
        + f"languages: [{', '.join(line.languages)}]\n\n"
        f"schedule:\n  timezone: Europe/Brussels\n{hours}\n"
        f"contacts:\n  team:\n{team}\n"
        "when_open: open\nwhen_closed: closed\n\n"
        "steps:\n"
        "  open:\n    - say: [welcome, not_emergency]\n    - transfer: team\n"
        "      on_failure: team-unavailable\n\n"
        f"  team-unavailable:\n    - say: team_busy\n    - goto: {line.after}\n\n"
        "  closed:\n    - say: [welcome, not_emergency, closed_hours]\n"
        f"    - goto: {line.after}\n\n" + steps
    )


def prompts_section(line: NewLine, lang: str) -> str:
    keys = ["welcome", "team_busy", "closed_hours", *AFTER_PROMPTS[line.after]]
    # The registry's stubs, for the operator to replace with their own words.
    stubs = languages.get(lang).new_line_prompts
    texts = "".join(f"  {key}: {quoted(stubs[key])}\n" for key in keys)
    return (
        f"\n# {line.name}: written by `ivr new-line`; put your own words in.\n"
        f"{quoted(line.id)}:\n{texts}"
    )


def tried(config_dir: Path, prompts_dir: Path, files: dict[Path, str]) -> list[str]:
    """What `ivr check` says of the configuration with `files` written, tried on a copy; only
    what is about the files written, as the real paths."""
    with tempfile.TemporaryDirectory(prefix="ivr-new-line-") as folder:
        copies = {config_dir: Path(folder) / "config", prompts_dir: Path(folder) / "prompts"}
        for real, copy in copies.items():
            shutil.copytree(real, copy)
        for path, text in files.items():
            real = next(r for r in copies if path.parent == r)
            (copies[real] / path.name).write_text(text, encoding="utf-8")
        _, problems = read_config(copies[config_dir], copies[prompts_dir])
        said = []
        for problem in sorted(problems, key=lambda p: (p.warning, p.file, p.line)):
            text = str(problem)
            for real, copy in copies.items():
                text = text.replace(str(copy), str(real))
            if any(text.startswith(str(path)) for path in files):
                said.append(text)
        return said
