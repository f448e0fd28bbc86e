"""The ledger's tables: accounts, entries (one business event each) and their postings.

Amounts are signed integer minor units seen from the account's owner: a positive posting is
money the account gains (a producer is owed more), a negative one money it gives. The provider
clearing account is where buyers' money comes from, so it runs negative by what the platform
holds for others (Formance's `@world`). Every entry's postings sum to zero per currency, so
every shop's accounts do too (ADR 0021).

Postings and entries are never updated or deleted (the triggers in `ledger/ddl.py` refuse it on
both engines); a correction is a new entry, pointing at the one it reverses when there is one.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from livebazaar.kernel.db import Base
from livebazaar.kernel.ids import new_id


class OwnerType(enum.StrEnum):
    PLATFORM = "platform"
    SHOP = "shop"
    PRODUCER = "producer"
    USER = "user"  # a co-host or influencer paid a commission


class AccountKind(enum.StrEnum):
    PROVIDER_CLEARING = "provider_clearing"  # buyers' money, as the payment provider holds it
    PAYMENT_FEE = "payment_fee"  # what the provider kept of each charge
    PLATFORM_FEE = "platform_fee"
    COMMISSION_PAYABLE = "commission_payable"
    PRODUCER_PAYABLE = "producer_payable"
    SHOP_PAYABLE = "shop_payable"
    SHIPPING_PAYABLE = "shipping_payable"
    REFUNDS = "refunds"  # the platform's loss: the provider's fee on money refunded


class Bucket(enum.StrEnum):
    """Where a party's money is in its life. A sale's shares are `pending` until the order is
    released (delivered and past the buyer's window), then `available`; a payout moves them
    `in_transit` and then `paid_out` (or back to `available` if it fails). The clearing and
    payment-fee accounts have no hold: `posted`."""

    POSTED = "posted"
    PENDING = "pending"
    AVAILABLE = "available"
    IN_TRANSIT = "in_transit"
    PAID_OUT = "paid_out"


class EntryKind(enum.StrEnum):
    SALE = "sale"  # an order was paid: its split
    REFUND = "refund"  # part or all of it given back, in proportion
    CHARGEBACK = "chargeback"  # the buyer's bank took it back: like a full refund
    RELEASE = "release"  # an order's pending shares became available
    PAYOUT = "payout"  # payouts (its own feature) move available money out
    PAYOUT_SETTLED = "payout_settled"
    PAYOUT_FAILED = "payout_failed"
    CORRECTION = "correction"


PLATFORM_OWNER = "platform"  # owner_id of the platform's accounts (NULLs would not be unique)


class LedgerAccount(Base):
    """One account per (shop, owner, kind, bucket, currency): every account belongs to the
    shop whose sales feed it, so each shop's accounts sum to zero on their own (its trial
    balance). Its id is derived from that key (`journal.AccountRef.id`), so a writer knows it
    without reading."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        UniqueConstraint("shop_id", "owner_type", "owner_id", "kind", "bucket", "currency"),
        Index("ix_ledger_accounts_owner", "owner_type", "owner_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"))
    owner_type: Mapped[OwnerType] = mapped_column(Enum(OwnerType, native_enum=False, length=16))
    owner_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[AccountKind] = mapped_column(Enum(AccountKind, native_enum=False, length=24))
    bucket: Mapped[Bucket] = mapped_column(Enum(Bucket, native_enum=False, length=16))
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime]


class LedgerEntry(Base):
    """One business event, written once: its `key` (`order:<id>:paid`) makes writing it again
    return it unchanged; `digest` is a hash of its postings, so the same key with other
    postings is refused."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_order_kind", "order_id", "kind"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[EntryKind] = mapped_column(Enum(EntryKind, native_enum=False, length=24))
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"))
    show_id: Mapped[str | None] = mapped_column(ForeignKey("shows.id"))
    reverses_entry_id: Mapped[str | None] = mapped_column(ForeignKey("ledger_entries.id"))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class LedgerPosting(Base):
    __tablename__ = "ledger_postings"
    __table_args__ = (
        UniqueConstraint("entry_id", "account_id"),  # one line per account in an entry
        Index("ix_ledger_postings_account", "account_id", "amount_minor"),
        CheckConstraint("amount_minor <> 0", name="amount_not_zero"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    entry_id: Mapped[str] = mapped_column(ForeignKey("ledger_entries.id"))
    account_id: Mapped[str] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))


class ShowCommission(Base):
    """A co-host's or influencer's commission on a show's sales, in basis points of each
    sale's goods (shipping excluded), set by the shop before or during the show and taken
    into each order's split when it is paid."""

    __tablename__ = "show_commissions"
    __table_args__ = (
        UniqueConstraint("show_id", "user_id"),
        CheckConstraint("bps > 0 AND bps <= 10000", name="bps_range"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    bps: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
