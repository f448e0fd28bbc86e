"""What the checkout API returns. DropOut is also part of a show's state (GET /shows/{id})."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from livebazaar.checkout.models import DropStatus
from livebazaar.kernel.money import MoneyOut


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
    price: MoneyOut
    per_buyer_limit: int
    hold_s: int
    started_at: datetime
    ends_at: datetime
