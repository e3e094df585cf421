"""Reads one operator's YAML file, with the line of every value, and refuses a hostile one.

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

import re
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml

from ivr.config import yamlerrors


@dataclass(frozen=True)
class Problem:
    """One mistake, at the line of the file where the operator fixes it."""

    file: str
    line: int
    message: str
    warning: bool = False
    # Warnings of one kind fold into one line (`fold`): a placeholder number, a service that
    # does not speak a line's language, ...
    kind: str = ""
    # Within a kind, the warning that leads the folded line: the lowest first.
    rank: int = 0

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.file}:{self.line}: {kind}{self.message}"


class ConfigError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


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
        # Lines where a comment cuts a text short: `tapez 1 puis #, ou 0 …` is "tapez 1 puis".
        self.cut_by_comment: list[int] = []

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
        if node.style is None and node.value:
            after = self.buffer[node.end_mark.index : node.end_mark.index + 200]
            if after.split("\n", 1)[0].lstrip(" ").startswith("#"):
                self.cut_by_comment.append(node.end_mark.line + 1)
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
        self.errors = 0  # errors said about this file
        self.cut_by_comment: list[int] = []  # lines where a ' #' ends a text (`_Loader`)

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))
        self.errors += 1

    def warn(self, line: int, message: str, kind: str = "", rank: int = 0) -> None:
        self.problems.append(Problem(self.file, line, message, warning=True, kind=kind, rank=rank))

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
            raise Refused(*yamlerrors.explain(exc, LINE_BREAK.split(text))) from None
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
        self.cut_by_comment = loader.cut_by_comment
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


# Places named in a folded warning; beyond, only the files.
MAX_PLACES = 4


def fold(problems: list[Problem]) -> list[Problem]:
    """Warnings of one kind said once, at the first, with how many more and where:
    `1712.yaml:24: warning: ... (and 2 more like it: evc.yaml:17, stop-it-now.yaml:19)`."""
    kinds: dict[str, list[Problem]] = {}
    for p in sorted(problems, key=lambda p: (p.rank, p.file, p.line)):
        if p.warning and p.kind:
            kinds.setdefault(p.kind, []).append(p)
    folded = []
    for p in problems:
        alike = kinds.get(p.kind) if p.warning and p.kind else None
        if not alike:
            folded.append(p)
            continue
        if p is not alike[0]:
            continue
        others = alike[1:]
        if not others:
            folded.append(p)
            continue
        if len(others) <= MAX_PLACES:
            where = ": " + ", ".join(place(o.file, o.line) for o in others)
        else:
            where = ", in " + ", ".join(dict.fromkeys(Path(o.file).name for o in others))
        message = f"{p.message} (and {len(others)} more like it{where})"
        folded.append(Problem(p.file, p.line, message, warning=True, kind=p.kind, rank=p.rank))
    return folded


def place(file: str, line: int) -> str:
    """`1712.yaml:24`: where something is, said short, in a message about another place."""
    return f"{Path(file).name}:{line}"


def line_of(mapping, key: str) -> int:
    """Where `key` is written in `mapping`; else where the mapping (or list) starts."""
    if isinstance(mapping, Mapping):
        return mapping.key_lines.get(key, mapping.line)
    return getattr(mapping, "line", 1)
