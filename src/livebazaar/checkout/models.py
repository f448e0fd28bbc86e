from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from livebazaar.kernel.db import Base
from livebazaar.kernel.ids import new_id


class DropStatus(enum.StrEnum):
    LIVE = "live"
    SOLD_OUT = "sold_out"  # derived: nothing left to claim now; expiring holds may reopen it
    ENDED = "ended"


class OrderStatus(enum.StrEnum):
    RESERVED = "reserved"  # a hold with an expiry: stock set aside, not yet paid
    PAID = "paid"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class FulfillmentStatus(enum.StrEnum):
    """Where a paid order's goods are: not yet handed to a carrier, on their way, received."""

    UNFULFILLED = "unfulfilled"
    SHIPPED = "shipped"
    DELIVERED = "delivered"


class Drop(Base):
    """A flash drop during a live show: a quantity carved from stock, a price, a limit, a clock."""

    __tablename__ = "drops"
    __table_args__ = (CheckConstraint("per_buyer_limit >= 1", name="limit_positive"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"))
    pool_id: Mapped[str] = mapped_column(ForeignKey("stock_pools.id"), unique=True)
    quantity: Mapped[int] = mapped_column(BigInteger)  # as started; the pool tracks what is left
    price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    per_buyer_limit: Mapped[int] = mapped_column(Integer)
    hold_s: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]  # set when closed and its unsold units went back to the shelf
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))


class DropBuyer(Base):
    """Units a buyer holds or bought in a drop: the per-buyer limit is a conditional upsert here."""

    __tablename__ = "drop_buyers"
    __table_args__ = (CheckConstraint("units >= 0", name="units_not_negative"),)

    drop_id: Mapped[str] = mapped_column(
        ForeignKey("drops.id", ondelete="CASCADE"), primary_key=True
    )
    buyer_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    units: Mapped[int] = mapped_column(BigInteger, default=0)


class Order(Base):
    """One line bought in a show. While `reserved` it is the hold on stock, with an expiry."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_pool_status_expires", "pool_id", "status", "expires_at"),
        Index("ix_orders_status_expires", "status", "expires_at"),
        Index("ix_orders_buyer", "buyer_id", "created_at"),
        Index("ix_orders_shop", "shop_id", "created_at"),
        Index("ix_orders_show_status_paid", "show_id", "status", "paid_at"),  # the live panel
        CheckConstraint("quantity >= 1", name="quantity_positive"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"))
    show_id: Mapped[str | None] = mapped_column(ForeignKey("shows.id"))
    drop_id: Mapped[str | None] = mapped_column(ForeignKey("drops.id"))
    pool_id: Mapped[str] = mapped_column(ForeignKey("stock_pools.id"))
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[OrderStatus] = mapped_column(Enum(OrderStatus, native_enum=False, length=16))
    expires_at: Mapped[datetime]
    # A charge on this hold awaits the provider's webhook: the sweeper must not expire it.
    payment_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # expired, cancelled or refunded
    # Given back to the buyer so far (refunds that succeeded, a chargeback): a paid order
    # partly refunded stays `paid`; refunded whole it is `refunded` (or `cancelled`).
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Where it ships: a copy of the buyer's address taken when they paid (None: not given).
    ship_to: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # After payment (checkout/fulfillment.py): handed to a carrier, then received. The ledger's
    # release of a producer's money keys on `delivered_at` (list_orders_due_for_release).
    fulfillment_status: Mapped[FulfillmentStatus] = mapped_column(
        Enum(FulfillmentStatus, native_enum=False, length=16),
        default=FulfillmentStatus.UNFULFILLED,
        server_default=FulfillmentStatus.UNFULFILLED.name,  # Enum stores the names
    )
    carrier: Mapped[str | None] = mapped_column(String(60))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    # What the buyer saw at claim or purchase (fx: ADR 0016), when it was not the shop's
    # currency and a fresh rate reached theirs: the total in their currency, the rate as exact
    # decimal text, its source and as_of. Charged and settled in `currency` all the same.
    display_currency: Mapped[str | None] = mapped_column(String(3))
    display_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    display_rate: Mapped[str | None] = mapped_column(String(40))
    display_rate_source: Mapped[str | None] = mapped_column(String(200))
    display_rate_as_of: Mapped[datetime | None]
