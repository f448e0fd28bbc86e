"""tokens remember their last use, so that an unused one ends before its expiry

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import livebazaar.kernel.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "last_used_at", livebazaar.kernel.db.UTCDateTime(timezone=True), nullable=True
            )
        )
    op.execute("UPDATE auth_tokens SET last_used_at = created_at")
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.alter_column(
            "last_used_at",
            existing_type=livebazaar.kernel.db.UTCDateTime(timezone=True),
            nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
