"""`ivr operators`: the console's accounts. `add NAME --role coordinator|counsellor` reads the
password from standard input (asked twice at a terminal), `list`, `disable NAME`, `password
NAME` a new password (the account's sessions end, on every browser), and `pin NAME` the PIN a
coordinator (or a counsellor, for their shifts alone) enters on the phone console
(docs/operators.md)."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime

from ivr.cli.common import CommandError, operator_name
from ivr.cli.database import open_store
from ivr.cli.moments import BRUSSELS_TIME
from ivr.settings import Settings


def operators(args, settings: Settings) -> int:
    if args.action in ("add", "disable", "password", "pin") and not args.name:
        raise CommandError(f"say whose account: ivr operators {args.action} NAME")
    actions = {"add": add, "list": listing, "disable": disable, "password": password, "pin": pin}
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
        )
    except OperatorError as exc:
        raise CommandError(str(exc)) from exc
    print(f"{name} can log in to the console as {args.role}")
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
