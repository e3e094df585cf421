"""The console's accounts.

A password is never kept, only its hash (made by the caller: `ivr.console.accounts`); an
account is disabled, never deleted, so the audit log's names keep meaning someone. Disabling
an account or giving it a new password ends its sessions (`ivr.store.sessions`); wrong
passwords are counted by `ivr.store.throttle`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ivr.store.grants import ALL, Grant, Grants
from ivr.store.sessions import Sessions
from ivr.store.tables import operators, recovery_codes
from ivr.store.times import aware, utc

COORDINATOR, COUNSELLOR = "coordinator", "counsellor"
ROLES = (COORDINATOR, COUNSELLOR)


class OperatorError(ValueError):
    """What was asked of an account cannot be done; the text says why."""


def _row(mapping) -> dict:
    row = dict(mapping)
    for key in ("created_at", "disabled_at", "last_login_at", "reset_until", "totp_enrolled_at"):
        if key in row:
            row[key] = aware(row[key])
    return row


class Operators:
    def __init__(self, store):
        self.store = store

    def add(
        self,
        name: str,
        role: str,
        password_hash: str,
        *,
        language: str,
        by: str,
        at,
        grants: tuple[Grant, ...] | None = None,
    ):
        """A new account with `grants` (`ivr.store.grants`). Without them (the store's own
        callers, the tests): every line, flagged as not narrowed yet, as migration 0009 gave
        the accounts made before grants. `ivr operators add` and the console always give some."""
        if role not in ROLES:
            raise OperatorError(f"a role is {' or '.join(ROLES)}, not '{role}'")
        if grants is None:
            grants = (Grant(ALL, role, None, unnarrowed=True),)
        self.store.ready()
        try:
            with self.store.engine.begin() as conn:
                added = conn.execute(
                    insert(operators).values(
                        name=name,
                        role=role,
                        password_hash=password_hash,
                        language=language,
                        active=True,
                        created_at=utc(at),
                    )
                )
                Grants.replace(conn, added.inserted_primary_key[0], grants)
                self.store.audit.add(
                    conn, at=at, operator=by, action="account added", subject=name, detail=role
                )
        except IntegrityError as exc:
            raise OperatorError(f"there is an account '{name}' already") from exc

    def disable(self, name: str, *, by: str, at: datetime) -> None:
        self.store.ready()
        with self.store.engine.begin() as conn:
            found = conn.execute(
                update(operators)
                .where(operators.c.name == name, operators.c.active.is_(True))
                .values(active=False, disabled_at=utc(at))
                .returning(operators.c.id)
            ).first()
            if found is None:
                raise OperatorError(f"there is no active account '{name}'")
            ended = Sessions.end_all(conn, found.id)
            self.store.audit.add(
                conn,
                at=at,
                operator=by,
                action="account disabled",
                subject=name,
                detail=f"{ended} session(s) ended",
            )

    def set_password(self, name: str, password_hash: str, *, by: str, at: datetime) -> int:
        """A new password (its hash) for an active account: every session it has open ends,
        a copied cookie's too. Returns how many ended."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            found = conn.execute(
                update(operators)
                .where(operators.c.name == name, operators.c.active.is_(True))
                .values(password_hash=password_hash)
                .returning(operators.c.id)
            ).first()
            if found is None:
                raise OperatorError(f"there is no active account '{name}' (ivr operators list)")
            ended = Sessions.end_all(conn, found.id)
            self.store.audit.add(
                conn,
                at=at,
                operator=by,
                action="password changed",
                subject=name,
                detail=f"{ended} session(s) ended",
            )
        return ended

    def set_grants(self, name: str, grants: tuple[Grant, ...], *, by: str, at: datetime) -> None:
        """The account's grants become `grants`; its role, the highest of theirs. Its open
        sessions end: what it saw a minute ago it may no longer see."""
        role = COORDINATOR if any(g.role == COORDINATOR for g in grants) else COUNSELLOR
        self.store.ready()
        with self.store.engine.begin() as conn:
            found = conn.execute(
                update(operators)
                .where(operators.c.name == name, operators.c.active.is_(True))
                .values(role=role)
                .returning(operators.c.id)
            ).first()
            if found is None:
                raise OperatorError(f"there is no active account '{name}' (ivr operators list)")
            Grants.replace(conn, found.id, grants)
            ended = Sessions.end_all(conn, found.id)
            self.store.audit.add(
                conn,
                at=at,
                operator=by,
                action="grants changed",
                subject=name,
                detail=f"{ended} session(s) ended",
            )

    def set_reset(self, name: str, code_hash: str, until: datetime, *, by: str, at) -> None:
        """A one-time code (its hash) with which the account sets its own password until
        `until`; its current password keeps working until then."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            changed = conn.execute(
                update(operators)
                .where(operators.c.name == name, operators.c.active.is_(True))
                .values(reset_hash=code_hash, reset_until=utc(until))
            ).rowcount
            if not changed:
                raise OperatorError(f"there is no active account '{name}'")
            self.store.audit.add(
                conn, at=at, operator=by, action="reset code given", subject=name, detail=""
            )

    def reset_password(self, operator_id: int, password_hash: str, *, at: datetime) -> int:
        """The account's own new password, set with its one-time code (used up): its sessions
        end. Returns how many."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            found = conn.execute(
                update(operators)
                .where(operators.c.id == operator_id, operators.c.active.is_(True))
                .values(password_hash=password_hash, reset_hash=None, reset_until=None)
                .returning(operators.c.name)
            ).first()
            if found is None:
                raise OperatorError("there is no such active account")
            ended = Sessions.end_all(conn, operator_id)
            self.store.audit.add(
                conn,
                at=at,
                operator=found.name,
                action="password changed",
                subject=found.name,
                detail=f"{ended} session(s) ended",
            )
        return ended

    # -- the second factor (`ivr.console.second`) ---------------------------------------------

    def start_enrolment(self, operator_id: int, secret: str) -> None:
        """A TOTP secret not yet confirmed (enrolled) for the account."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            conn.execute(
                update(operators)
                .where(operators.c.id == operator_id, operators.c.totp_enrolled_at.is_(None))
                .values(totp_secret=secret)
            )

    def enrol(self, operator_id: int, step: int, recovery_hashes, *, at: datetime) -> None:
        """The second factor confirmed by a first code (of time step `step`), with the
        hashes of the account's recovery codes (the earlier ones go)."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            found = conn.execute(
                update(operators)
                .where(operators.c.id == operator_id, operators.c.totp_secret.is_not(None))
                .values(totp_enrolled_at=utc(at), totp_last_step=step)
                .returning(operators.c.name)
            ).first()
            if found is None:
                raise OperatorError("no second factor to confirm")
            conn.execute(recovery_codes.delete().where(recovery_codes.c.operator_id == operator_id))
            for code_hash in recovery_hashes:
                conn.execute(
                    insert(recovery_codes).values(operator_id=operator_id, code_hash=code_hash)
                )
            self.store.audit.add(
                conn,
                at=at,
                operator=found.name,
                action="second factor enrolled",
                subject=found.name,
                detail="",
            )

    def remove_second_factor(self, name: str, *, by: str, at: datetime) -> None:
        """The account's second factor and recovery codes gone (a lost phone): a coordinator
        enrols again at their next login. Its sessions end."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            found = conn.execute(
                update(operators)
                .where(operators.c.name == name, operators.c.active.is_(True))
                .values(totp_secret=None, totp_enrolled_at=None, totp_last_step=None)
                .returning(operators.c.id)
            ).first()
            if found is None:
                raise OperatorError(f"there is no active account '{name}' (ivr operators list)")
            conn.execute(recovery_codes.delete().where(recovery_codes.c.operator_id == found.id))
            ended = Sessions.end_all(conn, found.id)
            self.store.audit.add(
                conn,
                at=at,
                operator=by,
                action="second factor removed",
                subject=name,
                detail=f"{ended} session(s) ended",
            )

    def take_step(self, operator_id: int, step: int) -> bool:
        """A code of time step `step` accepted, once: False if it, or a later one, was."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(operators)
                    .where(
                        operators.c.id == operator_id,
                        or_(
                            operators.c.totp_last_step.is_(None), operators.c.totp_last_step < step
                        ),
                    )
                    .values(totp_last_step=step)
                ).rowcount
            )

    def recovery_hashes(self, operator_id: int) -> list[tuple[int, str]]:
        """The account's unused recovery codes: (number, hash)."""
        self.store.ready()
        query = select(recovery_codes.c.id, recovery_codes.c.code_hash).where(
            recovery_codes.c.operator_id == operator_id, recovery_codes.c.used_at.is_(None)
        )
        with self.store.engine.connect() as conn:
            return [(row.id, row.code_hash) for row in conn.execute(query)]

    def use_recovery(self, code_id: int, at: datetime) -> bool:
        self.store.ready()
        with self.store.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(recovery_codes)
                    .where(recovery_codes.c.id == code_id, recovery_codes.c.used_at.is_(None))
                    .values(used_at=utc(at))
                ).rowcount
            )

    def logged_in(self, operator_id: int, at: datetime) -> None:
        self.store.ready()
        with self.store.engine.begin() as conn:
            conn.execute(
                update(operators).where(operators.c.id == operator_id).values(last_login_at=utc(at))
            )

    def list(self) -> list[dict]:
        """Every account, each with its `grants`."""
        self.store.ready()
        query = select(operators).order_by(operators.c.name)
        with self.store.engine.connect() as conn:
            rows = [_row(row._mapping) for row in conn.execute(query)]
        grants = self.store.grants.everyone()
        for row in rows:
            row["grants"] = grants.get(row["id"], ())
        return rows

    def get(self, *, name: str | None = None, operator_id: int | None = None) -> dict | None:
        """An active account, by its name or its number; None when there is none."""
        self.store.ready()
        query = select(operators).where(operators.c.active.is_(True))
        if name is not None:
            query = query.where(operators.c.name == name)
        else:
            query = query.where(operators.c.id == operator_id)
        with self.store.engine.connect() as conn:
            row = conn.execute(query).first()
        return _row(row._mapping) if row else None

    def set_pin(self, name: str, pin_hash: str, *, by: str, at: datetime) -> None:
        """Gives an account its phone-console PIN (its hash): a coordinator's opens the
        overrides and their shift, a counsellor's their shift alone (issue 21)."""
        self.store.ready()
        with self.store.engine.begin() as conn:
            changed = conn.execute(
                update(operators)
                .where(
                    operators.c.name == name,
                    operators.c.active.is_(True),
                )
                .values(pin_hash=pin_hash)
            ).rowcount
            if not changed:
                raise OperatorError(f"there is no active account '{name}' (ivr operators list)")
            self.store.audit.add(
                conn, at=at, operator=by, action="console PIN set", subject=name, detail=""
            )

    def set_language(self, operator_id: int, language: str) -> None:
        self.store.ready()
        with self.store.engine.begin() as conn:
            conn.execute(
                update(operators).where(operators.c.id == operator_id).values(language=language)
            )
