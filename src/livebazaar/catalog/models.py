from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from livebazaar.kernel.db import Base
from livebazaar.kernel.ids import new_id

# The most units of one product one buyer may have from a shop's shelf (held, or paid in the
# last 24 hours: checkout/shelf_limits.py, ADR 0017) unless the shop sets another; a drop has
# its own limit.
DEFAULT_SHELF_LIMIT = 10
MAX_SHELF_LIMIT = 10_000  # as many as one purchase may ask for


class Shop(Base):
    """A seller: a cooperative (20 pearl farmers selling from one room) or a business."""

    __tablename__ = "shops"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    currency: Mapped[str] = mapped_column(String(3))  # ISO 4217
    shelf_per_buyer_limit: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_SHELF_LIMIT, server_default=str(DEFAULT_SHELF_LIMIT)
    )
    created_at: Mapped[datetime]
    # The platform's fee on this shop's sales, when a platform admin set one (basis points);
    # None: the platform's default (settings.platform_fee_bps). Read by the ledger's split.
    platform_fee_bps: Mapped[int | None] = mapped_column(Integer)


class Producer(Base):
    """Someone whose work a shop sells: a farmer, an artisan. May or may not have an account."""

    __tablename__ = "producers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120))
    village: Mapped[str] = mapped_column(String(120), default="")
    region: Mapped[str] = mapped_column(String(120), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class Product(Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # The origin story: where it comes from and the steps from harvest to product.
    origin_place: Mapped[str] = mapped_column(String(120), default="")  # village or farm
    origin_region: Mapped[str] = mapped_column(String(120), default="")
    origin_country: Mapped[str] = mapped_column(String(2), default="")
    origin_steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The farm-gate price: what a middleman paid the producer per unit before, in the shop's
    # currency; the producer's statement shows the uplift against it ("+4.00 USD per bag").
    reference_price_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    reference_unit: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime]


class Variant(Base):
    """A SKU. Its sellable stock lives in inventory (a shelf pool), not here."""

    __tablename__ = "variants"
    __table_args__ = (
        UniqueConstraint("product_id", "sku"),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    position: Mapped[int] = mapped_column(Integer, default=0)


class ProductImage(Base):
    __tablename__ = "product_images"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    alt: Mapped[str] = mapped_column(
        String(300), default=""
    )  # the angle it shows, for screen readers
    position: Mapped[int] = mapped_column(Integer, default=0)


class RevenueShare(Base):
    """Which producers share a product's revenue, in basis points summing to 10,000."""

    __tablename__ = "revenue_shares"
    __table_args__ = (
        UniqueConstraint("product_id", "producer_id"),
        CheckConstraint("bps > 0 AND bps <= 10000", name="bps_range"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    producer_id: Mapped[str] = mapped_column(ForeignKey("producers.id", ondelete="RESTRICT"))
    bps: Mapped[int] = mapped_column(Integer)
