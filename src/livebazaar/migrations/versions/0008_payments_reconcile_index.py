"""an index for reconciliation: pending payments, the longest-waiting first

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 23:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_payments_status_updated_at", "payments", ["status", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_payments_status_updated_at", table_name="payments")
