"""Loads and checks the operators' YAML files, and compiles them into `ivr.model` objects.

Every mistake is reported as a `Problem` with the file and line it comes from, phrased for an
operator: what is wrong and how to fix it. `ivr check` prints them; the app refuses to start on
an error. Warnings (a placeholder number, a short number the carrier must support) do not stop
anything.

The YAML is read with a restricted resolver: `19:00` stays a string (YAML 1.1 would make it the
number 1140), `no` stays a string (YAML 1.1 would make it false), dates stay strings; only
`true`/`false`, plain whole numbers and empty values are typed.

The files come from people, and may come from an attacker or a broken editor: a file larger
than `MAX_FILE_BYTES` is not read, anchors and aliases (the "billion laughs") and explicit tags
are refused while composing, as are collections nested deeper than `MAX_DEPTH`, more than
`MAX_NODES` values, whole numbers longer than `MAX_DIGITS` digits and control characters (which
TwiML, XML, cannot carry). Such a file is reported at the line of its problem, as not read, and
nothing that depends on it is checked further.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import stat
import string
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ivr import model, phone
from ivr.schedule import (
    ClosureDay,
    DatedException,
    Schedule,
    ScheduleError,
    parse_span,
    weekly_windows,
)

SERVICES_FILE = "services.yaml"
TRUNKS_FILE = "trunks.yaml"
VOICES_FILE = "voices.yaml"
KNOWN_LANGUAGES = ("fr", "nl", "de", "en")
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Placeholders the code fills, by where a prompt is used.
LINE_PLACEHOLDERS = {"line", "hours", "next_open", "number"}
REFERRAL_PLACEHOLDERS = {"name", "about", "number", "hours", "next_open"}
# Prompts the code itself speaks, in the `shared:` section of every language.
BUILTIN_PROMPTS = {
    "goodbye": LINE_PLACEHOLDERS,
    "invalid_choice": LINE_PLACEHOLDERS,
    "voicemail_thanks": LINE_PLACEHOLDERS,
    "referral": REFERRAL_PLACEHOLDERS,
    "referral_always": REFERRAL_PLACEHOLDERS,
    "referral_closed": REFERRAL_PLACEHOLDERS,
    "referral_offer": REFERRAL_PLACEHOLDERS,
    "transfer_failed": REFERRAL_PLACEHOLDERS,
    "language_option": {"key"},
    "whisper": {"line", "language"},
    "screen": {"line", "language"},
}
SERVICE_TEXTS = ("name", "about")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.file}:{self.line}: {kind}{self.message}"


class ConfigError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# -- YAML with line numbers -----------------------------------------------------------------

# An operator's file is a few KiB; the largest shipped one is under 10 KiB.
MAX_FILE_BYTES = 256 * 1024
# Collections inside collections; a line file needs 7.
MAX_DEPTH = 20
# Values (texts, lists, settings) in one file; the largest shipped file has under 200. Under
# the size limit alone a file could hold 90,000, which take seconds to compose.
MAX_NODES = 10_000
# Digits of a plain whole number: settings are seconds, keys and the like.
MAX_DIGITS = 9
# Control characters reported per file: the first few say enough.
MAX_REPORTED = 5
# What XML 1.0 (so TwiML) cannot carry: C0 controls but tab, newline and carriage return,
# surrogates, U+FFFE and U+FFFF; and DEL and the C1 controls, which nobody means to write.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Where PyYAML starts a new line, so that our line numbers are its own (it also breaks at
# U+0085, refused here as a control character).
LINE_BREAK = re.compile("\r\n|[\r\n\u2028\u2029]")
CONTROL_NAMES = {
    "\x00": "a null character",
    "\x0b": "a vertical tab, which word processors write for a line break",
    "\x0c": "a page break",
    "\x1b": "an escape character",
    "\x7f": "a delete character",
}


def control_name(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        what = "half of a broken character (a lone surrogate)"
    elif code in (0xFFFE, 0xFFFF):
        what = "a non-character"
    else:
        what = CONTROL_NAMES.get(char, "a control character")
    return f"U+{code:04X}, {what}"


class Refused(Exception):
    """A file that is not read at all: what is wrong, at which line."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class _Loader(yaml.SafeLoader):
    """Composes the document under the limits, before anything of it is converted."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0
        self.nodes = 0
        self.controls: list[tuple[int, str]] = []  # (line, character) of escaped controls

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise Refused(
                line, "anchors (&) and aliases (*) are not allowed; write the text out in full"
            )
        if event.tag is not None:
            raise Refused(
                line,
                f"'{_tag(event.tag)}' is a YAML tag, which is not allowed; write the "
                "value plainly, and put text that starts with ! in quotes",
            )
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Refused(
                line,
                f"the file holds more than {MAX_NODES:,} values by here; no configuration needs "
                "that many, so it is not read: is this the right file?",
            )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise Refused(
                    line,
                    f"the settings are nested more than {MAX_DEPTH} levels deep here; no setting "
                    "needs that many: check the indentation and the [ ] and { } pairs",
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def compose_scalar_node(self, anchor):
        node = super().compose_scalar_node(anchor)
        line = node.start_mark.line + 1
        if node.tag.endswith(":int") and len(node.value) > MAX_DIGITS:
            shown = node.value if len(node.value) <= 20 else node.value[:12] + "..."
            raise Refused(
                line,
                f"'{shown}' is a number of {len(node.value)} digits; no setting takes more than "
                f"{MAX_DIGITS}. A phone number is written in quotes with +32, such as "
                '"+3280030030"',
            )
        for char in dict.fromkeys(CONTROL.findall(node.value)):
            self.controls.append((line, char))
        return node


_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^(?:0|[1-9][0-9]*)$"), None)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class Mapping(dict):
    """A YAML mapping that remembers where it and each of its keys stand."""

    line: int = 0
    key_lines: dict


class Sequence(list):
    line: int = 0
    item_lines: list


class Reader:
    """Reads one YAML file and collects its problems."""

    def __init__(self, path: Path, problems: list[Problem], display: str, digest=None):
        self.path = path
        self.file = display
        self.problems = problems
        self.data = None
        self.digest = digest  # updated with the bytes read
        # The file could not be read (too large, not YAML, refused): its one problem is
        # reported, and nothing that depends on it is checked further.
        self.unreadable = False

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message, warning=True))

    def load(self):
        self.data = None
        try:
            self.data = self._load()
        except Refused as exc:
            self.error(exc.line, exc.message)
        self.unreadable = self.data is None
        return self.data

    def _load(self):
        raw = self._read_bytes()
        if self.digest is not None:
            self.digest.update(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Refused(
                raw[: exc.start].count(b"\n") + 1,
                "this line is not UTF-8 text (a character the file's encoding garbled); save "
                "the file as UTF-8 text",
            ) from None
        if self._control_characters(text):
            return None
        loader = None
        try:
            loader = _Loader(text)
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            raise Refused(
                line,
                f"this is not valid YAML ({exc.problem}); check the indentation and that "
                "text with ':' or '#' in it is quoted",
            ) from None
        except yaml.YAMLError as exc:
            position = getattr(exc, "position", None)
            line = text[:position].count("\n") + 1 if isinstance(position, int) else 1
            raise Refused(line, f"this is not valid YAML ({exc}); check the file") from None
        finally:
            if loader is not None:
                loader.dispose()
        if loader.controls:
            for line, char in loader.controls[:MAX_REPORTED]:
                self.error(
                    line,
                    f"this text asks for an invisible control character ({control_name(char)}), "
                    "which cannot be spoken nor sent to Twilio; remove the \\ escape that "
                    'writes it (such as "\\v"); for a new line, write on the next line',
                )
            return None
        if node is None:
            raise Refused(1, "the file is empty")
        return self._convert(node)

    def _read_bytes(self) -> bytes:
        """The file, if it is an ordinary file of at most MAX_FILE_BYTES: its size is looked
        at before reading, and no more than that is ever read."""
        limit = f"{MAX_FILE_BYTES // 1024} KiB"
        try:
            info = self.path.stat()
            if not stat.S_ISREG(info.st_mode):
                raise Refused(1, "this is not an ordinary file; put a YAML text file here")
            too_large = Refused(
                1,
                f"the file is {_size(info.st_size)}, larger than the {limit} a configuration "
                "file may be (they are a few KiB), so it is not read; is this the right file?",
            )
            if info.st_size > MAX_FILE_BYTES:
                raise too_large
            with self.path.open("rb") as file:
                raw = file.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise Refused(
                1, f"cannot read the file ({exc.strerror or exc}); save it as UTF-8 text"
            ) from None
        if len(raw) > MAX_FILE_BYTES:
            raise too_large
        return raw

    def _control_characters(self, text: str) -> bool:
        """Control characters written in the file itself (PyYAML would refuse the file with a
        ReaderError that has no line): reports the first lines that hold one."""
        if not CONTROL.search(text):
            return False
        lines: dict[int, str] = {}
        for number, content in enumerate(LINE_BREAK.split(text), start=1):
            match = CONTROL.search(content)
            if match:
                lines[number] = match[0]
                if len(lines) == MAX_REPORTED:
                    break
        for line, char in lines.items():
            self.error(
                line,
                f"this line holds an invisible control character ({control_name(char)}), "
                "which cannot be spoken nor sent to Twilio; delete it (retype the text around "
                "it in a plain text editor)",
            )
        return bool(lines)

    def _convert(self, node):
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result = Mapping()
            result.line, result.key_lines = line, {}
            for key_node, value_node in node.value:
                key = self._convert(key_node)
                key = str(key) if key is not None else ""
                key_line = key_node.start_mark.line + 1
                if key in result:
                    self.error(key_line, f"'{key}' is written twice here; keep only one")
                result[key] = self._convert(value_node)
                result.key_lines[key] = key_line
            return result
        if isinstance(node, yaml.SequenceNode):
            result = Sequence(self._convert(item) for item in node.value)
            result.line = line
            result.item_lines = [item.start_mark.line + 1 for item in node.value]
            return result
        if node.tag.endswith(":bool"):
            return node.value.lower() == "true"
        if node.tag.endswith(":int"):
            return int(node.value)
        if node.tag.endswith(":null"):
            return None
        return node.value


def _tag(tag: str) -> str:
    """A tag as it was written: !!str for tag:yaml.org,2002:str."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml") else tag


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / 1024:.0f} KiB"


def _line_of(mapping, key: str) -> int:
    if isinstance(mapping, Mapping):
        return mapping.key_lines.get(key, mapping.line)
    return getattr(mapping, "line", 1)


# -- typed field access ---------------------------------------------------------------------


class Fields:
    """Reads the fields of one mapping, reporting missing, mistyped and unknown ones."""

    def __init__(self, reader: Reader, mapping: Mapping, what: str, known: set[str]):
        self.r, self.m, self.what = reader, mapping, what
        for key in mapping:
            if key not in known:
                hint = ", ".join(sorted(known))
                self.r.error(
                    _line_of(mapping, key),
                    f"{what} has no setting '{key}'; the settings are: {hint}",
                )

    def line(self, key: str) -> int:
        return _line_of(self.m, key)

    def has(self, key: str) -> bool:
        return key in self.m and self.m[key] is not None

    def text(self, key: str, *, required: bool = True, default: str | None = None):
        value = self.m.get(key)
        if value is None:
            if required:
                self.r.error(self.line(key), f"{self.what} needs '{key}:'")
            return default
        if isinstance(value, Mapping | Sequence) or isinstance(value, bool):
            self.r.error(self.line(key), f"'{key}' must be a single value")
            return default
        return str(value)

    def number(self, key: str, default: int, low: int, high: int) -> int:
        value = self.m.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.r.error(
                self.line(key), f"'{key}' must be a whole number from {low} to {high}, not {value}"
            )
            return default
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.m.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.r.error(self.line(key), f"'{key}' must be true or false, not {value}")
            return default
        return value

    def mapping(self, key: str, *, required: bool = True) -> Mapping | None:
        value = self.m.get(key)
        if value is None:
            if required:
                self.r.error(self.line(key), f"{self.what} needs '{key}:'")
            return None
        if not isinstance(value, Mapping):
            self.r.error(self.line(key), f"'{key}' must hold indented 'name: value' lines")
            return None
        return value

    def sequence(self, key: str, *, required: bool = True) -> Sequence | None:
        value = self.m.get(key)
        if value is None:
            if required:
                self.r.error(self.line(key), f"{self.what} needs '{key}:'")
            return None
        if not isinstance(value, Sequence):
            if isinstance(value, str | int):
                seq = Sequence([value])
                seq.line, seq.item_lines = self.line(key), [self.line(key)]
                return seq
            self.r.error(self.line(key), f"'{key}' must be a list, one '- item' per line")
            return None
        return value


# -- schedules ------------------------------------------------------------------------------

SCHEDULE_KEYS = {"timezone", "hours", "public_holidays", "closure_days", "exceptions"}


def read_schedule(r: Reader, m: Mapping, what: str, language: str, at: int) -> Schedule | None:
    """`at` is the line of the `schedule:` key, where a missing setting is reported."""
    f = Fields(r, m, what, SCHEDULE_KEYS)
    timezone = f.text("timezone", required=False, default="Europe/Brussels")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        r.error(f.line("timezone"), f"'{timezone}' is not a time zone; write Europe/Brussels")
        return None
    ok = True
    hours = m.get("hours")
    always = hours == "always"
    windows = ()
    if hours is None:
        r.error(at, f"{what} needs 'hours:', for example 'mon-fri: 09:00-19:00' or 'always'")
        ok = False
    elif not always:
        if not isinstance(hours, Mapping):
            r.error(
                f.line("hours"),
                "'hours' must be 'always' or indented lines such as 'mon-fri: 09:00-19:00'",
            )
            ok = False
        else:
            rows = []
            for days, spans in hours.items():
                if isinstance(spans, Sequence):
                    spans = ", ".join(str(s) for s in spans)
                try:
                    weekly_windows([(days, str(spans))])
                    rows.append((days, str(spans)))
                except ScheduleError as exc:
                    r.error(_line_of(hours, days), str(exc))
                    ok = False
            try:
                windows = weekly_windows(rows)
            except ScheduleError as exc:
                r.error(f.line("hours"), f"{exc}; a line cannot open twice at the same time")
                ok = False
    holidays_policy = m.get("public_holidays")
    if holidays_policy is None and not always:
        r.error(
            at,
            f"{what} needs 'public_holidays: closed' or 'public_holidays: open' "
            "(Belgian public holidays come from the holidays package)",
        )
        ok = False
    elif holidays_policy not in (None, "closed", "open"):
        r.error(f.line("public_holidays"), "'public_holidays' must be 'closed' or 'open'")
        ok = False
    closure_days = _read_closure_days(r, f)
    exceptions = _read_exceptions(r, f)
    if not ok or closure_days is None or exceptions is None:
        return None
    return Schedule(
        timezone=timezone,
        windows=windows,
        closes_on_public_holidays=holidays_policy == "closed",
        closure_days=tuple(closure_days),
        exceptions=tuple(exceptions),
        holiday_language=language if language in ("fr", "nl", "de") else "en_US",
        always_open=always,
    )


_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _read_closure_days(r: Reader, f: Fields):
    seq = f.sequence("closure_days", required=False)
    if seq is None:
        return []
    result, ok = [], True
    for item, line in zip(seq, seq.item_lines, strict=True):
        if not isinstance(item, Mapping):
            r.error(line, "a closure day is written as 'date: 07-11' and 'name: ...'")
            ok = False
            continue
        g = Fields(r, item, "a closure day", {"date", "name"})
        text = g.text("date") or ""
        name = g.text("name") or ""
        match = _MONTH_DAY.match(text)
        try:
            date(2024, int(match[1]), int(match[2]))  # a leap year admits 02-29
            result.append(ClosureDay(int(match[1]), int(match[2]), name))
        except (TypeError, ValueError):
            r.error(
                g.line("date"),
                f"'{text}' is not a day of the year; write month-day, such as 07-11 for 11 July",
            )
            ok = False
    return result if ok else None


def _read_exceptions(r: Reader, f: Fields):
    seq = f.sequence("exceptions", required=False)
    if seq is None:
        return []
    result, ok = [], True
    for item, line in zip(seq, seq.item_lines, strict=True):
        if not isinstance(item, Mapping):
            r.error(line, "an exception needs 'dates:', 'status:' and 'reason:'")
            ok = False
            continue
        g = Fields(r, item, "an exception", {"dates", "hours", "status", "reason"})
        dates = g.text("dates") or ""
        status = g.text("status")
        reason = g.text("reason") or ""
        parts = [p.strip() for p in dates.split("..")]
        try:
            if len(parts) > 2 or not all(_DATE.match(p) for p in parts):
                raise ValueError
            first = date.fromisoformat(parts[0])
            last = date.fromisoformat(parts[-1])
            if last < first:
                raise ValueError
        except ValueError:
            r.error(
                g.line("dates"),
                f"'{dates}' is not a date or a period; write 2026-12-24 or "
                "2026-12-24..2026-12-31 (first and last day)",
            )
            ok = False
            continue
        start, end = 0, 24 * 60
        if g.has("hours"):
            try:
                start, end = parse_span(str(item["hours"]))
            except ScheduleError as exc:
                r.error(g.line("hours"), str(exc))
                ok = False
                continue
        if status not in ("open", "closed"):
            if status is not None:
                r.error(g.line("status"), "'status' must be 'open' or 'closed'")
            ok = False
            continue
        result.append(DatedException(first, last, start, end, status == "open", reason))
    return result if ok else None


# -- phone numbers and trunks -----------------------------------------------------------------

TRUNK_KEYS = {"sip", "transport", "region", "byoc", "placeholder"}
# Twilio's regions for SIP: without one, calls to the carrier leave from the United States.
SIP_REGIONS = ("ie1", "de1", "us1", "us2", "br1", "au1", "jp1", "sg1")
BYOC_SID = re.compile(r"^BY[0-9a-f]{32}$")
SIP_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$")
SIP_TRANSPORTS = ("udp", "tcp", "tls")


def read_trunks(r: Reader, data) -> dict[str, model.Trunk]:
    """`trunks.yaml`: the carrier connections that dial what Twilio cannot (short numbers)."""
    trunks: dict[str, model.Trunk] = {}
    if not isinstance(data, Mapping) or not isinstance(data.get("trunks"), Mapping):
        r.error(getattr(data, "line", 1), "the file must start with 'trunks:'")
        return trunks
    for name, item in data["trunks"].items():
        line = _line_of(data["trunks"], name)
        if not ID.match(name):
            r.error(line, f"'{name}' is not a usable name; use lowercase letters, digits and -")
            continue
        if not isinstance(item, Mapping):
            r.error(line, f"trunk '{name}' needs 'sip: host' or 'byoc: BY...'")
            continue
        f = Fields(r, item, f"trunk '{name}'", TRUNK_KEYS)
        sip = f.text("sip", required=False)
        byoc = f.text("byoc", required=False)
        transport = f.text("transport", required=False)
        region = f.text("region", required=False)
        placeholder = f.flag("placeholder", False)
        if bool(sip) == bool(byoc):
            r.error(
                line,
                f"trunk '{name}' needs either 'sip:' (the carrier's SIP address, such as "
                "sip.carrier.be) or 'byoc:' (a Twilio BYOC trunk, BY and 32 characters)",
            )
            continue
        if sip and not SIP_HOST.match(sip):
            r.error(
                f.line("sip"),
                f"'{sip}' is not a SIP host; write only the host (and :port), such as "
                "sip.carrier.be or sip.carrier.be:5061, without 'sip:' or a number",
            )
            continue
        if byoc and not BYOC_SID.match(byoc):
            r.error(
                f.line("byoc"),
                f"'{byoc}' is not a BYOC trunk SID; copy it from Twilio's console (Voice > "
                "BYOC Trunks): BY followed by 32 characters 0-9 and a-f",
            )
            continue
        if transport and (byoc or transport not in SIP_TRANSPORTS):
            r.error(
                f.line("transport"),
                "'transport' is for SIP trunks only, and is one of: " + ", ".join(SIP_TRANSPORTS),
            )
            continue
        if region and (byoc or region not in SIP_REGIONS):
            r.error(
                f.line("region"),
                "'region' is for SIP trunks only, and is one of: " + ", ".join(SIP_REGIONS),
            )
            continue
        trunks[name] = model.Trunk(name, sip, transport, region, byoc, placeholder)
    return trunks


class Routes:
    """Reads numbers and the trunk (`via:`) that reaches them; remembers which numbers go
    through each trunk, so that a placeholder trunk is named once, not once per number."""

    def __init__(self, trunks: dict[str, model.Trunk], *, unknown_trunks: bool = False):
        self.trunks = trunks
        self.uses: dict[str, list[str]] = {}
        # Each number Twilio dials: (reader, line, number, contact or service).
        self.dialled: list[tuple[Reader, int, str, str]] = []
        # trunks.yaml could not be read: any trunk named is taken as it is, without a word.
        self.unknown_trunks = unknown_trunks

    def read(
        self,
        r: Reader,
        line: int,
        number: str,
        what: str,
        *,
        via: str | None = None,
        via_line: int = 0,
        placeholder: bool = False,
        dialled: bool = True,
    ) -> model.Route | None:
        """`dialled` is False for a number we only tell callers about (one of our own lines,
        which a transfer enters without a phone call)."""
        if phone.is_emergency(number):
            r.error(
                line,
                f"{what}: {number} is an emergency number and Twilio cannot dial Belgian "
                "emergency services; tell callers to hang up and dial it instead (a 'say' prompt)",
            )
            return None
        if phone.is_national(number):
            r.warn(
                line,
                f"{what}: {number} is written the national way; Twilio dials +32{number[1:]}, "
                "write it like that",
            )
            number = phone.dial_string(number)
        trunk = None
        if via:
            trunk = self.trunks.get(via)
            if trunk is None and self.unknown_trunks:
                trunk = model.Trunk(via)
            elif trunk is None:
                r.error(
                    via_line,
                    f"{what}: there is no trunk '{via}' in trunks.yaml; the trunks are: "
                    + (", ".join(sorted(self.trunks)) or "(none)"),
                )
                return None
        if not phone.is_e164(number) and not phone.is_short(number):
            r.error(
                line,
                f"{what}: '{number}' is not a phone number; write it as +32 followed by the "
                "number without its leading 0, such as +3280030030, or as a short number like 107",
            )
            return None
        if trunk is None and not phone.is_e164(number) and dialled:
            r.error(
                line,
                f"{what}: {number} is a short number, which Twilio cannot dial itself (it has no "
                "+32 form); say which trunk of trunks.yaml reaches it, such as 'via: carrier' "
                "(docs/deploy.md explains trunks)",
            )
            return None
        if placeholder:
            r.warn(line, f"{what}: {number} is a placeholder; replace it with the real number")
        if trunk is not None and trunk.name in self.trunks:
            self.uses.setdefault(trunk.name, []).append(number)
        if dialled:
            self.dialled.append((r, line, number, what))
        return model.Route(number, trunk)

    def warn_placeholders(self, r: Reader) -> None:
        for name, numbers in self.uses.items():
            trunk = self.trunks[name]
            if trunk.placeholder:
                unique = list(dict.fromkeys(numbers))
                r.warn(
                    _line_of(r.data["trunks"], name),
                    f"trunk '{name}' is a placeholder: until it is real, transfers to "
                    f"{', '.join(unique)} fail (callers then hear the number to dial "
                    "themselves); put in your carrier's details (docs/deploy.md)",
                )


# -- services -------------------------------------------------------------------------------

SERVICE_KEYS = {"number", "via", "languages", "schedule", "line", "placeholder", "instead"}


def read_services(r: Reader, data, routes: Routes) -> dict[str, model.Service]:
    services: dict[str, model.Service] = {}
    insteads: list[tuple[str, int, str, str]] = []  # service, line, language, other service
    if not isinstance(data, Mapping) or not isinstance(data.get("services"), Mapping):
        r.error(getattr(data, "line", 1), "the file must start with 'services:'")
        return services
    for sid, item in data["services"].items():
        line = _line_of(data["services"], sid)
        if not ID.match(sid):
            r.error(line, f"'{sid}' is not a usable name; use lowercase letters, digits and -")
            continue
        if not isinstance(item, Mapping):
            r.error(line, f"service '{sid}' needs indented settings: number, languages, schedule")
            continue
        f = Fields(r, item, f"service '{sid}'", SERVICE_KEYS)
        number = f.text("number") or ""
        placeholder = f.flag("placeholder", False)
        languages = _read_languages(r, f)
        sched_map = f.mapping("schedule", required=not f.has("line"))
        schedule = None
        if sched_map is not None:
            schedule = read_schedule(
                r, sched_map, f"the schedule of '{sid}'", languages[0], f.line("schedule")
            )
        elif f.has("line"):
            schedule = Schedule("Europe/Brussels", always_open=True)  # replaced by the line's
        instead = {}
        for lang, other in (f.mapping("instead", required=False) or {}).items():
            ln = _line_of(item["instead"], lang)
            if lang not in KNOWN_LANGUAGES:
                r.error(ln, f"'{lang}' is not a language code; use " + ", ".join(KNOWN_LANGUAGES))
            elif lang in languages:
                r.error(ln, f"'{sid}' speaks {lang} itself; remove this line")
            else:
                instead[lang] = str(other)
                insteads.append((sid, ln, lang, str(other)))
        route = None
        if number:
            route = routes.read(
                r,
                f.line("number"),
                number,
                sid,
                via=f.text("via", required=False),
                via_line=f.line("via"),
                placeholder=placeholder,
                dialled=not f.has("line"),
            )
        if route is not None:
            if schedule is not None and languages:
                services[sid] = model.Service(
                    id=sid,
                    route=route,
                    languages=tuple(languages),
                    schedule=schedule,
                    line=f.text("line", required=False),
                    placeholder=placeholder,
                    instead=instead,
                )
    for _sid, ln, lang, other in insteads:
        if other not in services:
            r.error(ln, f"there is no service '{other}'; the services are: " + ", ".join(services))
        elif lang not in services[other].languages:
            r.error(ln, f"'{other}' does not speak {lang}; add {lang} to its languages")
    return services


def _read_languages(r: Reader, f: Fields) -> list[str]:
    seq = f.sequence("languages")
    if seq is None:
        return ["fr"]
    languages = []
    for lang, line in zip(seq, seq.item_lines, strict=True):
        if lang not in KNOWN_LANGUAGES:
            r.error(
                line,
                f"'{lang}' is not a language the router speaks; use " + ", ".join(KNOWN_LANGUAGES),
            )
        elif lang in languages:
            r.error(line, f"'{lang}' is listed twice")
        else:
            languages.append(lang)
    return languages or ["fr"]


# -- lines ----------------------------------------------------------------------------------

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
}
ACTION_KEYS = {
    "say": set(),
    "menu": set(),
    "transfer": {"timeout", "on_failure"},
    "voicemail": {"max_length"},
    "referral": {"offer_transfer"},
    "goto": set(),
}
MENU_KEYS = {
    "prompt",
    "retry_prompt",
    "options",
    "on_failure",
    "timeout",
    "max_invalid",
    "max_silence",
}


CONTACT_KEYS = {"number", "numbers", "ring", "screening", "via", "placeholder"}
MAX_RING_GROUP = 10


class LineReader:
    def __init__(self, r: Reader, data: Mapping, routes: Routes):
        self.r = r
        self.data = data
        self.routes = routes
        self.prompt_uses: list[tuple[int, str, set[str]]] = []  # line, key, placeholders
        self.step_refs: list[tuple[int, str]] = []
        self.transfer_refs: list[tuple[int, str]] = []
        self.service_refs: list[tuple[int, str]] = []
        # Where a caller may be put through: (line, kind, target) of each transfer, and of
        # each referral that offers one (press 1).
        self.put_through: list[tuple[int, str, str]] = []
        self.entry_steps: list[str] = []

    def read(self) -> model.Line | None:
        r, data = self.r, self.data
        if not isinstance(data, Mapping):
            r.error(getattr(data, "line", 1), "a line file holds 'id:', 'numbers:', 'steps:' ...")
            return None
        f = Fields(r, data, "the line", LINE_KEYS)
        line_id = f.text("id") or ""
        if line_id and not ID.match(line_id):
            r.error(f.line("id"), f"'{line_id}' is not a usable id; use lowercase letters, - ")
        name = f.text("name", required=False, default=line_id)
        numbers = []
        seq = f.sequence("numbers")
        for number, ln in zip(seq or [], (seq.item_lines if seq else []), strict=True):
            number = str(number)
            if not phone.is_e164(number):
                r.error(
                    ln,
                    f"'{number}' is not a Twilio number in E.164 form; write it as +32 and "
                    'the number without its leading 0, quoted: "+3280030030"',
                )
            else:
                numbers.append(number)
        if seq is not None and not seq:
            r.error(seq.line, "a line needs at least one number")
        languages = _read_languages(r, f)
        schedule = None
        sched_map = f.mapping("schedule")
        if sched_map is not None:
            schedule = read_schedule(r, sched_map, "the schedule", languages[0], f.line("schedule"))
        contacts = self._contacts(f)
        steps = self._steps(f)
        for key in ("when_open", "when_closed"):
            target = f.text(key)
            if target:
                self.step_refs.append((f.line(key), target))
                self.entry_steps.append(target)
        self._check_step_refs(steps)
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
        )

    def _contacts(self, f: Fields) -> dict[str, model.Contact]:
        contacts = {}
        m = f.mapping("contacts", required=False) or {}
        for cid, item in m.items():
            line = _line_of(m, cid)
            if isinstance(item, str | int):
                item_map = Mapping({"number": str(item)})
                item_map.line, item_map.key_lines = line, {"number": line}
                item = item_map
            if not isinstance(item, Mapping):
                self.r.error(line, f"contact '{cid}' needs 'number:' (or 'numbers:')")
                continue
            contact = self._contact(cid, item, line)
            if contact is not None:
                contacts[cid] = contact
        return contacts

    def _contact(self, cid: str, item: Mapping, line: int) -> model.Contact | None:
        g = Fields(self.r, item, f"contact '{cid}'", CONTACT_KEYS)
        if g.has("number") == g.has("numbers"):
            self.r.error(
                line,
                f"contact '{cid}' needs 'number:' for one phone, or 'numbers:' for a ring group "
                "of several",
            )
            return None
        if g.has("number"):
            given = [(g.text("number") or "", g.line("number"))]
        else:
            seq = g.sequence("numbers") or Sequence()
            given = [(str(n), ln) for n, ln in zip(seq, seq.item_lines, strict=True)]
            if not 1 <= len(given) <= MAX_RING_GROUP:
                self.r.error(
                    g.line("numbers"),
                    f"a ring group has from 1 to {MAX_RING_GROUP} numbers (Twilio rings at most "
                    f"{MAX_RING_GROUP} at once), not {len(given)}",
                )
                return None
        ring = g.text("ring", required=False, default=model.TOGETHER).replace("_", " ")
        if ring not in (model.TOGETHER, model.IN_ORDER):
            self.r.error(
                g.line("ring"),
                f"'ring' is 'together' (every phone at once, the first to take the call wins) "
                f"or 'in order' (one after the other), not '{ring}'",
            )
            return None
        placeholder = g.flag("placeholder", False)
        routes = []
        for number, ln in given:
            route = self.routes.read(
                self.r,
                ln,
                number,
                cid,
                via=g.text("via", required=False),
                via_line=g.line("via"),
                placeholder=placeholder,
            )
            if route is None:
                return None
            routes.append(route)
        sip = [route for route in routes if route.trunk and route.trunk.sip_host]
        if ring == model.TOGETHER and sip and len(routes) > 1:
            self.r.warn(
                g.line("numbers"),
                f"contact '{cid}' rings a SIP trunk together with other phones: Twilio allows "
                "that only with 'Enhanced Programmable SIP Features' on the account; or write "
                "'ring: in order' (docs/deploy.md)",
            )
        return model.Contact(tuple(routes), ring, g.flag("screening", True), placeholder)

    def _steps(self, f: Fields):
        m = f.mapping("steps")
        if m is None:
            return None
        steps = {}
        for step_id, actions in m.items():
            line = _line_of(m, step_id)
            if step_id == model.END:
                self.r.error(line, "'end' is built in (it says where to turn and hangs up)")
                continue
            if not isinstance(actions, Sequence) or not actions:
                self.r.error(line, f"step '{step_id}' must be a list of actions, '- say: ...'")
                continue
            compiled = [
                self._action(a, ln) for a, ln in zip(actions, actions.item_lines, strict=True)
            ]
            steps[step_id] = tuple(a for a in compiled if a is not None)
        return steps

    def _action(self, item, line: int):
        r = self.r
        if not isinstance(item, Mapping) or not item:
            r.error(line, "an action is written '- say: welcome', '- transfer: team', ...")
            return None
        kind = next((k for k in item if k in ACTION_KEYS), None)
        if kind is None:
            r.error(
                line,
                f"'{next(iter(item))}' is not an action; use one of: " + ", ".join(ACTION_KEYS),
            )
            return None
        f = Fields(r, item, f"'{kind}'", {kind} | ACTION_KEYS[kind])
        if kind == "say":
            seq = f.sequence("say")
            if not seq:
                return None
            for key, ln in zip(seq, seq.item_lines, strict=True):
                self.prompt_uses.append((ln, str(key), LINE_PLACEHOLDERS))
            return model.Say(tuple(str(k) for k in seq))
        if kind == "goto":
            target = f.text("goto")
            self.step_refs.append((f.line("goto"), target))
            return model.Goto(target)
        if kind == "menu":
            return self._menu(f.mapping("menu"))
        if kind == "transfer":
            to = f.text("transfer") or ""
            self.transfer_refs.append((f.line("transfer"), to))
            self.put_through.append((f.line("transfer"), "transfer", to))
            on_failure = f.text("on_failure", required=False)
            if on_failure:
                self.step_refs.append((f.line("on_failure"), on_failure))
            return model.Transfer(to, f.number("timeout", 25, 5, 600), on_failure)
        if kind == "voicemail":
            prompt = f.text("voicemail") or ""
            self.prompt_uses.append((f.line("voicemail"), prompt, LINE_PLACEHOLDERS))
            return model.Voicemail(prompt, f.number("max_length", 180, 10, 600))
        if kind == "referral":
            service = f.text("referral") or ""
            self.service_refs.append((f.line("referral"), service))
            referral = model.Referral(service, f.flag("offer_transfer", True))
            if referral.offer_transfer:
                self.put_through.append((f.line("referral"), "referral", service))
            return referral
        return None  # pragma: no cover - every kind is handled above

    def _menu(self, m: Mapping | None):
        if m is None:
            return None
        f = Fields(self.r, m, "the menu", MENU_KEYS)
        prompt = f.text("prompt") or ""
        retry = f.text("retry_prompt", required=False) or prompt
        for key in ("prompt", "retry_prompt"):
            if f.has(key):
                self.prompt_uses.append((f.line(key), str(m[key]), LINE_PLACEHOLDERS))
        options = {}
        opts = f.mapping("options")
        for key, target in (opts or {}).items():
            ln = _line_of(opts, key)
            if not re.fullmatch(r"[0-9*]{1,6}", key):
                self.r.error(ln, f"'{key}' is not a key on a phone keypad; use digits and *")
                continue
            if not isinstance(target, str):
                self.r.error(ln, f"key {key} must lead to a step name")
                continue
            options[key] = target
            self.step_refs.append((ln, target))
        keys = sorted(options)
        for a in keys:
            for b in keys:
                if a != b and b.startswith(a) and len({len(k) for k in keys}) > 1:
                    self.r.error(
                        _line_of(opts, b),
                        f"key {b} starts with key {a}; the caller could never reach {b}",
                    )
        on_failure = f.text("on_failure")
        if on_failure:
            self.step_refs.append((f.line("on_failure"), on_failure))
        if not (prompt and options and on_failure):
            return None
        return model.Menu(
            prompt=prompt,
            retry_prompt=retry,
            options=options,
            on_failure=on_failure,
            timeout=f.number("timeout", 6, 2, 30),
            max_invalid=f.number("max_invalid", 3, 1, 10),
            max_silence=f.number("max_silence", 2, 1, 10),
        )

    def _check_step_refs(self, steps) -> None:
        known = set(steps or {}) | {model.END}
        for line, target in self.step_refs:
            if target and target not in known:
                self.r.error(
                    line,
                    f"there is no step '{target}'; the steps are: " + ", ".join(sorted(known)),
                )
        if not steps:
            return
        # A loop of steps that never waits for the caller would redirect forever.
        for start in steps:
            seen, current = set(), start
            while current in steps and current not in seen:
                seen.add(current)
                actions = steps[current]
                if any(isinstance(a, model.BLOCKING) for a in actions):
                    break
                gotos = [a for a in actions if isinstance(a, model.Goto)]
                if not gotos:
                    break
                current = gotos[0].step
            else:
                if current in seen:
                    self.r.error(
                        _line_of(self.data.get("steps"), start),
                        f"step '{start}' goes round in a loop that never waits for the caller; "
                        "add a menu, a transfer or a voicemail, or end the call",
                    )
        reachable, todo = set(), [t for t in self.entry_steps if t in steps]
        while todo:
            step = todo.pop()
            if step in reachable:
                continue
            reachable.add(step)
            for action in steps[step]:
                todo += [t for t in _targets(action) if t in steps]
        for step in steps:
            if step not in reachable:
                self.r.warn(
                    _line_of(self.data.get("steps"), step),
                    f"no caller ever reaches step '{step}'",
                )


def _targets(action) -> list[str]:
    if isinstance(action, model.Goto):
        return [action.step]
    if isinstance(action, model.Menu):
        return [*action.options.values(), action.on_failure]
    if isinstance(action, model.Transfer) and action.on_failure:
        return [action.on_failure]
    return []


# -- prompts and voices ---------------------------------------------------------------------


AUDIO_DIR = "audio"


def read_prompts(r: Reader, data, prompts_dir: Path) -> dict[str, dict[str, model.Prompt]]:
    """`key: text`, or `key: {text: ..., audio: file.mp3}` for a recorded prompt."""
    sections: dict[str, dict[str, model.Prompt]] = {}
    if not isinstance(data, Mapping):
        r.error(getattr(data, "line", 1), "a prompts file holds 'shared:' and one section a line")
        return sections
    for section, texts in data.items():
        if not isinstance(texts, Mapping):
            r.error(_line_of(data, section), f"'{section}' must hold 'key: text' lines")
            continue
        flat = {}
        for key, value in texts.items():
            ln = _line_of(texts, key)
            if section == "services" and isinstance(value, Mapping):
                for sub, sub_text in value.items():
                    flat[f"{key}.{sub}"] = model.Prompt(str(sub_text))
            elif isinstance(value, str | int):
                flat[key] = model.Prompt(str(value))
            elif isinstance(value, Mapping):
                f = Fields(r, value, f"prompt '{key}'", {"text", "audio"})
                text = f.text("text") or ""
                audio = f.text("audio", required=False)
                if audio and not audio.startswith("https://"):
                    if ".." in audio or not _is_file(prompts_dir / AUDIO_DIR / audio):
                        r.error(
                            f.line("audio"),
                            f"there is no audio file {prompts_dir / AUDIO_DIR / audio}; put the "
                            f"recording there, or give an https:// address",
                        )
                if audio and placeholders(text):
                    r.warn(
                        f.line("audio"),
                        f"prompt '{key}' has placeholders, but a recording says the same thing "
                        "every time: it will not follow changes of hours or numbers",
                    )
                flat[key] = model.Prompt(text, audio)
            else:
                r.error(ln, f"prompt '{key}' must be a text")
        sections[section] = flat
    return sections


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the system, or with a null in it
        return False


def format_problem(text: str, allowed: set[str]) -> str | None:
    """Why the router could not fill the prompt `text` (a `str.format_map` template, filled
    with words for the placeholders `allowed`), in an operator's words; None when it can.
    Placeholders nothing fills are left to the caller, which names them."""
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError:
        return (
            "has a '{' or a '}' without its pair: a placeholder is written {hours}; to say a "
            "brace, write it twice, {{ or }}"
        )
    if any(name not in allowed for name, _, _ in fields):
        return None
    for name, spec, conversion in fields:
        # Never formatted with its spec: {hours:>999999999} would take a gigabyte.
        if conversion:
            return (
                f"writes {{{name}!{conversion}}}, but a placeholder takes nothing after its name "
                f"(the router fills it with words): write {{{name}}} without '!{conversion}'"
            )
        if spec:
            return (
                f"writes {{{name}:{spec}}}, but a placeholder takes nothing after its name "
                f"(the router fills it with words): write {{{name}}} without ':{spec}'"
            )
    try:
        text.format_map({name: f"({name})" for name in allowed})
    except (ValueError, IndexError, KeyError, AttributeError, TypeError) as exc:
        return f"cannot be filled ({exc}); write each placeholder as a name in braces, {{hours}}"
    return None


def placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"{"}


# Voices Twilio offers for the languages a Belgian line speaks. A voice of the wrong language
# makes the <Say> fail, so `ivr check` refuses pairs not in this list.
KNOWN_VOICES = {
    "fr-BE": {"Polly.Isabelle-Neural", "Google.fr-FR-Standard-A", "woman", "man"},
    "fr-FR": {"Polly.Lea-Neural", "Polly.Celine", "Polly.Mathieu", "woman", "man"},
    "nl-BE": {"Polly.Lisa-Neural", "Google.nl-BE-Standard-A", "Google.nl-BE-Wavenet-A"},
    "nl-NL": {"Polly.Laura-Neural", "Polly.Lotte", "Polly.Ruben"},
    "de-DE": {"Polly.Vicki-Neural", "Polly.Daniel-Neural", "Polly.Marlene", "woman", "man"},
    "en-GB": {"Polly.Amy-Neural", "Polly.Emma-Neural", "Polly.Brian-Neural", "woman", "man"},
}


def read_voices(r: Reader, data) -> dict[str, model.Voice]:
    voices: dict[str, model.Voice] = {}
    m = data.get("voices") if isinstance(data, Mapping) else None
    if not isinstance(m, Mapping):
        r.error(getattr(data, "line", 1), "the file must start with 'voices:'")
        return voices
    for lang, item in m.items():
        line = _line_of(m, lang)
        if lang not in KNOWN_LANGUAGES:
            r.error(line, f"'{lang}' is not a language code; use " + ", ".join(KNOWN_LANGUAGES))
            continue
        if not isinstance(item, Mapping):
            r.error(line, f"'{lang}' needs 'language:' and 'voice:'")
            continue
        f = Fields(r, item, f"the voice for '{lang}'", {"language", "voice"})
        say_language = f.text("language") or ""
        voice = f.text("voice", required=False)
        if say_language and not say_language.startswith(lang + "-"):
            r.error(f.line("language"), f"'{say_language}' is not a variant of '{lang}'")
            continue
        if voice and voice not in KNOWN_VOICES.get(say_language, set()):
            r.error(
                f.line("voice"),
                f"voice '{voice}' does not speak {say_language}; use one of: "
                + ", ".join(sorted(KNOWN_VOICES.get(say_language, {"(none known)"}))),
            )
            continue
        voices[lang] = model.Voice(say_language, voice)
    return voices


# -- the whole configuration ----------------------------------------------------------------


def default_prompts_dir(config_dir: Path) -> Path:
    sibling = config_dir.parent / "prompts"
    return sibling if sibling.is_dir() else Path("prompts")


def load(config_dir, prompts_dir=None) -> tuple[model.Config | None, list[Problem]]:
    """Reads everything; returns the compiled configuration (None on an error) and problems."""
    config_dir = Path(config_dir)
    prompts_dir = Path(prompts_dir) if prompts_dir else default_prompts_dir(config_dir)
    problems: list[Problem] = []
    digest = hashlib.sha256()

    def reader(path: Path) -> Reader:
        return Reader(path, problems, str(path), digest)

    if not config_dir.is_dir():
        problems.append(Problem(str(config_dir), 0, "there is no configuration folder here"))
        return None, problems

    trunks_path = config_dir / TRUNKS_FILE
    trunks_reader = None
    trunks = {}
    if trunks_path.exists():
        trunks_reader = reader(trunks_path)
        data = trunks_reader.load()
        if data is not None:
            trunks = read_trunks(trunks_reader, data)
    # An unreadable trunks.yaml is reported once, not once per number that names a trunk.
    routes = Routes(trunks, unknown_trunks=trunks_reader is not None and trunks_reader.unreadable)

    services_path = config_dir / SERVICES_FILE
    services = {}
    services_unreadable = False
    if services_path.exists():
        r = reader(services_path)
        data = r.load()
        services_unreadable = r.unreadable
        if data is not None:
            services = read_services(r, data, routes)

    voices_path = config_dir / VOICES_FILE
    voices_reader = reader(voices_path)
    voices = {}
    if voices_path.exists():
        data = voices_reader.load()
        if data is not None:
            voices = read_voices(voices_reader, data)
    else:
        voices_reader.error(0, "voices.yaml is missing; it names the voice of each language")

    prompts: dict[str, dict[str, dict[str, str]]] = {}
    prompt_readers: dict[str, Reader] = {}
    for path in sorted(prompts_dir.glob("*.yaml")):
        r = reader(path)
        lang = path.stem
        if lang not in KNOWN_LANGUAGES:
            r.error(1, f"'{lang}' is not a language code; name the file fr.yaml, nl.yaml, ...")
            continue
        data = r.load()
        prompts[lang] = read_prompts(r, data, prompts_dir) if data is not None else {}
        prompt_readers[lang] = r
    # Languages whose prompts could not be read: nothing is checked against them.
    unreadable = {lang for lang, r in prompt_readers.items() if r.unreadable}
    if voices_reader.unreadable:
        unreadable.add(VOICES_FILE)
    if services_unreadable:
        unreadable.add(SERVICES_FILE)

    lines: dict[str, model.Line] = {}
    readers: list[tuple[LineReader, model.Line]] = []
    broken_line_files = 0
    for path in sorted(config_dir.glob("*.y*ml")):
        if path.name in (SERVICES_FILE, VOICES_FILE, TRUNKS_FILE):
            continue
        r = reader(path)
        if path.suffix != ".yaml":
            r.error(1, "name the file with the .yaml ending")
            continue
        data = r.load()
        if data is None:
            broken_line_files += 1
            continue
        lr = LineReader(r, data, routes)
        line = lr.read()
        if line is None:
            broken_line_files += 1
            continue
        if line.id in lines:
            r.error(_line_of(lr.data, "id"), f"another file already has id '{line.id}'")
            continue
        lines[line.id] = line
        readers.append((lr, line))

    if not lines and not any(not p.warning for p in problems):
        problems.append(Problem(str(config_dir), 0, "no line is configured (no *.yaml file)"))

    seen_numbers: dict[str, str] = {}
    for lr, line in readers:
        for number in line.numbers:
            if number in seen_numbers:
                lr.r.error(
                    _line_of(lr.data, "numbers"),
                    f"{number} already belongs to line '{seen_numbers[number]}'",
                )
            seen_numbers[number] = line.id
        _check_references(lr, line, services, prompts, unreadable)
        _check_prompts(lr, line, prompts, prompt_readers, voices, unreadable)
    _check_transfer_loops(readers, lines, services)
    _check_own_numbers_dialled(routes, seen_numbers, services)

    for sid, service in services.items():
        # A line file that did not compile has its own errors; do not repeat them here.
        if service.line and service.line not in lines and not broken_line_files:
            problems.append(
                Problem(
                    str(services_path),
                    1,
                    f"service '{sid}' names line '{service.line}', which does not exist",
                )
            )
    _check_shared_prompts(prompts, prompt_readers, services, unreadable)
    if trunks_reader is not None and not trunks_reader.unreadable:
        routes.warn_placeholders(trunks_reader)

    # A shared prompt is checked for each line that speaks it: said once.
    problems[:] = dict.fromkeys(problems)
    if any(not p.warning for p in problems):
        return None, problems
    # A service that is one of our lines answers with the line's own schedule.
    for sid, service in list(services.items()):
        if service.line:
            services[sid] = dataclasses.replace(service, schedule=lines[service.line].schedule)
    # Absolute: the web app serves recordings from here whatever its working folder (Flask
    # takes a relative folder as relative to its package, not to where we were started).
    audio_dir = (prompts_dir / AUDIO_DIR).resolve()
    config = model.Config(lines, services, prompts, voices, digest.hexdigest()[:12], str(audio_dir))
    return config, problems


def load_or_raise(config_dir, prompts_dir=None) -> model.Config:
    config, problems = load(config_dir, prompts_dir)
    if config is None:
        raise ConfigError([p for p in problems if not p.warning])
    return config


def _check_references(lr: LineReader, line: model.Line, services, prompts, unreadable) -> None:
    if SERVICES_FILE in unreadable:
        return  # services.yaml could not be read: said once, there
    for ln, target in lr.transfer_refs:
        if target in line.contacts:
            continue
        if target in services:
            continue
        lr.r.error(
            ln,
            f"'{target}' is neither a contact of this line nor a service of services.yaml; "
            "contacts: " + (", ".join(sorted(line.contacts)) or "(none)"),
        )
    for ln, target in lr.service_refs:
        if target not in services:
            lr.r.error(
                ln,
                f"there is no service '{target}' in services.yaml; the services are: "
                + ", ".join(sorted(services)),
            )
    for ln, target in lr.transfer_refs + lr.service_refs:
        service = services.get(target)
        if not service or target in line.contacts:
            continue
        unspoken = []
        for lang in line.languages:
            chosen = services.get(service.instead.get(lang, ""), service)
            if lang not in chosen.languages:
                unspoken.append(lang)
            section = prompts.get(lang, {}).get("services", {})
            for key in SERVICE_TEXTS:
                if lang in unreadable:
                    break
                if lang in prompts and f"{chosen.id}.{key}" not in section:
                    lr.r.error(
                        ln,
                        f"prompts/{lang}.yaml has no '{key}' for '{chosen.id}' under "
                        "'services:'; callers in that language are told about it",
                    )
        if unspoken:
            lr.r.warn(
                ln,
                f"'{target}' answers in {', '.join(service.languages)}, not in "
                f"{', '.join(unspoken)}; if another service does, add it under 'instead:' "
                "in services.yaml",
            )


def _check_own_numbers_dialled(routes: Routes, our_numbers: dict[str, str], services) -> None:
    """A contact or a service that rings one of our own lines' numbers: Twilio would bring
    the call back into this router, and the person answering would hear that line's whole
    call flow instead of the caller (a transfer inside the counsellor's whisper)."""
    for r, ln, number, what in routes.dialled:
        owner = our_numbers.get(number)
        if owner is None:
            continue
        if r.path.name == SERVICES_FILE:
            fix = f"write 'line: {owner}' under this service so that callers go into that line"
        else:
            named = [sid for sid, service in services.items() if service.line == owner]
            fix = (
                f"to send callers into that line, transfer to the service '{named[0]}'"
                if named
                else f"to send callers into that line, transfer to a service of services.yaml "
                f"with 'line: {owner}'"
            )
        r.error(
            ln,
            f"{what}: {number} is the number of our own line '{owner}': Twilio would bring the "
            "call back into this router, and whoever answers would hear that line's whole call "
            f"instead of the caller; {fix}",
        )


def _service_for(services, service_id: str, lang: str) -> model.Service | None:
    """As `model.Config.service_for`: the service a caller speaking `lang` is put through to."""
    service = services.get(service_id)
    if service is None or lang in service.languages:
        return service
    return services.get(service.instead.get(lang, ""), service)


def _lines_entered(line: model.Line, kind: str, target: str, services):
    """The lines a transfer or a referral's "press 1" puts callers straight into (services that
    are our own lines), for each language of `line`, as `ivr.flow` does: {line id: languages}."""
    entered: dict[str, list[str]] = {}
    for lang in line.languages:
        to = target
        if kind == "referral":  # the referral names the service, then transfers to it
            chosen = _service_for(services, target, lang)
            to = chosen.id if chosen else target
        if to in line.contacts:
            continue
        chosen = _service_for(services, to, lang)
        if chosen is not None and chosen.line:
            entered.setdefault(chosen.line, []).append(lang)
    return entered


def _check_transfer_loops(readers, lines, services) -> None:
    """A transfer into one of our own lines runs that line's flow, without a phone call; a
    line that leads back to itself that way would pass callers round forever."""
    # line id -> (line entered, languages, reader, file line, kind, target)
    edges: dict[str, list] = {line.id: [] for _, line in readers}
    for lr, line in readers:
        for ln, kind, target in lr.put_through:
            for other, langs in _lines_entered(line, kind, target, services).items():
                if other in edges:
                    edges[line.id].append((other, langs, lr, ln, kind, target))
    done: set[str] = set()
    for start in sorted(edges):
        if start in done:
            continue
        path, todo = [start], [iter(edges[start])]
        while todo:
            edge = next(todo[-1], None)
            if edge is None:
                done.add(path.pop())
                todo.pop()
                continue
            other, langs, lr, ln, kind, target = edge
            if other in path:
                cycle = path[path.index(other) :]
                _report_loop(lr, ln, kind, target, other, langs, cycle, services)
            elif other not in done:
                path.append(other)
                todo.append(iter(edges[other]))


def _report_loop(lr, ln, kind, target, other, langs, cycle, services) -> None:
    """Reported at the transfer or referral that closes the loop."""
    how = "this transfer" if kind == "transfer" else "pressing 1 after this referral"
    if services[target].line == other:
        into = f"puts callers straight into line '{other}' (service '{target}' is that line)"
    else:
        into = (
            f"puts callers in {', '.join(langs)} straight into line '{other}' (through "
            f"'instead:' of service '{target}' in services.yaml)"
        )
    fix = (
        "transfer to a contact, or to a service that is not one of our lines"
        if kind == "transfer"
        else "refer them to a service that is not one of our lines, or write "
        "'offer_transfer: false' to only tell them the number"
    )
    round_trip = " → ".join([cycle[-1], *cycle])  # from here, round, and back here
    lr.r.error(
        ln,
        f"{how} {into}, which leads back here: {round_trip}; callers would go round and "
        f"round: {fix}",
    )


def _check_prompts(
    lr: LineReader, line: model.Line, prompts, prompt_readers, voices, unreadable
) -> None:
    for lang in line.languages:
        if lang not in prompts:
            lr.r.error(
                _line_of(lr.data, "languages"),
                f"there is no prompts/{lang}.yaml for language '{lang}'",
            )
            continue
        if lang not in voices and VOICES_FILE not in unreadable:
            lr.r.error(
                _line_of(lr.data, "languages"),
                f"voices.yaml has no voice for language '{lang}'",
            )
        if lang in unreadable:
            continue  # prompts/<lang>.yaml could not be read: said once, there
        texts = prompts[lang]
        for ln, key, allowed in lr.prompt_uses:
            prompt = texts.get(line.id, {}).get(key) or texts.get("shared", {}).get(key)
            if prompt is None:
                lr.r.error(
                    ln,
                    f"prompt '{key}' is missing in prompts/{lang}.yaml; add it under "
                    f"'{line.id}:' or 'shared:'",
                )
                continue
            section = line.id if key in texts.get(line.id, {}) else "shared"
            at = prompt_line(prompt_readers[lang], section, key)
            problem = format_problem(prompt.text, allowed)
            unknown = placeholders(prompt.text) - allowed
            if problem:
                prompt_readers[lang].error(at, f"prompt '{key}' {problem}")
            elif unknown:
                prompt_readers[lang].error(
                    at,
                    f"prompt '{key}' uses {{{', '.join(sorted(unknown))}}}, which nothing fills; "
                    "the placeholders are: " + ", ".join(f"{{{p}}}" for p in sorted(allowed)),
                )


def prompt_line(r: Reader, section: str, key: str) -> int:
    data = r.data
    if isinstance(data, Mapping) and isinstance(data.get(section), Mapping):
        return _line_of(data[section], key)
    return _line_of(data, section)


def _check_shared_prompts(prompts, prompt_readers, services, unreadable) -> None:
    for lang, texts in prompts.items():
        r = prompt_readers[lang]
        if lang in unreadable:
            continue
        shared = texts.get("shared", {})
        for key in BUILTIN_PROMPTS:
            if key not in shared:
                r.error(
                    _line_of(r.data, "shared"),
                    f"'shared:' needs the prompt '{key}', which the router speaks itself",
                )
        # The router's own prompts, shared or a line's own wording of them.
        for section, section_texts in texts.items():
            if section == "services":
                continue
            for key, allowed in BUILTIN_PROMPTS.items():
                if key not in section_texts:
                    continue
                text = section_texts[key].text
                problem = format_problem(text, allowed)
                if problem:
                    r.error(prompt_line(r, section, key), f"prompt '{key}' {problem}")
                elif placeholders(text) - allowed:
                    r.error(
                        prompt_line(r, section, key),
                        f"prompt '{key}' uses a placeholder nothing fills; the placeholders are: "
                        + ", ".join(f"{{{p}}}" for p in sorted(allowed)),
                    )
        service_texts = texts.get("services", {})
        for sid, service in services.items():
            if lang not in service.languages:
                continue
            for key in SERVICE_TEXTS:
                if f"{sid}.{key}" not in service_texts:
                    r.error(
                        _line_of(r.data, "services"),
                        f"'services:' needs '{sid}:' with '{key}:' in this language",
                    )
