"""What the checkout API accepts and returns. DropOut is also part of a show's state."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, model_validator

from livebazaar.checkout.models import DropStatus, OrderStatus
from livebazaar.kernel.money import MoneyIn, MoneyOut

MAX_DROP_UNITS = 1_000_000
IdStr = Annotated[str, Field(min_length=1, max_length=36)]


class DropOut(BaseModel):
    id: str
    show_id: str
    product_id: str
    variant_id: str
    quantity: int
    remaining: int  # claimable now: quantity - reserved - sold (expired holds already returned)
    reserved: int
    sold: int
    status: DropStatus
    # Rises with every change of these counts: of two stock events, the higher one is newer
    # (two nodes may publish theirs in the other order).
    stock_version: int
    price: MoneyOut
    per_buyer_limit: int
    hold_s: int
    started_at: datetime
    ends_at: datetime


class DropIn(BaseModel):
    product_id: IdStr
    variant_id: IdStr | None = None
    quantity: int = Field(ge=1, le=MAX_DROP_UNITS)
    price: MoneyIn
    per_buyer_limit: int = Field(ge=1, le=MAX_DROP_UNITS)
    duration_s: int = Field(ge=10, le=86_400)
    hold_s: int | None = Field(default=None, ge=30, le=3600)

    @model_validator(mode="after")
    def _limit_within_quantity(self) -> Self:
        if self.per_buyer_limit > self.quantity:
            raise ValueError("per_buyer_limit may not exceed quantity")
        return self


class ClaimIn(BaseModel):
    quantity: int = Field(default=1, ge=1, le=MAX_DROP_UNITS)


class PurchaseIn(BaseModel):
    product_id: IdStr
    variant_id: IdStr | None = None
    quantity: int = Field(default=1, ge=1, le=10_000)


class ReservationOut(BaseModel):
    """A claim's or a purchase's answer: the reserved order (the hold) and until when."""

    order_id: str
    status: OrderStatus
    expires_at: datetime
    total: MoneyOut
    drop_id: str | None
    quantity: int


class ShipTo(BaseModel):
    """The delivery address as it was when the order was paid."""

    name: str
    line1: str
    line2: str = ""
    city: str
    region: str = ""
    postal_code: str = ""
    country: str
    phone: str = ""


class OrderOut(BaseModel):
    id: str
    status: OrderStatus
    buyer_id: str
    shop_id: str
    show_id: str | None
    drop_id: str | None
    product_id: str
    variant_id: str
    variant_name: str = ""  # what the packer picks: "Pink", "Ground for pour-over"
    quantity: int
    unit_price: MoneyOut
    total: MoneyOut
    expires_at: datetime
    payment_pending: bool
    created_at: datetime
    paid_at: datetime | None
    closed_at: datetime | None
    ship_to: ShipTo | None = None
    refunded: MoneyOut | None = None  # given back so far (partial refunds leave it `paid`)
