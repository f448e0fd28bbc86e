"""orders after payment: fulfillment (shipped, delivered); what the buyer saw (display price)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 19:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from livebazaar.kernel.db import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(
            sa.Column(
                "fulfillment_status",
                sa.Enum(
                    "UNFULFILLED", "SHIPPED", "DELIVERED", name="fulfillmentstatus",
                    native_enum=False, length=16,
                ),
                server_default="UNFULFILLED",
                nullable=False,
            )
        )  # fmt: skip
        batch.add_column(sa.Column("carrier", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("tracking_number", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("shipped_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("delivered_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("display_currency", sa.String(length=3), nullable=True))
        batch.add_column(sa.Column("display_amount_minor", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("display_rate", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("display_rate_source", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("display_rate_as_of", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        for column in (
            "display_rate_as_of", "display_rate_source", "display_rate", "display_amount_minor",
            "display_currency",
        ):  # fmt: skip
            batch.drop_column(column)
        for column in ("delivered_at", "shipped_at", "tracking_number", "carrier"):
            batch.drop_column(column)
        batch.drop_column("fulfillment_status")
