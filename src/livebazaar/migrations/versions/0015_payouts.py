"""payouts: payout methods, the shops' payout settings, payout batches and payouts

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 19:51:42
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import livebazaar.kernel.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payout_batches",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum("OPEN", "CLOSED", name="batchstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", livebazaar.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_payout_batches_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_payout_batches_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_batches")),
    )
    op.create_index("ix_payout_batches_shop_created", "payout_batches", ["shop_id", "created_at"])

    op.create_table(
        "payout_methods",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column(
            "party_type",
            sa.Enum("SHOP", "PRODUCER", "USER", name="partytype", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("party_id", sa.String(length=36), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "BANK", "MOBILE_MONEY", "CASH", name="methodkind", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("holder", sa.String(length=70), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("provider", sa.String(length=40), nullable=True),
        sa.Column("updated_by", sa.String(length=36), nullable=True),
        sa.Column("updated_at", livebazaar.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_payout_methods_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_methods")),
        sa.UniqueConstraint(
            "party_type", "party_id", name=op.f("uq_payout_methods_party_type_party_id")
        ),
    )
    op.create_table(
        "payout_settings",
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("minimum_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("updated_at", livebazaar.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "minimum_minor >= 0", name=op.f("ck_payout_settings_minimum_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_payout_settings_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_payout_settings")),
    )
    op.create_table(
        "payouts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column(
            "party_type",
            sa.Enum("SHOP", "PRODUCER", "USER", name="partytype", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("party_id", sa.String(length=36), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("method", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("PENDING", "PAID", "FAILED", name="payoutstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=140), nullable=True),
        sa.Column("failure_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", livebazaar.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("settled_at", livebazaar.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payouts_amount_positive")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["payout_batches.id"], name=op.f("fk_payouts_batch_id_payout_batches")
        ),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_payouts_shop_id_shops")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
    )
    op.create_index(op.f("ix_payouts_batch_id"), "payouts", ["batch_id"])
    op.create_index("ix_payouts_party", "payouts", ["party_type", "party_id"])


def downgrade() -> None:
    op.drop_index("ix_payouts_party", table_name="payouts")
    op.drop_index(op.f("ix_payouts_batch_id"), table_name="payouts")
    op.drop_table("payouts")
    op.drop_table("payout_settings")
    op.drop_table("payout_methods")
    op.drop_index("ix_payout_batches_shop_created", table_name="payout_batches")
    op.drop_table("payout_batches")
