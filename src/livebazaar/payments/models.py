from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from livebazaar.kernel.db import Base
from livebazaar.kernel.ids import new_id


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"  # the provider settles it later, by webhook
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"
    DISPUTED = "disputed"  # the buyer's bank took it back (a chargeback)


class Payment(Base):
    __tablename__ = "payments"
    # Reconciliation reads the pending payments, the longest-waiting first.
    __table_args__ = (Index("ix_payments_status_updated_at", "status", "updated_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    provider_ref: Mapped[str] = mapped_column(String(120), unique=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[PaymentStatus] = mapped_column(Enum(PaymentStatus, native_enum=False, length=16))
    failure_reason: Mapped[str | None] = mapped_column(String(200))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    # What the provider kept of the charge (its fee), as it reported it: the ledger's split.
    fee_minor: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RefundStatus(enum.StrEnum):
    PENDING = "pending"  # recorded; the provider is (or was) being asked
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the provider refused: nothing was given back


class Refund(Base):
    """Money given back to the buyer, whole or in part. Recorded before the provider is asked
    (keyed by this id, so asking again never refunds twice), applied once it answered: the
    order's refunded total and its ledger entry move in that second transaction."""

    __tablename__ = "refunds"
    __table_args__ = (Index("ix_refunds_order_status", "order_id", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    payment_id: Mapped[str | None] = mapped_column(ForeignKey("payments.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[RefundStatus] = mapped_column(Enum(RefundStatus, native_enum=False, length=16))
    # The shop's owner cancelled the paid order: refunded whole, its units sellable again.
    cancels_order: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WebhookEvent(Base):
    """Provider events already handled: a redelivered webhook is acknowledged and ignored."""

    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime]
