"""The console's sessions, kept on the server; wrong passwords and PINs counted a row a
subject and window (one atomic update an attempt) instead of a row each.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "operator_id", sa.Integer, sa.ForeignKey("operators.id"), nullable=False, index=True
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "login_throttle",
        sa.Column("subject", sa.String(120), primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("refused", sa.Integer, nullable=False),
        sa.Column("audit_id", sa.Integer),
    )
    # Wrong passwords of the last day, a row each: the counts start afresh (a name or an
    # address throttled at the moment of the upgrade may try again at once).
    op.drop_table("login_failures")


def downgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("account", sa.String(100), nullable=False, index=True),
        sa.Column("address", sa.String(64), nullable=False, index=True),
    )
    op.drop_table("login_throttle")
    op.drop_table("console_sessions")
