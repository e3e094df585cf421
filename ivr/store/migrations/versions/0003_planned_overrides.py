"""Planned overrides: several a line, each with its number and its start; the log says which
override an entry set or cleared, and from when. A service's id fits where a number did.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The columns both versions of `overrides` have, typed (so that SQLite's dates read as such).
COLUMNS = {
    "line": sa.String(64),
    "open": sa.Boolean,
    "until": sa.DateTime(timezone=True),
    "forward_to": sa.String(64),
    "reason": sa.String(500),
    "operator": sa.String(100),
    "set_at": sa.DateTime(timezone=True),
}


def shared_columns(*more):
    return [*more, *(sa.column(name, kind) for name, kind in COLUMNS.items())]


def upgrade() -> None:
    conn = op.get_bind()
    # The table's key changes (one row a line, then one an override): made again, its rows
    # kept, each starting when it was set. Few rows: read whole, written back.
    old = sa.table("overrides", *shared_columns())
    rows = [dict(row._mapping) for row in conn.execute(sa.select(old))]
    op.drop_table("overrides")
    new = op.create_table(
        "overrides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("line", sa.String(64), nullable=False, index=True),
        sa.Column("open", sa.Boolean, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("forward_to", sa.String(64)),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("operator", sa.String(100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    if rows:
        op.bulk_insert(new, [dict(row, starts_at=row["set_at"]) for row in rows])
    with op.batch_alter_table("override_log") as batch:
        batch.alter_column("forward_to", type_=sa.String(64), existing_type=sa.String(32))
        batch.add_column(sa.Column("override_id", sa.Integer))
        batch.add_column(sa.Column("starts_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    """Back to one override a line: the one that ends last is kept, from now on (a planned
    one starts at once), and a service's id is cut to the 32 characters a number had."""
    conn = op.get_bind()
    table = sa.table("overrides", *shared_columns(sa.column("id", sa.Integer)))
    rows = [dict(row._mapping) for row in conn.execute(sa.select(table).order_by(table.c.until))]
    kept = {row["line"]: row for row in rows}  # the last for each line
    op.execute("UPDATE override_log SET forward_to = substr(forward_to, 1, 32)")
    with op.batch_alter_table("override_log") as batch:
        batch.drop_column("starts_at")
        batch.drop_column("override_id")
        batch.alter_column("forward_to", type_=sa.String(32), existing_type=sa.String(64))
    op.drop_table("overrides")
    old = op.create_table(
        "overrides",
        sa.Column("line", sa.String(64), primary_key=True),
        sa.Column("open", sa.Boolean, nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forward_to", sa.String(32)),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("operator", sa.String(100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    if kept:
        op.bulk_insert(
            old,
            [
                {name: row[name] for name in COLUMNS}
                | {"forward_to": (row["forward_to"] or None) and row["forward_to"][:32]}
                for row in kept.values()
            ],
        )
