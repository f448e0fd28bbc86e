"""The real-time events checkout publishes on a show's channel."""

from __future__ import annotations

from typing import ClassVar

from livebazaar.checkout.models import DropStatus
from livebazaar.checkout.schemas import DropOut
from livebazaar.kernel.events import Event


class DropStarted(Event):
    type: ClassVar[str] = "drop.started"
    urgent: ClassVar[bool] = True
    drop: DropOut


class DropStockChanged(Event):
    type: ClassVar[str] = "drop.stock_changed"
    drop_id: str
    remaining: int
    reserved: int
    sold: int
    status: DropStatus


class DropSoldOut(Event):
    type: ClassVar[str] = "drop.sold_out"
    urgent: ClassVar[bool] = True
    drop_id: str


class DropEnded(Event):
    type: ClassVar[str] = "drop.ended"
    urgent: ClassVar[bool] = True
    drop_id: str
    sold: int
    status: DropStatus
