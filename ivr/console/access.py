"""Which lines an account may see and act on: the one place every page, the phone console and
the reports ask. Until organisations and grants land (issue 22) every account sees every line;
pages that go through these functions follow the grants the day they exist."""

from __future__ import annotations


def organisation_of(line) -> str:
    """The organisation a line belongs to: its `organisation:`, or the line itself."""
    return getattr(line, "organisation", None) or line.id


def visible_lines(account, config) -> set[str]:
    """The ids of the lines this account may see (board, week, messages, journal, reports,
    duty, wallboard)."""
    return set(config.lines)


def may_see(account, config, line_id: str) -> bool:
    return line_id in visible_lines(account, config)


def visible_organisations(account, config) -> set[str]:
    return {organisation_of(config.lines[i]) for i in visible_lines(account, config)}
