"""Reads the settings of one YAML mapping by type, reporting missing, mistyped and unknown ones."""

from __future__ import annotations

import re

from ivr.config.reading import Mapping, Reader, Sequence, line_of
from ivr.domain import languages as registry
from ivr.domain import model

# A name an operator gives a line, a trunk or a service.
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def closest(word, choices) -> str | None:
    """The one of `choices` that `word` is most likely a misspelling of: one letter wrong,
    missing, added or two swapped (two in a longer word); None when none is, or two are."""
    word = str(word).lower()
    allowed = 1 if len(word) <= 5 else 2
    scored = sorted((_distance(word, str(c).lower()), str(c)) for c in choices)
    if not scored or scored[0][0] > allowed:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None  # as close to two: no guess
    return scored[0][1]


def _distance(a: str, b: str) -> int:
    """Edits from `a` to `b`: a letter changed, added, removed, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 2:
        return 3
    previous, current = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous, current = previous, current, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
    return current[len(b)]


def or_list(word, choices, what: str) -> str:
    """'did you mean X?' when `word` is close to one of `choices`; else the list of them."""
    guess = closest(word, choices)
    if guess is not None:
        return f"did you mean '{guess}'?"
    return f"{what}: " + (", ".join(sorted(str(c) for c in choices)) or "(none)")


def named_entries(r: Reader, data, section: str, kind: str, needs: str):
    """The `name: settings` entries under `section:`, which the file starts with, as (name,
    settings, line); reports a file without it, an unusable name, and an entry without
    indented settings (`{kind} '{name}' needs {needs}`)."""
    if not isinstance(data, Mapping) or not isinstance(data.get(section), Mapping):
        r.error(getattr(data, "line", 1), f"the file must start with '{section}:'")
        return
    entries = data[section]
    for name, item in entries.items():
        line = line_of(entries, name)
        if not ID.match(name):
            r.error(line, f"'{name}' is not a usable name; use lowercase letters, digits and -")
            continue
        if not isinstance(item, Mapping):
            r.error(line, f"{kind} '{name}' needs {needs}")
            continue
        yield name, item, line


class Fields:
    """Reads the fields of one mapping, reporting missing, mistyped and unknown ones."""

    def __init__(self, reader: Reader, mapping: Mapping, what: str, known: set[str]):
        self.r, self.m, self.what = reader, mapping, what
        for key in list(mapping):
            if key in known:
                continue
            line = line_of(mapping, key)
            guess = closest(key, [k for k in known if k not in mapping])
            if guess is None:
                hint = ", ".join(sorted(known))
                self.r.error(line, f"{what} has no setting '{key}'; the settings are: {hint}")
                continue
            self.r.error(line, f"{what} has no setting '{key}'; did you mean '{guess}'?")
            # Read as what it was meant to be: its own mistakes are found, and nothing is
            # said to be missing because of the spelling.
            mapping[guess] = mapping[key]
            mapping.key_lines[guess] = line

    def line(self, key: str) -> int:
        return line_of(self.m, key)

    def line_in(self, mapping, key) -> int:
        """The file line of `key` in a mapping read from these fields (a menu's options)."""
        return line_of(mapping, key)

    def within(self, key: str, what: str, known) -> Fields | None:
        """The fields of the mapping under `key` (a menu's settings), read the same way."""
        mapping = self.mapping(key)
        return None if mapping is None else Fields(self.r, mapping, what, set(known))

    def has(self, key: str) -> bool:
        return key in self.m and self.m[key] is not None

    def _given(self, key: str, required: bool):
        """The value of `key`; None when it is not written, an error if it is `required`."""
        value = self.m.get(key)
        if value is None and required:
            self.r.error(self.line(key), f"{self.what} needs '{key}:'")
        return value

    def text(self, key: str, *, required: bool = True, default: str | None = None):
        value = self._given(key, required)
        if value is None:
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
        value = self._given(key, required)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.r.error(self.line(key), f"'{key}' must hold indented 'name: value' lines")
            return None
        return value

    def sequence(self, key: str, *, required: bool = True) -> Sequence | None:
        value = self._given(key, required)
        if value is None:
            return None
        if not isinstance(value, Sequence):
            if isinstance(value, str | int):
                seq = Sequence([value])
                seq.line, seq.item_lines = self.line(key), [self.line(key)]
                return seq
            self.r.error(self.line(key), f"'{key}' must be a list, one '- item' per line")
            return None
        return value

    def languages(self) -> list[str]:
        """`languages:`, the first one the default; `model.DEFAULT_LANGUAGE` when none is usable."""
        seq = self.sequence("languages")
        if seq is None:
            return [model.DEFAULT_LANGUAGE]
        languages = []
        for lang, line in zip(seq, seq.item_lines, strict=True):
            if not registry.known(lang):
                self.r.error(
                    line,
                    f"'{lang}' is not a language the router speaks; use "
                    + ", ".join(registry.codes()),
                )
            elif lang in languages:
                self.r.error(line, f"'{lang}' is listed twice")
            else:
                languages.append(lang)
        return languages or [model.DEFAULT_LANGUAGE]
