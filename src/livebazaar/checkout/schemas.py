"""What the checkout API accepts and returns. DropOut is also part of a show's state."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from livebazaar.checkout.models import DropStatus, FulfillmentStatus, OrderStatus
from livebazaar.fx import LockedPrice
from livebazaar.kernel.money import CurrencyCode, MoneyIn, MoneyOut

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


# The currency the buyer sees prices in (the pages send theirs; else the `lb_ccy` cookie):
# the order keeps the total in it, with the rate, as they saw it. None: the shop's only.
DisplayCurrency = Annotated[CurrencyCode | None, Field(examples=["USD", "JPY"])]


class ClaimIn(BaseModel):
    quantity: int = Field(default=1, ge=1, le=MAX_DROP_UNITS)
    display_currency: DisplayCurrency = None


class PurchaseIn(BaseModel):
    product_id: IdStr
    variant_id: IdStr | None = None
    quantity: int = Field(default=1, ge=1, le=10_000)
    display_currency: DisplayCurrency = None


class DisplayOut(BaseModel):
    """The total as its buyer saw it in their currency: `amount_minor` of `currency`, at
    `rate` (exact decimal text: `currency` per one of the shop's) from `source` at `as_of`.
    Locked when the order was made; the charge is the order's `total`."""

    currency: str
    amount_minor: int
    rate: str
    source: str
    as_of: datetime

    @classmethod
    def of(cls, locked: LockedPrice | None) -> DisplayOut | None:
        if locked is None:
            return None
        return cls(
            currency=locked.currency, amount_minor=locked.amount_minor, rate=locked.rate,
            source=locked.source, as_of=locked.as_of,
        )  # fmt: skip


class ShelfAllowanceOut(BaseModel):
    """What the caller may still take of a product from its shop's shelf (ADR 0017)."""

    per_buyer_limit: int  # the shop's: units held, or paid in the last 24 hours
    may_take: int  # that limit less what the caller holds and paid for
    open_holds: int  # the caller's unpaid, unexpired reservations, of any shop
    max_open_holds: int  # past which a purchase is refused until one is paid or ends


class ReservationOut(BaseModel):
    """A claim's or a purchase's answer: the reserved order (the hold) and until when."""

    order_id: str
    status: OrderStatus
    expires_at: datetime
    total: MoneyOut
    drop_id: str | None
    quantity: int
    display: DisplayOut | None = None  # the total in the buyer's currency, locked


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


# A carrier's name in any script ("顺丰速运", "La Poste", "DHL Express"): letters, digits,
# spaces and . , & ' ( ) / + -. A tracking number: ASCII letters and digits, with the spaces
# and dashes couriers print ("1Z 999 AA1 01", "RR123456789CN").
CARRIER_PUNCTUATION = frozenset(" .,&'()/+-")
TRACKING_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -")


def check_carrier(name: str) -> str:
    if not name[:1].isalnum() or any(
        not (ch.isalnum() or ch in CARRIER_PUNCTUATION) for ch in name
    ):
        raise ValueError("a carrier's name: letters, digits, spaces and . , & ' ( ) / + -")
    return " ".join(name.split())


def check_tracking_number(number: str) -> str:
    if not (number[:1].isalnum() and number[-1:].isalnum()) or set(number) - TRACKING_CHARACTERS:
        raise ValueError("a tracking number: ASCII letters and digits, spaces and dashes")
    return " ".join(number.split())


Carrier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=60),
    AfterValidator(check_carrier),
    Field(examples=["SF Express", "La Poste", "顺丰速运"]),
]
TrackingNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(check_tracking_number),
    Field(examples=["SF1234567890", "RR123456789CN"]),
]


class ShipIn(BaseModel):
    """Who carries the parcel and its tracking number, as the carrier printed it."""

    carrier: Carrier
    tracking_number: TrackingNumber


class FulfillmentOut(BaseModel):
    """Where the goods of the order are: `unfulfilled` (paid, not yet handed to a carrier),
    `shipped`, `delivered` (the buyer has them; a delivery without shipping is a pickup)."""

    status: FulfillmentStatus
    carrier: str | None
    tracking_number: str | None
    shipped_at: datetime | None
    delivered_at: datetime | None


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
    fulfillment: FulfillmentOut
    display: DisplayOut | None = None  # the total as the buyer saw it; None: the shop's currency
    refunded: MoneyOut | None = None  # given back so far (partial refunds leave it `paid`)
