"""The layout shows the architecture (issue 20): few modules at the top, packages by concern,
no import circle, Twilio behind one seam, the action kinds known only to their registry, and a
README whose map matches the tree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from support.helpers import ROOT

from ivr.flow.actions import REGISTRY

PACKAGE = ROOT / "ivr"


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """The modules of ours that `path` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in known}


def test_at_most_twelve_modules_directly_under_ivr():
    top = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert len(top) <= 12, top


def test_no_import_circle():
    known = modules()
    graph = {name: imports(path, set(known)) - {name} for name, path in known.items()}
    # A package's __init__ importing its own modules is not a circle of concerns.
    graph = {n: {m for m in deps if not n.startswith(m + ".")} for n, deps in graph.items()}
    circles = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(path[path.index(nxt) :] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []


def test_twilio_s_library_is_imported_only_inside_the_seam():
    outside = []
    for name, path in modules().items():
        if name.startswith("ivr.twilio"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            outside += [f"{name}: {n}" for n in names if n.split(".")[0] == "twilio"]
    assert outside == []


def test_the_flow_and_the_schedules_import_nothing_of_twilio():
    known = modules()
    for name, path in known.items():
        if name.startswith(("ivr.flow", "ivr.domain")):
            assert not any(m.startswith("ivr.twilio") for m in imports(path, set(known))), name


def test_no_module_outside_the_registry_branches_on_the_kind_of_an_action():
    kinds = {cls.__name__ for cls in REGISTRY.values()}
    assert {"Transfer", "Voicemail", "Menu"} <= kinds
    branching = []
    for name, path in modules().items():
        if name.startswith("ivr.flow.actions"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "isinstance":
                named = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
                named |= {n.attr for n in ast.walk(node.args[1]) if isinstance(n, ast.Attribute)}
                if named & kinds:
                    branching.append(f"{name}:{node.lineno}")
    assert branching == []


def test_the_readme_s_code_map_names_what_is_there_and_every_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Code map") :]
    section = section[: section.find("\n## ", 5)] if "\n## " in section[5:] else section
    missing = []
    for row in re.findall(r"^\| `((?:ivr|tests)/[^`]*)` \|(.*)$", section, re.MULTILINE):
        folder, rest = row
        base = ROOT / folder
        if not base.exists():
            missing.append(folder)
            continue
        if base.is_dir():
            for named in re.findall(r"`([\w/.]+(?:\.py|/))`", rest):
                if not (base / named).exists() and not (ROOT / named).exists():
                    missing.append(f"{folder}{named}")
    assert missing == []
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert {p for p in packages if f"`ivr/{p}/`" not in section} == set()
    top = {p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    assert {m for m in top if f"`ivr/{m}`" not in section} == set()


def test_the_recipes_name_files_that_are_there():
    missing = []
    for doc in ("docs/development.md", "docs/languages.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        for named in re.findall(r"`((?:ivr|tests)/[\w/.]+)`", text):
            if "<" not in named and not (ROOT / named).exists():
                missing.append(f"{doc}: {named}")
    assert missing == []
