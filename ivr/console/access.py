"""Which lines an account may see and act on: the one place every page, the phone console and
the reports ask (docs/console.md, "Who sees what").

A line belongs to one organisation (`organisation:` in its file; a line without one is its
own). An account holds grants (`ivr.store.grants`): a role in an organisation, which covers
every line of it (those added later too), or in one line of an organisation (while the line
stays that organisation's), or in every line (`--all-lines`, the platform's own staff). An
account sees the lines its grants cover, and changes (overrides, trial calls, accounts) those
its coordinator's grants cover. Nothing else: an account without grants sees nothing, and so
does anything that is not an account (`None`). The command line does not ask here: whoever
runs it has the server, and sees everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.store.grants import ALL, Grant
from ivr.store.operators import COORDINATOR, COUNSELLOR


@dataclass(frozen=True)
class Holder:
    """Someone who is not logged in to the web console but holds an account's grants: a
    coordinator on the phone console, a report's reader."""

    name: str
    grants: tuple[Grant, ...] = ()


def holder(store, name: str) -> Holder:
    """The account `name`'s grants (none if there is no such account); whether it may act
    now (active, a coordinator) is for the caller to ask."""
    return Holder(name, store.grants.of_name(name))


def organisation_of(line) -> str:
    """The organisation a line belongs to: its `organisation:`, or the line itself."""
    return line.owner


def grants_of(account) -> tuple[Grant, ...]:
    return tuple(getattr(account, "grants", None) or ())


def covers(grant: Grant, line) -> bool:
    """Whether `grant` covers `line` (a `model.Line`)."""
    if grant.organisation == ALL:
        return True
    if organisation_of(line) != grant.organisation:
        return False
    return grant.line is None or grant.line == line.id


def _covered(account, config, line_id: str, roles) -> bool:
    grants = [g for g in grants_of(account) if g.role in roles]
    line = config.lines.get(line_id)
    if line is None:
        # A line no longer in the configuration (its messages, its journal): only for those
        # who see every line.
        return any(g.organisation == ALL for g in grants)
    return any(covers(g, line) for g in grants)


ANY_ROLE = ("coordinator", "counsellor")


def visible_lines(account, config) -> set[str]:
    """The ids of the lines this account may see (board, week, messages, journal, reports,
    duty, wallboard)."""
    return {line_id for line_id in config.lines if _covered(account, config, line_id, ANY_ROLE)}


def may_see(account, config, line_id: str) -> bool:
    """Whether the account may see `line_id` (a line's id; a message's or an entry's line)."""
    return _covered(account, config, line_id, ANY_ROLE)


def visible_organisations(account, config) -> set[str]:
    return {organisation_of(config.lines[i]) for i in visible_lines(account, config)}


def changeable_lines(account, config) -> set[str]:
    """The ids of the lines whose overrides, trial calls and accounts this account may handle:
    those its coordinator's grants cover."""
    return {
        line_id for line_id in config.lines if _covered(account, config, line_id, (COORDINATOR,))
    }


def may_change(account, config, line_id: str) -> bool:
    return _covered(account, config, line_id, (COORDINATOR,))


def sees_figures(account, config, line_id: str, organisation: str | None) -> bool:
    """Whether a row of figures (a call's outcome, a message's times) recorded for `line_id`
    under `organisation` (the line's at the time; None: before organisations were recorded)
    is the account's: the line is one it sees, still of that organisation; a line closed
    since or moved to another organisation, for a grant of the whole organisation it was of."""
    then = organisation or config.organisation_of(line_id)
    if line_id in config.lines and then == config.organisation_of(line_id):
        return may_see(account, config, line_id)
    # Closed since, or another organisation's now: its past stays that organisation's.
    return any(g.organisation in (ALL, then) and g.line is None for g in grants_of(account))


def sees_everything(account) -> bool:
    """Whether one of the account's grants is of every line (platform staff, or an account
    migration 0009 has not seen narrowed yet)."""
    return any(g.organisation == ALL for g in grants_of(account))


def unnarrowed(account) -> bool:
    """Whether the account sees every line only because it was made before grants (migration
    0009): the console says so until someone narrows it."""
    return any(g.unnarrowed for g in grants_of(account))


def manages(account, config, grants) -> bool:
    """Whether the coordinator `account` may manage, in the console, an account holding
    `grants` (disable it, give it a one-time code): a counsellor's, of their lines only. The
    rest is done with `ivr operators`."""
    mine = [g for g in grants_of(account) if g.role == COORDINATOR]
    if not grants or any(g.role != COUNSELLOR for g in grants):
        return False
    for g in grants:
        if g.organisation == ALL:
            ok = any(c.organisation == ALL for c in mine)
        elif g.line is not None:
            ok = may_change(account, config, g.line)
        else:
            ok = any(c.line is None and c.organisation in (ALL, g.organisation) for c in mine)
        if not ok:
            return False
    return True
