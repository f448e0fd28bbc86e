"""What the payments API accepts and returns."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from livebazaar.accounts import AddressIn
from livebazaar.checkout import OrderStatus
from livebazaar.kernel.money import MAX_AMOUNT_MINOR
from livebazaar.payments.models import PaymentStatus


class PayIn(BaseModel):
    provider: str = Field(default="test", min_length=1, max_length=32)
    # Test cards only ever reach the test provider; real providers take a token instead.
    card_number: str = Field(min_length=4, max_length=32, pattern=r"^[0-9][0-9 \-]*$")
    # Where it goes, once per order (a retry after a declined card may leave it out): one of
    # the buyer's saved addresses (POST /me/addresses), or an address given here. The order
    # keeps a copy; paying an order with neither is refused (422 address_required).
    address_id: str | None = Field(default=None, min_length=1, max_length=36)
    ship_to: AddressIn | None = None

    @model_validator(mode="after")
    def _one_address(self) -> Self:
        if self.address_id is not None and self.ship_to is not None:
            raise ValueError("give address_id or ship_to, not both")
        return self


class RefundIn(BaseModel):
    """A partial refund; without a body, everything not refunded yet goes back."""

    model_config = ConfigDict(extra="forbid")

    amount_minor: int = Field(ge=1, le=MAX_AMOUNT_MINOR)


class PaymentOut(BaseModel):
    id: str
    status: PaymentStatus
    failure_reason: str | None


class PayOut(BaseModel):
    order_id: str
    status: OrderStatus
    payment: PaymentOut


class WebhookAck(BaseModel):
    received: bool = True
    duplicate: bool = False
