"""the ledger: accounts, entries, postings (balanced and immutable), shows' commissions, a
shop's own platform fee

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 19:50:00

The triggers are the ones ledger/ddl.py attaches to create_all, copied here so that this
revision stays what it was when the code moves on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import livebazaar.kernel.db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


PG_UP = [
    "CREATE OR REPLACE FUNCTION ledger_check_entry_balanced() RETURNS trigger AS $$\nDECLARE\n    unbalanced RECORD;\nBEGIN\n    SELECT currency, SUM(amount_minor) AS total INTO unbalanced\n        FROM ledger_postings WHERE entry_id = NEW.entry_id\n        GROUP BY currency HAVING SUM(amount_minor) <> 0 LIMIT 1;\n    IF FOUND THEN\n        RAISE EXCEPTION 'ledger entry % does not balance: % % left over',\n            NEW.entry_id, unbalanced.total, unbalanced.currency USING ERRCODE = '23514';\n    END IF;\n    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql",
    "CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$\nBEGIN\n    RAISE EXCEPTION '% rows are never changed or deleted: write a reversing entry',\n        TG_TABLE_NAME USING ERRCODE = '23514';\nEND;\n$$ LANGUAGE plpgsql",
    "CREATE CONSTRAINT TRIGGER ledger_postings_balanced AFTER INSERT ON ledger_postings\n    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced()",
    "CREATE TRIGGER ledger_postings_immutable BEFORE UPDATE OR DELETE ON ledger_postings\n    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()",
    "CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE OR DELETE ON ledger_entries\n    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()",
]
SQLITE_UP = [
    "CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries\nBEGIN\n    SELECT RAISE(ABORT, 'ledger_entries rows are never changed or deleted: write a reversing entry');\nEND",
    "CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries\nBEGIN\n    SELECT RAISE(ABORT, 'ledger_entries rows are never changed or deleted: write a reversing entry');\nEND",
    "CREATE TRIGGER ledger_postings_no_update BEFORE UPDATE ON ledger_postings\nBEGIN\n    SELECT RAISE(ABORT, 'ledger_postings rows are never changed or deleted: write a reversing entry');\nEND",
    "CREATE TRIGGER ledger_postings_no_delete BEFORE DELETE ON ledger_postings\nBEGIN\n    SELECT RAISE(ABORT, 'ledger_postings rows are never changed or deleted: write a reversing entry');\nEND",
]
PG_DOWN = [
    "DROP FUNCTION IF EXISTS ledger_check_entry_balanced() CASCADE",
    "DROP FUNCTION IF EXISTS ledger_refuse_change() CASCADE",
]


def upgrade() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column(
            "owner_type",
            sa.Enum(
                "PLATFORM",
                "SHOP",
                "PRODUCER",
                "USER",
                name="ownertype",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "PROVIDER_CLEARING",
                "PAYMENT_FEE",
                "PLATFORM_FEE",
                "COMMISSION_PAYABLE",
                "PRODUCER_PAYABLE",
                "SHOP_PAYABLE",
                "SHIPPING_PAYABLE",
                "REFUNDS",
                name="accountkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "bucket",
            sa.Enum(
                "POSTED",
                "PENDING",
                "AVAILABLE",
                "IN_TRANSIT",
                "PAID_OUT",
                name="bucket",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", livebazaar.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_ledger_accounts_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_accounts")),
        sa.UniqueConstraint(
            "shop_id",
            "owner_type",
            "owner_id",
            "kind",
            "bucket",
            "currency",
            name=op.f("uq_ledger_accounts_shop_id_owner_type_owner_id_kind_bucket_currency"),
        ),
    )
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_accounts_owner", ["owner_type", "owner_id"], unique=False)

    op.create_table(
        "show_commissions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("show_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("bps", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", livebazaar.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("bps > 0 AND bps <= 10000", name=op.f("ck_show_commissions_bps_range")),
        sa.ForeignKeyConstraint(
            ["set_by"], ["users.id"], name=op.f("fk_show_commissions_set_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_show_commissions_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_show_commissions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_show_commissions")),
        sa.UniqueConstraint("show_id", "user_id", name=op.f("uq_show_commissions_show_id_user_id")),
    )
    with op.batch_alter_table("show_commissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_show_commissions_show_id"), ["show_id"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "SALE",
                "REFUND",
                "CHARGEBACK",
                "RELEASE",
                "PAYOUT",
                "PAYOUT_SETTLED",
                "PAYOUT_FAILED",
                "CORRECTION",
                name="entrykind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=True),
        sa.Column("show_id", sa.String(length=36), nullable=True),
        sa.Column("reverses_entry_id", sa.String(length=36), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", livebazaar.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_ledger_entries_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_ledger_entries_reverses_entry_id_ledger_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_ledger_entries_shop_id_shops")
        ),
        sa.ForeignKeyConstraint(
            ["show_id"], ["shows.id"], name=op.f("fk_ledger_entries_show_id_shows")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("key", name=op.f("uq_ledger_entries_key")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_entries_order_kind", ["order_id", "kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entries_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "ledger_postings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.CheckConstraint("amount_minor <> 0", name=op.f("ck_ledger_postings_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_ledger_postings_account_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_ledger_postings_entry_id_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_postings")),
        sa.UniqueConstraint(
            "entry_id", "account_id", name=op.f("uq_ledger_postings_entry_id_account_id")
        ),
    )
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_postings_account", ["account_id", "amount_minor"], unique=False
        )

    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("platform_fee_bps", sa.Integer(), nullable=True))
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fee_minor", sa.BigInteger(), nullable=True))
    op.create_table(
        "refunds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("payment_id", sa.String(length=36), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING", "SUCCEEDED", "FAILED", name="refundstatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("cancels_order", sa.Boolean(), nullable=False),
        sa.Column("created_at", livebazaar.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", livebazaar.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_refunds_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_refunds_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index("ix_refunds_order_status", ["order_id", "status"], unique=False)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refunded_minor", sa.BigInteger(), server_default="0", nullable=False)
        )
    # Orders refunded before partial refunds existed were refunded whole.
    op.execute(
        "UPDATE orders SET refunded_minor = total_minor WHERE status = 'REFUNDED'"
        " OR (status = 'CANCELLED' AND paid_at IS NOT NULL)"
    )
    for statement in PG_UP if op.get_bind().dialect.name == "postgresql" else SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("refunded_minor")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index("ix_refunds_order_status")
    op.drop_table("refunds")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("fee_minor")
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DOWN:
            op.execute(statement)
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.drop_column("platform_fee_bps")

    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_postings_account")

    op.drop_table("ledger_postings")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_shop_id"))
        batch_op.drop_index("ix_ledger_entries_order_kind")

    op.drop_table("ledger_entries")
    with op.batch_alter_table("show_commissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_show_commissions_show_id"))

    op.drop_table("show_commissions")
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_accounts_owner")

    op.drop_table("ledger_accounts")
