"""What PyYAML says about a file it cannot read, in an operator's words: the line to look at,
what is wrong on it and how to write it instead.

PyYAML names the place where it gave up, in the terms of its grammar ("mapping values are not
allowed here"). The mistakes behind it are few: a tab, text holding ': ' or starting with a
quote or a brace without quotes around it, a line indented unlike its neighbours, a quote or a
bracket never closed. Each is recognised from PyYAML's message and the line itself.
"""

from __future__ import annotations

import re

import yaml

# `key: value` or `- key: value` at the start of a line: the key and where its value starts.
KEY = re.compile(r"^(\s*(?:-\s+)*)([^\s#'\"\[\]{}][^:#]*?|\"[^\"]*\"|'[^']*'):(?:\s+|$)")
# What a plain text may not start with (YAML reads something else into it).
QUOTE_OR_BRACKET = "'\"{["
RESERVED = "`@%|>!&*"
SHOWN = 40  # characters of a text shown in a suggestion


def explain(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, str]:
    """(line, message) for a file PyYAML refused; `lines` is the file's text, line by line."""
    problem = exc.problem or ""
    context = exc.context or ""
    at = exc.problem_mark or exc.context_mark
    line = at.line + 1 if at else 1
    column = at.column if at else 0
    opened = exc.context_mark.line + 1 if exc.context_mark else line
    text = lines[line - 1] if 0 < line <= len(lines) else ""

    tab = _tab(lines, line, text, column, problem)
    if tab:
        return tab
    if "found unexpected end of stream" in problem and "quoted scalar" in context:
        return opened, (
            "the quote that opens the text on this line is never closed: end the text with "
            "the same quote (' or \"), or write it without quotes"
        )
    if "unknown escape character" in problem:
        return line, (
            "inside double quotes, \\ starts an escape such as \\n: write \\\\ for a backslash, "
            "or put the text in single quotes"
        )
    if "flow sequence" in context or "flow mapping" in context:
        pair = "[ ]" if "sequence" in context else "{ }"
        opening, closing = pair.split()
        return opened, (
            f"the {opening} on this line is not closed by {closing}, or its items are not "
            f"separated by commas; if this is text starting with {opening}, put it in quotes"
        )
    if "that cannot start any token" in problem:
        char = problem.split("'")[1] if "'" in problem else "this character"
        return line, f"a text cannot start with {char}: put the whole text in quotes"
    if "sequence entries are not allowed here" in problem:
        return line, (
            "'- ' here starts a list on the line of a setting: put the text in quotes, or "
            "write each '- item' on a line of its own, indented under the setting"
        )
    if "mapping values are not allowed here" in problem:
        return line, _colon_in_text(text, column)
    if "could not find expected ':'" in problem:
        return opened, (
            "this line has no ':' after its name: write 'name: value' (or '- value' in a list); "
            "if it goes on with the text of the line above, put that whole text in quotes"
        )
    if "expected <block end>" in problem or "expected <document start>" in problem:
        unclosed = _unclosed_quote_above(lines, line, column)
        if unclosed:
            return unclosed, (
                "the quote that opens the text on this line is not closed on it, so YAML "
                "reads on into the lines below: end the text with the same quote (' or \")"
            )
        value = _value(text)
        if value and value[0] in QUOTE_OR_BRACKET and column > len(text) - len(value):
            return line, _quote_whole(text, value)
        return line, _misaligned(lines, line, text)
    return line, (
        f"YAML cannot read this line ({problem or context}); indent it with spaces like the "
        "lines around it, and put text holding ': ' or ' #' in quotes"
    )


def _tab(lines: list[str], line: int, text: str, column: int, problem: str):
    """A tab where YAML wants spaces: in the indentation, or after 'name:' or '-'."""
    indentation = text[: len(text) - len(text.lstrip(" \t"))]
    if "\t" in indentation:
        return line, "this line starts with a tab: indent it with spaces (YAML refuses tabs)"
    if "'\\t'" in problem:
        return line, "there is a tab on this line where YAML needs a space: write a space"
    return None


def _misaligned(lines: list[str], line: int, text: str) -> str:
    """A line whose indentation fits no block above it, or puts it in the wrong one."""
    indent = _indent(text)
    levels = _levels(lines, line)
    if not levels:
        return "this line does not fit where it is: check its indentation"
    if indent not in dict(levels):
        places = [f"{level} (line {n})" for level, n in levels]
        shown = places[0] if len(places) == 1 else ", ".join(places[:-1]) + " or " + places[-1]
        return (
            f"this line is indented {_spaces(indent)}, but the lines above it are indented "
            f"{shown}: line it up with the setting it belongs with"
        )
    same = dict(levels)[indent]
    item, above_item = text.lstrip().startswith("-"), lines[same - 1].lstrip().startswith("-")
    if above_item and not item:
        return (
            f"line {same} above, at this indentation, is a list item ('- ...'): start this "
            "line with '- ' too, or indent it further, under the item it belongs to"
        )
    if item and not above_item:
        return (
            f"this list item ('- ...') is lined up with the setting on line {same}: indent it "
            "further, under the setting it belongs to"
        )
    return f"this line does not fit under line {same}: check the indentation of both"


def _levels(lines: list[str], line: int) -> list[tuple[int, int]]:
    """The indentations a line may have after the lines above `line`: (spaces, the line that
    has them), innermost first. The inside of a list item ('- name: x') counts too."""
    levels: list[tuple[int, int]] = []
    for n in range(line - 1, 0, -1):
        text = lines[n - 1]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        indent = _indent(text)
        candidates = [indent]
        if text.lstrip().startswith("- "):
            candidates.insert(0, indent + len(text.lstrip()) - len(text.lstrip()[1:].lstrip()))
        for level in candidates:
            if not levels or level < levels[-1][0]:
                levels.append((level, n))
        if indent == 0:
            break
    return levels


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _spaces(count: int) -> str:
    return "1 space" if count == 1 else f"{count} spaces"


def _unclosed_quote_above(lines: list[str], line: int, column: int) -> int | None:
    """The line above `line` whose quoted text is left open, when the quote that closes it
    only comes on `line`, before where YAML gave up: `name: "Stop it Now!` then
    `numbers: ["+32…"]` reads as one text up to the quote before +32."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    for n in range(line - 1, max(line - 20, 0), -1):
        above = lines[n - 1]
        if not above.strip() or above.lstrip().startswith("#"):
            continue
        value = _value(above) or (above.strip()[2:].strip() if above.strip()[:2] == "- " else "")
        if not value or value[0] not in "'\"":
            return None
        quote, rest = value[0], value[1:]
        closed = re.search(r'(?<!\\)"', rest) if quote == '"' else "'" in rest.replace("''", "")
        return n if not closed and quote in text[:column] else None
    return None


def _value(text: str) -> str:
    """What follows `name:` on a line, if the line is a setting."""
    match = KEY.match(text)
    return text[match.end() :].strip() if match else ""


def _colon_in_text(text: str, column: int) -> str:
    match = KEY.match(text)
    if match and match.end() <= column:
        return "this text holds ': ', which YAML reads as the start of a new setting: " + _quoted(
            match[2], text[match.end() :].strip()
        )
    return (
        "YAML takes this line for a new setting, indented under the line above: line it up "
        "with the settings around it; or, if it is more of the text above and holds ': ', put "
        "that whole text in quotes"
    )


def _quote_whole(text: str, value: str) -> str:
    key = KEY.match(text)[2]
    return f"a text that starts with {value[0]} must be quoted whole: " + _quoted(key, value)


def _quoted(key: str, value: str) -> str:
    """`key: "value"`, in the quotes that suit it."""
    if value.startswith("'"):  # 'l'appel: the text was meant in quotes, and holds a '
        value = value[1:-1] if len(value) > 1 and value.endswith("'") else value[1:]
    if '"' not in value:
        return f'put the whole text in double quotes: {key}: "{_shown(value)}"'
    doubled = value.replace("'", "''")
    return (
        "put the whole text in single quotes, and write each ' inside it twice: "
        f"{key}: '{_shown(doubled)}'"
    )


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN else value[:SHOWN] + "…"
