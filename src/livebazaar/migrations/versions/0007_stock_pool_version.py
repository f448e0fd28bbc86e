"""a version on each stock pool, carried by drop stock events so clients keep the newest

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 20:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stock_pools") as batch:
        batch.add_column(sa.Column("version", sa.BigInteger(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("stock_pools") as batch:
        batch.drop_column("version")
