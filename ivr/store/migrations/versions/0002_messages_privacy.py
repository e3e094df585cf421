"""Messages kept by us (their life and their encrypted audio), records to forget at Twilio,
and the audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("voicemails") as batch:
        batch.add_column(sa.Column("state", sa.String(16), nullable=False, server_default="new"))
        batch.add_column(sa.Column("taken_by", sa.String(100)))
        batch.add_column(sa.Column("taken_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("done_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("outcome", sa.String(16)))
        batch.add_column(sa.Column("note", sa.String(500)))
        batch.add_column(sa.Column("audio", sa.LargeBinary))
        batch.add_column(sa.Column("audio_type", sa.String(32)))
        batch.add_column(sa.Column("audio_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("deleted_at_twilio", sa.DateTime(timezone=True)))
    op.create_table(
        "forget",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sid", sa.String(64), nullable=False, unique=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(300)),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("operator", sa.String(100), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("forget")
    with op.batch_alter_table("voicemails") as batch:
        for column in (
            "deleted_at_twilio",
            "audio_at",
            "audio_type",
            "audio",
            "note",
            "outcome",
            "done_at",
            "taken_at",
            "taken_by",
            "state",
        ):
            batch.drop_column(column)
