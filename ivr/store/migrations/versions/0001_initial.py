"""Voicemails, overrides and their log, anonymous call outcomes.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voicemails",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("line", sa.String(64), nullable=False, index=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recording_sid", sa.String(64), nullable=False, unique=True),
        sa.Column("recording_url", sa.String(512), nullable=False),
        sa.Column("duration_seconds", sa.Integer, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
    )
    op.create_table(
        "overrides",
        sa.Column("line", sa.String(64), primary_key=True),
        sa.Column("open", sa.Boolean, nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forward_to", sa.String(32)),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("operator", sa.String(100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "override_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("line", sa.String(64), nullable=False, index=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("open", sa.Boolean),
        sa.Column("until", sa.DateTime(timezone=True)),
        sa.Column("forward_to", sa.String(32)),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("operator", sa.String(100), nullable=False),
    )
    op.create_table(
        "call_outcomes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("line", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
    )


def downgrade() -> None:
    for table in ("call_outcomes", "override_log", "overrides", "voicemails"):
        op.drop_table(table)
