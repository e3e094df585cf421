"""What each console account may see and do: its grants, each a role in an organisation (all
its lines, those added later too) or in one line of it, or in every line (`ALL`, the
platform's own staff). What a grant covers is decided by `ivr.console.access`, against the
configuration; here they are only kept."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from ivr.store.tables import operator_grants, operators

ALL = "*"  # the organisation of a grant of every line


@dataclass(frozen=True)
class Grant:
    organisation: str  # ALL: every line
    role: str
    line: str | None = None  # None: every line of the organisation
    unnarrowed: bool = False  # given by migration 0009 to an account made before grants

    @property
    def everything(self) -> bool:
        return self.organisation == ALL

    def said(self) -> str:
        """As `ivr operators list` writes it."""
        if self.everything:
            where = "all lines" + (" (not narrowed yet)" if self.unnarrowed else "")
        elif self.line:
            where = f"line {self.line} of {self.organisation}"
        else:
            where = f"organisation {self.organisation}"
        return f"{self.role} of {where}"


def _grant(row) -> Grant:
    return Grant(row.organisation, row.role, row.line, bool(row.unnarrowed))


class Grants:
    def __init__(self, store):
        self.store = store

    def of(self, operator_id: int) -> tuple[Grant, ...]:
        self.store.ready()
        query = (
            select(operator_grants)
            .where(operator_grants.c.operator_id == operator_id)
            .order_by(operator_grants.c.id)
        )
        with self.store.engine.connect() as conn:
            return tuple(_grant(row) for row in conn.execute(query))

    def of_name(self, name: str) -> tuple[Grant, ...]:
        """The grants of the account `name`, active or not (whether it may act is asked
        apart)."""
        self.store.ready()
        query = (
            select(operator_grants)
            .join(operators, operators.c.id == operator_grants.c.operator_id)
            .where(operators.c.name == name)
            .order_by(operator_grants.c.id)
        )
        with self.store.engine.connect() as conn:
            return tuple(_grant(row) for row in conn.execute(query))

    def everyone(self) -> dict[int, tuple[Grant, ...]]:
        """Every account's grants, by the account's number."""
        self.store.ready()
        found: dict[int, list[Grant]] = {}
        with self.store.engine.connect() as conn:
            for row in conn.execute(select(operator_grants).order_by(operator_grants.c.id)):
                found.setdefault(row.operator_id, []).append(_grant(row))
        return {key: tuple(value) for key, value in found.items()}

    @staticmethod
    def replace(conn, operator_id: int, grants) -> None:
        """The account's grants become `grants` (within the caller's transaction)."""
        conn.execute(delete(operator_grants).where(operator_grants.c.operator_id == operator_id))
        for grant in grants:
            conn.execute(
                insert(operator_grants).values(
                    operator_id=operator_id,
                    organisation=grant.organisation,
                    role=grant.role,
                    line=grant.line,
                    unnarrowed=grant.unnarrowed,
                )
            )
