"""products keep the farm-gate price a middleman paid per unit, for the producer's uplift

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference_price_minor", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("reference_unit", sa.String(length=40), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("reference_unit")
        batch_op.drop_column("reference_price_minor")
