"""Reads one line's file: its numbers, languages, schedule, contacts and steps."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ivr.config.contacts import read_contacts
from ivr.config.fields import ID, Fields
from ivr.config.numbers import NUMBER_FORMS, Routes, read_caller_id
from ivr.config.reading import Mapping, Reader
from ivr.config.schedules import read_schedule
from ivr.config.steps import References, check_steps, read_steps
from ivr.domain import model, phone

LINE_KEYS = {
    "id",
    "name",
    "numbers",
    "languages",
    "schedule",
    "contacts",
    "when_open",
    "when_closed",
    "steps",
    "messages",
    "caller_id",
    "organisation",
    "notify",
}
# An address to mail: something@somewhere.tld, no spaces, no display name.
ADDRESS = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[a-z]{2,}$", re.IGNORECASE)
MESSAGES_KEYS = {"keep_days_after_done", "keep_days_at_most"}


def usable_id(text: str) -> str:
    """'Écoute Ados' -> 'ecoute-ados'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "my-line"


def looks_like_a_copy(lr: LineReader, other: LineReader) -> bool:
    """Of two line files that clash, whether `lr` is the copy: its name is not its id, and
    the other's is."""

    def named_after_its_id(reader: LineReader) -> bool:
        return Path(reader.r.file).stem == str(reader.data.get("id"))

    return not named_after_its_id(lr) and named_after_its_id(other)


class LineReader:
    """Reads a line file into a `model.Line`; keeps the file and what it names (`refs`) for
    the checks that need the whole configuration."""

    def __init__(self, r: Reader, data: Mapping, routes: Routes):
        self.r = r
        self.data = data
        self.routes = routes
        self.refs = References()
        self.broken_contacts: set[str] = set()  # written, but not read: their error is said

    def read(self) -> model.Line | None:
        r, data = self.r, self.data
        if not isinstance(data, Mapping):
            r.error(
                getattr(data, "line", 1),
                "a line's file holds its settings, each 'name: value' on a line of its own, "
                "from the first column: 'id: ...', 'name: ...', 'numbers: ...'"
                + (", not a list: remove the '- '" if isinstance(data, list) else ""),
            )
            return None
        f = Fields(r, data, "the line", LINE_KEYS)
        line_id = f.text("id") or ""
        if line_id and not ID.match(line_id):
            r.error(
                f.line("id"),
                f"'{line_id}' is not a usable id; use lowercase letters, digits and -, such as "
                f"'{usable_id(line_id)}'",
            )
            line_id = ""  # the prompts and services that name the line cannot be checked
        name = f.text("name", required=False, default=line_id)
        organisation = self._organisation(f)
        numbers = self._numbers(f)
        caller_id = self._caller_id(f)
        languages = f.languages()
        schedule = None
        sched_map = f.mapping("schedule")
        if sched_map is not None:
            schedule = read_schedule(r, sched_map, "the schedule", languages[0], f.line("schedule"))
        contacts = read_contacts(r, f, self.routes, self.broken_contacts)
        steps = read_steps(r, f, self.refs)
        for key in ("when_open", "when_closed"):
            target = f.text(key)
            if target:
                self.refs.steps.append((f.line(key), target))
                self.refs.entries.append(target)
        check_steps(r, data.get("steps"), steps, self.refs)
        if not (line_id and numbers and schedule and steps is not None):
            return None
        return model.Line(
            id=line_id,
            name=name,
            numbers=tuple(numbers),
            languages=tuple(languages),
            schedule=schedule,
            when_open=f.text("when_open", required=False) or model.END,
            when_closed=f.text("when_closed", required=False) or model.END,
            steps=steps,
            contacts=contacts,
            source=r.file,
            retention=self._retention(f),
            caller_id=caller_id,
            organisation=organisation,
            notify=self._notify(f, steps),
        )

    def _organisation(self, f: Fields) -> str | None:
        """`organisation:` whose line it is: its accounts see it, its key seals its messages
        (docs/privacy.md). None: the line is its own organisation."""
        written = f.text("organisation", required=False)
        if written is None:
            return None
        if not ID.match(written):
            self.r.error(
                f.line("organisation"),
                f"'{written}' is not a usable organisation; use lowercase letters, digits and -, "
                f"such as '{usable_id(written)}'",
            )
            return None
        return written

    def _retention(self, f: Fields) -> model.Retention:
        """`messages:` how long its messages are kept (docs/privacy.md)."""
        default = model.Retention()
        m = f.mapping("messages", required=False)
        if m is None:
            return default
        g = Fields(self.r, m, "'messages'", MESSAGES_KEYS)
        after_done = g.number("keep_days_after_done", default.days_after_done, 0, 3650)
        at_most = g.number("keep_days_at_most", default.days_at_most, 1, 3650)
        if after_done > at_most:
            self.r.error(
                g.line("keep_days_after_done"),
                f"messages are kept {at_most} days at most, so not {after_done} days after "
                "being done; raise keep_days_at_most or lower keep_days_after_done",
            )
        return model.Retention(after_done, at_most)

    def _notify(self, f: Fields, steps) -> tuple[str, ...]:
        """`notify:` the addresses mailed when a caller leaves a message; a line that takes
        messages and mails nobody is warned about (someone must open the console to know)."""

        addresses = []
        seq = f.sequence("notify", required=False)
        for written, ln in zip(seq or [], (seq.item_lines if seq else []), strict=True):
            address = str(written).strip()
            if not ADDRESS.match(address):
                self.r.error(
                    ln, f"'{written}' is not a mail address; write one such as team@example.org"
                )
            elif address.lower() in (a.lower() for a in addresses):
                self.r.error(ln, f"'{address}' is listed twice")
            else:
                addresses.append(address)
        takes_messages = any(
            action.takes_messages for actions in steps.values() for action in actions
        )
        if takes_messages and not addresses and seq is None:
            self.r.warn(
                f.line("steps"),
                "this line takes messages but mails nobody when one arrives: add "
                "'notify: [team@example.org]' with the addresses of those who call back "
                "(docs/operators.md, 'Mail when a message waits')",
                kind="notify",
            )
        return tuple(addresses)

    def _caller_id(self, f: Fields) -> str | None:
        """`caller_id:` what the phones the line's transfers ring show: a number, or
        `number:` and `placeholder: true` while the real one is not known."""
        if not f.has("caller_id"):
            return None
        value = self.data["caller_id"]
        if isinstance(value, Mapping):
            g = Fields(self.r, value, "'caller_id'", {"number", "placeholder"})
            written = g.text("number")
            if written is None:
                return None
            placeholder = g.flag("placeholder", False)
            return read_caller_id(
                self.r, g.line("number"), written, "caller_id", placeholder=placeholder
            )
        written = f.text("caller_id")
        if written is None:
            return None  # not a single value: said
        return read_caller_id(self.r, f.line("caller_id"), written, "caller_id")

    def _numbers(self, f: Fields) -> list[str]:
        """The Twilio numbers callers dial to reach the line."""
        numbers = []
        seq = f.sequence("numbers")
        for written, ln in zip(seq or [], (seq.item_lines if seq else []), strict=True):
            number = phone.normalise(str(written))
            if number is None:
                self.r.error(ln, f"'{written}' is not a phone number; {NUMBER_FORMS}")
            elif not phone.is_e164(number):
                self.r.error(
                    ln,
                    f"{number} is a short number, which Twilio never gives as the number "
                    "dialled: write the Twilio number callers reach the line on, such as "
                    "02 000 17 12 (docs/configuration.md, 'The numbers calls arrive on')",
                )
            else:
                numbers.append(number)
        if seq is not None and not seq:
            self.r.error(seq.line, "a line needs at least one number")
        return numbers
