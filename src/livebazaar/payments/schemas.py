"""What the payments API accepts and returns."""

from __future__ import annotations

from pydantic import BaseModel, Field

from livebazaar.checkout import OrderStatus
from livebazaar.payments.models import PaymentStatus


class PayIn(BaseModel):
    provider: str = Field(default="test", min_length=1, max_length=32)
    # Test cards only ever reach the test provider; real providers take a token instead.
    card_number: str = Field(min_length=4, max_length=32, pattern=r"^[0-9][0-9 \-]*$")
    # One of the buyer's saved addresses (POST /me/addresses): the order keeps a copy.
    address_id: str | None = Field(default=None, min_length=1, max_length=36)


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
