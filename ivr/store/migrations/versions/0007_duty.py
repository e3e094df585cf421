"""Counsellors on duty (their shifts), how many callers wait in each of Twilio's queues, and the
keys callers press while waiting
(issue 21).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duty_shifts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "operator_id", sa.Integer, sa.ForeignKey("operators.id"), nullable=False, index=True
        ),
        sa.Column("name", sa.String(100), nullable=False, index=True),
        sa.Column("lines", sa.String(500), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("languages", sa.String(100), nullable=False, server_default=""),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), index=True),
        sa.Column("not_ready_until", sa.DateTime(timezone=True)),
        sa.Column("last_call_ended_at", sa.DateTime(timezone=True)),
        sa.Column("skipped_until", sa.DateTime(timezone=True)),
        sa.Column("call_state", sa.String(16)),
        sa.Column("call_queue", sa.String(80)),
        sa.Column("offer_token", sa.String(64), unique=True),
        sa.Column("offer_until", sa.DateTime(timezone=True)),
        sa.Column("calls_taken", sa.Integer, nullable=False, server_default="0"),
        sa.Column("offers_refused", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "duty_queues",
        sa.Column("name", sa.String(80), primary_key=True),
        sa.Column("line", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("waiting", sa.Integer, nullable=False, server_default="0"),
        sa.Column("longest_wait", sa.Integer, nullable=False, server_default="0"),
        sa.Column("average_wait", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "duty_choices",
        sa.Column("call_key", sa.String(64), primary_key=True),
        sa.Column("choice", sa.String(8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("duty_choices")
    op.drop_table("duty_queues")
    op.drop_table("duty_shifts")
