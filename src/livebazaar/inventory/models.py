from __future__ import annotations

import enum

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from livebazaar.kernel.db import Base
from livebazaar.kernel.ids import new_id


class PoolKind(enum.StrEnum):
    SHELF = "shelf"  # a variant's ordinary stock, sold at list price
    DROP = "drop"  # units carved out of the shelf for one flash drop


class StockPool(Base):
    """One hot row per sellable bucket of units.

    available = quantity - reserved - sold. Every change is one conditional UPDATE on this row
    (never read-modify-write), and the CHECK constraints make overselling impossible even for
    a bug that forgets the condition.
    """

    __tablename__ = "stock_pools"
    __table_args__ = (
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("sold >= 0", name="sold_not_negative"),
        CheckConstraint("reserved + sold <= quantity", name="never_oversold"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    variant_id: Mapped[str] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[PoolKind] = mapped_column(Enum(PoolKind, native_enum=False, length=16))
    quantity: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved: Mapped[int] = mapped_column(BigInteger, default=0)
    sold: Mapped[int] = mapped_column(BigInteger, default=0)
    # One more on every change: events carry it, so a client hearing two nodes' counts out of
    # order keeps the newer (commits on this row are serialised by its lock).
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
