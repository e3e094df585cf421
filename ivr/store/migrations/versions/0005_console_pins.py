"""A coordinator's PIN for the phone console, kept as a hash.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.add_column(sa.Column("pin_hash", sa.String(255)))


def downgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("pin_hash")
