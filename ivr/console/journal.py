"""The audit log as the console shows it: each row's action, subject and detail in the page's
language, lines and services by their names, moments as the page writes them.

A row keeps what was written when it happened (an action's key, `login failed`, and English
details such as `2 session(s) ended`), and is never rewritten: what it says is read back here.
Each text a row may hold is written below once, as it is stored with its values as
`%(name)s`; that text is also the catalogues' msgid, unless the page says it otherwise
(`shown`). A row none of them matches, from a version before or after this one, is shown as
it is. tests/test_journal.py does every action the log records and checks each row is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from babel.dates import format_datetime

from ivr.console import access, board
from ivr.console.catalogue import N_
from ivr.console.words import locale_of, translate


@dataclass(frozen=True)
class Written:
    """A text as rows hold it, `%(name)s` where a value stands; what the page says instead."""

    text: str
    shown: str | None = None
    pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        parts = re.split(r"%\((\w+)\)s", self.text)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.*?)" for i, part in enumerate(parts)
        )
        object.__setattr__(self, "pattern", re.compile(regex, re.S))

    def match(self, text: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(text)
        return None if found is None else found.groupdict()


# What was done: the actions' keys (as `ivr.store` and the console write them).
ACTIONS = {
    "login": N_("logged in"),
    "logout": N_("logged out"),
    "session expired": N_("session expired"),
    "login failed": N_("login failed"),
    "login throttled": N_("logins refused"),
    "PIN refused": N_("phone console PINs refused"),
    "console PIN set": N_("phone console PIN set"),
    "account added": N_("account added"),
    "account disabled": N_("account disabled"),
    "password changed": N_("password changed"),
    "grants changed": N_("lines granted changed"),
    "reset code given": N_("one-time code given"),
    "second factor enrolled": N_("second factor set up"),
    "second factor removed": N_("second factor removed"),
    "override set": N_("override set"),
    "override cleared": N_("override cleared"),
    "trial call": N_("trial call"),
    "message played": N_("message played"),
    "message take": N_("message taken"),
    "message called back": N_("message done: called back"),
    "message closed": N_("message done: closed without a call"),
    "message purged": N_("message deleted"),
    "duty started": N_("shift started"),
    "duty ended": N_("shift ended"),
    "duty renew": N_("shift renewed"),
    "duty ready": N_("ready again after a call"),
}

# The actions done on an account: their subject is its name, said as it is.
ON_ACCOUNTS = {
    "account added",
    "account disabled",
    "password changed",
    "console PIN set",
    "grants changed",
    "reset code given",
    "second factor enrolled",
    "second factor removed",
}
ON_ACCOUNTS |= {"duty ended", "duty renew", "duty ready"}  # the counsellor's own
# A shift started: its subject is its lines (ivr.store.duty writes them "1712,stop-it-now").
ON_LINES = {"duty started"}

# Who, when it is not someone's account.
OPERATORS = {"retention": N_("retention period")}

# What it was done on.
SUBJECTS = (
    Written(N_("console")),
    Written(N_("message %(number)s (%(line)s)")),
    # An override cleared was once written as its line and number.
    Written("line %(line)s:%(number)s", N_("line %(line)s, override #%(number)s")),
    Written(N_("line %(line)s")),
)

# What a login throttled, or a phone console's PIN refused, was refused for.
REFUSED_FOR = (
    Written(N_("more than %(most)s wrong passwords in a minute for this name")),
    Written(N_("more than %(most)s wrong passwords in a minute for a name that has no account")),
    Written(N_("more than %(most)s wrong passwords in a minute from %(address)s")),
    Written(N_("%(most)s wrong phone console PINs within %(minutes)s minutes")),
)

# The details.
DETAILS = (
    Written(N_("no such account")),
    Written(N_("wrong password")),
    Written(N_("wrong phone console PIN")),
    Written(N_("wrong one-time code")),
    Written(N_("wrong second-factor code")),
    Written(N_("%(count)s refused: %(reason)s")),
    Written(N_("%(count)s session(s) ended")),
    Written(N_("coordinator")),
    Written(N_("counsellor")),
    Written("redirect to %(to)s until %(until)s", N_("calls to %(to)s until %(until)s")),
    Written("redirect until %(until)s", N_("calls sent elsewhere until %(until)s")),
    Written(N_("closed until %(until)s")),
    Written(N_("open until %(until)s")),
    Written("#%(number)s", N_("override #%(number)s")),
    Written(N_("at %(at)s, keys %(keys)s")),
    Written(N_("with a note")),
    Written(N_("kept its longest")),
    Written(N_("done %(days)s days ago")),
    # The end of a shift, as ivr.store.duty writes it (UTC), said in Brussels time.
    Written("until %(utc)s UTC", N_("until %(utc)s")),
)

MOMENT = "%Y-%m-%d %H:%M"  # how a detail writes a time (Brussels time)


@dataclass(frozen=True)
class Entry:
    at: datetime
    operator: str
    action: str
    subject: str
    detail: str
    read: bool  # whether each of its texts was one of those above (else shown as stored)


def entries(service, lang: str, account=None, limit: int = 300) -> list[Entry]:
    """The newest rows of the audit log that `account` may read (`readable`), in the page's
    words; every row without one (the command line's view)."""
    reader = Reader(service.config, lang)
    rows = service.store.audit.entries(limit=limit if account is None else limit * 10)
    if account is not None:
        rows = readable(rows, account, service.config, service.store)
    return [reader.entry(row) for row in rows[:limit]]


# How a row names a line: "line 1712", "line 1712:4" (an override), "message 3 (1712)".
LINE_OF = re.compile(r"line (?P<line>[^:]+)(?::\d+)?|message \d+ \((?P<message>.*)\)", re.S)


def line_named(row: dict) -> str | None:
    """The line a row of the audit log is about; None when it is about no line (logins, the
    accounts)."""
    found = LINE_OF.fullmatch(row["subject"])
    if found is None:
        return None
    return found.group("line") or found.group("message")


def readable(rows: list[dict], account, config, store) -> list[dict]:
    """The rows `account` may read: those of the lines it sees (`ivr.console.access`); those
    about an account (logins, accounts added, disabled...) when the account is its own, or
    one whose every grant is of an organisation it sees; the rest (a name that has no
    account, throttled logins) only if it sees every line."""
    if access.sees_everything(account):
        return rows
    organisations = access.visible_organisations(account, config)
    managed = {account.name}
    for other in store.operators.list():
        theirs = other["grants"]
        if theirs and all(g.organisation in organisations for g in theirs):
            managed.add(other["name"])
    shown = []
    for row in rows:
        if row["action"] in ON_LINES:
            # A shift for several lines: read by whoever sees every one of them.
            lines = [li for li in row["subject"].split(",") if li]
            if lines and all(access.may_see(account, config, li) for li in lines):
                shown.append(row)
            continue
        line = line_named(row)
        if line is not None:
            if access.may_see(account, config, line):
                shown.append(row)
            continue
        concerned = row["subject"] if row["action"] in ON_ACCOUNTS else row["operator"]
        if concerned in managed:
            shown.append(row)
    return shown


class Reader:
    def __init__(self, config, lang: str):
        self.config, self.lang = config, lang

    def entry(self, row: dict) -> Entry:
        action = ACTIONS.get(row["action"])
        if row["action"] in ON_ACCOUNTS:
            subject = row["subject"]
        elif row["action"] in ON_LINES:
            subject = self.value("lines", row["subject"])
        else:
            subject = self.said(SUBJECTS, row["subject"])
        detail = self.said(DETAILS, row["detail"] or "")
        return Entry(
            at=row["at"],
            operator=self.tr(OPERATORS.get(row["operator"], row["operator"])),
            action=self.tr(action) if action else row["action"],
            subject=row["subject"] if subject is None else subject,
            detail=row["detail"] if detail is None else detail,
            read=action is not None and subject is not None and detail is not None,
        )

    def tr(self, text: str, **values) -> str:
        return translate(text, self.lang, **values)

    def said(self, texts, stored: str) -> str | None:
        """The stored text in the page's words; None when none of `texts` is it."""
        if stored == "":
            return ""
        for written in texts:
            values = written.match(stored)
            if values is None:
                continue
            values = {name: self.value(name, value) for name, value in values.items()}
            if any(value is None for value in values.values()):
                return None
            return self.tr(written.shown or written.text, **values)
        return None

    def value(self, name: str, value: str) -> str | None:
        """A value of a stored text, as the page says it: a line by its name, a service by
        its name and a number as Belgians write it, a moment in the page's language."""
        if name == "line":
            line = self.config.lines.get(value)
            return line.name if line else value
        if name == "lines":
            return ", ".join(self.value("line", one) or one for one in value.split(","))
        if name == "utc":
            try:
                moment = datetime.strptime(value, MOMENT).replace(tzinfo=UTC)
            except ValueError:
                return value
            return format_datetime(
                moment, "d MMM y HH:mm", tzinfo="Europe/Brussels", locale=locale_of(self.lang)
            )
        if name == "to":
            return board.destination(self.config, value, self.lang)
        if name in ("until", "at"):
            try:
                moment = datetime.strptime(value, MOMENT).replace(tzinfo=UTC)
            except ValueError:
                return value
            # Written in Brussels time already: said as written, in the page's words.
            return format_datetime(moment, "d MMM y HH:mm", tzinfo=UTC, locale=locale_of(self.lang))
        if name == "reason":
            return self.said(REFUSED_FOR, value)
        return value.strip()
