"""co-host invitations: when the invitee declined

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 16:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from livebazaar.kernel.db import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cohost_invites") as batch:
        batch.add_column(sa.Column("declined_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cohost_invites") as batch:
        batch.drop_column("declined_at")
