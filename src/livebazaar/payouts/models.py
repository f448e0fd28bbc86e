"""Payout tables: where each party's money goes, the shop's minimum, batches and payouts.

A party is a shop, a producer (catalog) or a user (a co-host paid commissions); its id points
into that party's table, so it carries no foreign key. A payout keeps a copy of the method as
it was when its batch was made (`method`): changing a bank account later never redirects
money already on its way, and the batch's file says where each payout went.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from livebazaar.kernel.db import Base
from livebazaar.kernel.ids import new_id


class PartyType(enum.StrEnum):
    SHOP = "shop"
    PRODUCER = "producer"
    USER = "user"  # a co-host or influencer, paid the commissions of the shows they hosted


class MethodKind(enum.StrEnum):
    BANK = "bank"  # holder, IBAN, BIC
    MOBILE_MONEY = "mobile_money"  # an E.164 phone number and its provider (MTN MoMo, M-Pesa)
    CASH = "cash"  # collected at the cooperative


class BatchStatus(enum.StrEnum):
    OPEN = "open"  # some of its payouts are still pending
    CLOSED = "closed"  # every payout is paid or failed


class PayoutStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"  # its money went back to the party's available balance


def _enum(kind: type[enum.StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=16)


class PayoutMethod(Base):
    """Where one party's money goes: one row per party, replaced when it changes."""

    __tablename__ = "payout_methods"
    __table_args__ = (UniqueConstraint("party_type", "party_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    party_type: Mapped[PartyType] = mapped_column(_enum(PartyType))
    party_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[MethodKind] = mapped_column(_enum(MethodKind))
    holder: Mapped[str | None] = mapped_column(String(70))  # SEPA allows 70 characters
    iban: Mapped[str | None] = mapped_column(String(34))  # compact, checked by schwifty
    bic: Mapped[str | None] = mapped_column(String(11))
    phone: Mapped[str | None] = mapped_column(String(16))  # E.164
    provider: Mapped[str | None] = mapped_column(String(40))  # the mobile-money service
    updated_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime]


class PayoutSettings(Base):
    """A shop's payout rules: balances under its minimum wait for the next batch."""

    __tablename__ = "payout_settings"
    __table_args__ = (CheckConstraint("minimum_minor >= 0", name="minimum_not_negative"),)

    shop_id: Mapped[str] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    minimum_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    updated_at: Mapped[datetime]


class PayoutBatch(Base):
    """One request to pay out what was available to a shop's world in one currency."""

    __tablename__ = "payout_batches"
    __table_args__ = (Index("ix_payout_batches_shop_created", "shop_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"))
    currency: Mapped[str] = mapped_column(String(3))
    provider: Mapped[str] = mapped_column(String(32))  # port.PayoutProvider.name
    status: Mapped[BatchStatus] = mapped_column(_enum(BatchStatus))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class Payout(Base):
    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        Index("ix_payouts_party", "party_type", "party_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("payout_batches.id"), index=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"))  # its batch's, for the checks
    party_type: Mapped[PartyType] = mapped_column(_enum(PartyType))
    party_id: Mapped[str] = mapped_column(String(36))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # The party's method when the batch was made: methods.MethodSnapshot.as_json().
    method: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[PayoutStatus] = mapped_column(_enum(PayoutStatus))
    reference: Mapped[str | None] = mapped_column(String(140))  # the bank's or agent's
    failure_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    settled_at: Mapped[datetime | None]  # when it was marked paid or failed
