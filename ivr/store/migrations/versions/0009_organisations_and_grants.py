"""Grants: what each console account may see, by organisation and line. Every account made
before is given every line, flagged as not narrowed yet (`ivr operators list` and the console
show it), so that nothing changes silently and nothing stays hidden. Besides: when each
account last logged in, one-time codes to reset a password, the second factor and its
recovery codes; which organisation's key sealed each message's audio.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    grants = op.create_table(
        "operator_grants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "operator_id", sa.Integer, sa.ForeignKey("operators.id"), nullable=False, index=True
        ),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("line", sa.String(64)),
        sa.Column("unnarrowed", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "operator_id", sa.Integer, sa.ForeignKey("operators.id"), nullable=False, index=True
        ),
        sa.Column("code_hash", sa.String(255), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
    )
    with op.batch_alter_table("operators") as batch:
        batch.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("reset_hash", sa.String(255)))
        batch.add_column(sa.Column("reset_until", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("totp_secret", sa.String(64)))
        batch.add_column(sa.Column("totp_enrolled_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("totp_last_step", sa.Integer))
    with op.batch_alter_table("voicemails") as batch:
        batch.add_column(sa.Column("sealed_for", sa.String(64)))
    accounts = sa.table("operators", sa.column("id", sa.Integer), sa.column("role", sa.String))
    rows = op.get_bind().execute(sa.select(accounts.c.id, accounts.c.role)).all()
    if rows:
        op.bulk_insert(
            grants,
            [
                {
                    "operator_id": row.id,
                    "organisation": "*",
                    "role": row.role,
                    "line": None,
                    "unnarrowed": True,
                }
                for row in rows
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("voicemails") as batch:
        batch.drop_column("sealed_for")
    with op.batch_alter_table("operators") as batch:
        for column in (
            "totp_last_step",
            "totp_enrolled_at",
            "totp_secret",
            "reset_until",
            "reset_hash",
            "last_login_at",
        ):
            batch.drop_column(column)
    op.drop_table("recovery_codes")
    op.drop_table("operator_grants")
