"""Mail when a message waits (its claim and sending on the message, the daily reminders), and
what the reports need kept as it was: the line's organisation on each call and message, and
each message's figures, which outlive the message.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-02
"""

from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("voicemails") as batch:
        batch.add_column(sa.Column("organisation", sa.String(64)))
        batch.add_column(sa.Column("mail_due_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("mail_attempts", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("mail_claimed_until", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("mailed_at", sa.DateTime(timezone=True)))
        batch.create_index("ix_voicemails_mail_due_at", ["mail_due_at"])
    with op.batch_alter_table("call_outcomes") as batch:
        batch.add_column(sa.Column("organisation", sa.String(64)))
    # Until organisations are written, a line is its own: what the rows already say.
    op.execute("UPDATE voicemails SET organisation = line WHERE organisation IS NULL")
    op.execute("UPDATE call_outcomes SET organisation = line WHERE organisation IS NULL")
    op.create_table(
        "message_figures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("message_id", sa.Integer, nullable=False, index=True),
        sa.Column("line", sa.String(64), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("received_hour", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("outcome", sa.String(16)),
        sa.Column("done_hour", sa.DateTime(timezone=True)),
        sa.Column("wait_seconds", sa.Integer),
        sa.Column("purged_hour", sa.DateTime(timezone=True)),
        sa.Column("purged_unanswered", sa.Boolean),
    )
    op.create_table(
        "mail_reminders",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    )
    # The figures of the messages kept today, from what they say (their mails were never
    # due: no mail for a message left before mails existed).
    voicemails = sa.table(
        "voicemails",
        sa.column("id", sa.Integer),
        sa.column("line", sa.String),
        sa.column("received_at", sa.DateTime(timezone=True)),
        sa.column("done_at", sa.DateTime(timezone=True)),
        sa.column("outcome", sa.String),
    )
    figures = sa.table(
        "message_figures",
        sa.column("message_id", sa.Integer),
        sa.column("line", sa.String),
        sa.column("organisation", sa.String),
        sa.column("received_hour", sa.DateTime(timezone=True)),
        sa.column("outcome", sa.String),
        sa.column("done_hour", sa.DateTime(timezone=True)),
        sa.column("wait_seconds", sa.Integer),
    )
    bind = op.get_bind()
    rows = []
    for row in bind.execute(sa.select(voicemails)):
        received, done = aware(row.received_at), aware(row.done_at)
        rows.append(
            {
                "message_id": row.id,
                "line": row.line,
                "organisation": row.line,
                "received_hour": hour(received),
                "outcome": row.outcome,
                "done_hour": hour(done) if done else None,
                "wait_seconds": max(0, int((done - received).total_seconds())) if done else None,
            }
        )
    if rows:
        bind.execute(sa.insert(figures), rows)


def aware(moment):
    """SQLite gives its times back without their zone: they were written in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def hour(moment):
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def downgrade() -> None:
    op.drop_table("mail_reminders")
    op.drop_table("message_figures")
    with op.batch_alter_table("call_outcomes") as batch:
        batch.drop_column("organisation")
    with op.batch_alter_table("voicemails") as batch:
        batch.drop_index("ix_voicemails_mail_due_at")
        batch.drop_column("mailed_at")
        batch.drop_column("mail_claimed_until")
        batch.drop_column("mail_attempts")
        batch.drop_column("mail_due_at")
        batch.drop_column("organisation")
