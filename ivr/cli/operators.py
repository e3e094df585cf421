"""`ivr operators`: the console's accounts. `add NAME --role coordinator|counsellor` and what it
sees (`--line LINE`, repeated, `--organisation ORG`, repeated, or `--all-lines`) reads the
password from standard input (asked twice at a terminal), `list`, `grants NAME --role ...
--line ...` what an account sees from now on, `disable NAME`, `password NAME` a new password
(the account's sessions end, on every browser), and `pin NAME` the PIN a coordinator (or a
counsellor, for their shifts alone) enters on the phone console (docs/operators.md)."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime

from ivr.cli.common import CommandError, load_config, operator_name
from ivr.cli.database import open_store
from ivr.cli.moments import BRUSSELS_TIME
from ivr.settings import Settings


def operators(args, settings: Settings) -> int:
    if args.action in ("add", "grants", "disable", "password", "pin", "second-factor") and (
        not args.name
    ):
        raise CommandError(f"say whose account: ivr operators {args.action} NAME")
    actions = {
        "add": add,
        "grants": grants,
        "list": listing,
        "disable": disable,
        "password": password,
        "pin": pin,
        "second-factor": second_factor,
    }
    return actions[args.action](args, settings)


def read_password(what: str = "password") -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"{what}: ")
        if getpass.getpass("the same again: ") != first:
            raise CommandError(f"the two {what}s differ; nothing was changed")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def pin(args, settings: Settings) -> int:
    """An account's PIN for the phone console: 6 to 8 digits, kept only as a hash; a
    coordinator's opens the overrides and their shift, a counsellor's their shift alone. (Five
    wrong PINs lock it for a quarter of an hour: with 4 digits, someone who fakes the
    coordinator's number would find it in about ten days; with 6, in years.)"""
    from ivr.console.accounts import hash_password
    from ivr.store.operators import OperatorError

    secret = read_password("PIN").strip()
    if not secret.isdigit() or not 6 <= len(secret) <= 8:
        raise CommandError("a PIN is 6 to 8 digits, typed on the phone's keys")
    if len(set(secret)) == 1 or secret in "0123456789" or secret in "9876543210":
        raise CommandError("this PIN is too easy to guess; choose digits without a pattern")
    try:
        open_store(settings).operators.set_pin(
            args.name, hash_password(secret), by=operator_name(settings), at=datetime.now(UTC)
        )
    except OperatorError as exc:
        raise CommandError(str(exc)) from exc
    print(f"{args.name} can use the phone console once console.yaml lists their phone")
    return 0


def add(args, settings: Settings) -> int:
    from ivr.console.accounts import hash_password, password_problem
    from ivr.store.operators import ROLES, OperatorError

    name = args.name.strip()
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise CommandError("a name is one word of at most 100 characters, such as 'ana.dupont'")
    if args.role not in ROLES:
        raise CommandError(f"give --role {' or --role '.join(ROLES)}")
    given = granted(args, settings)
    password = read_password()
    problem = password_problem(password)
    if problem:
        raise CommandError(problem)
    try:
        open_store(settings).operators.add(
            name,
            args.role,
            hash_password(password),
            language=args.language,
            by=operator_name(settings),
            at=datetime.now(UTC),
            grants=given,
        )
    except OperatorError as exc:
        raise CommandError(str(exc)) from exc
    print(f"{name} can log in to the console as {args.role}: {said(given)}")
    return 0


def granted(args, settings: Settings):
    """The grants the command line gives (`--line`, `--organisation`, `--all-lines`), checked
    against the configuration; refused when it gives none."""
    from ivr.console.access import organisation_of
    from ivr.store.grants import ALL, Grant
    from ivr.store.operators import ROLES

    if args.role not in ROLES:
        raise CommandError(f"give --role {' or --role '.join(ROLES)}")
    lines, organisations = args.line or [], args.organisation or []
    if not (lines or organisations or args.all_lines):
        raise CommandError(
            "say which lines the account sees: --line LINE (repeat it for several), "
            "--organisation ORG (all of an organisation's lines, those added later too), or "
            "--all-lines (the platform's own staff only)"
        )
    if args.all_lines and (lines or organisations):
        raise CommandError(
            "--all-lines already gives every line: leave out --line and --organisation"
        )
    if args.all_lines:
        return (Grant(ALL, args.role),)
    config = load_config(settings)
    known = sorted({organisation_of(line) for line in config.lines.values()})
    given = []
    for org in organisations:
        if org not in known:
            raise CommandError(
                f"no organisation '{org}'; the organisations are: {', '.join(known)}"
            )
        given.append(Grant(org, args.role))
    for line_id in lines:
        line = config.lines.get(line_id)
        if line is None:
            raise CommandError(
                f"no line '{line_id}'; the lines are: {', '.join(sorted(config.lines))}"
            )
        if organisation_of(line) not in organisations:
            given.append(Grant(organisation_of(line), args.role, line.id))
    return tuple(dict.fromkeys(given))


def said(given) -> str:
    return "; ".join(grant.said() for grant in given) or "nothing"


def grants(args, settings: Settings) -> int:
    """What the account sees from now on (its sessions end): narrows an account migration 0009
    gave every line."""
    from ivr.store.operators import OperatorError

    given = granted(args, settings)
    try:
        open_store(settings).operators.set_grants(
            args.name, given, by=operator_name(settings), at=datetime.now(UTC)
        )
    except OperatorError as exc:
        raise CommandError(str(exc)) from exc
    print(f"{args.name} sees from now on: {said(given)}")
    return 0


def password(args, settings: Settings) -> int:
    """A new password for an account (forgotten, or maybe seen by someone): every session the
    account has open ends at once, in every browser."""
    from ivr.console.accounts import hash_password, password_problem
    from ivr.store.operators import OperatorError

    secret = read_password()
    problem = password_problem(secret)
    if problem:
        raise CommandError(problem)
    try:
        ended = open_store(settings).operators.set_password(
            args.name, hash_password(secret), by=operator_name(settings), at=datetime.now(UTC)
        )
    except OperatorError as exc:
        raise CommandError(str(exc)) from exc
    print(f"{args.name} has a new password; {ended} open session(s) ended")
    return 0


def listing(args, settings: Settings) -> int:
    rows = open_store(settings).operators.list()
    if not rows:
        print("no account yet: ivr operators add NAME --role coordinator")
        return 0
    for row in rows:
        since = row["created_at"].astimezone(BRUSSELS_TIME)
        state = "active" if row["active"] else "disabled"
        name, role, language = row["name"], row["role"], row["language"]
        print(f"{name:<30} {role:<12} {language:<3} {state:<9} since {since:%Y-%m-%d}")
        print(f"    {said(row['grants'])}")
    if any(g.unnarrowed for row in rows if row["active"] for g in row["grants"]):
        print(
            "accounts marked 'not narrowed yet' see every line since the upgrade: give each "
            "what it needs with ivr operators grants NAME --role ROLE --line LINE"
        )
    return 0


def disable(args, settings: Settings) -> int:
    from ivr.store.operators import OperatorError

    try:
        open_store(settings).operators.disable(
            args.name, by=operator_name(settings), at=datetime.now(UTC)
        )
    except OperatorError as exc:
        raise CommandError(str(exc)) from exc
    print(f"{args.name} can no longer log in, and is logged out; their name stays in the audit log")
    return 0


def second_factor(args, settings: Settings) -> int:
    """Removes an account's second factor (its phone lost, or changed): logged out; a
    coordinator sets up a new one at their next login."""
    from ivr.store.operators import OperatorError

    try:
        open_store(settings).operators.remove_second_factor(
            args.name, by=operator_name(settings), at=datetime.now(UTC)
        )
    except OperatorError as exc:
        raise CommandError(str(exc)) from exc
    print(f"{args.name} has no second factor any more and is logged out; a coordinator sets up")
    print("a new one at their next login")
    return 0
