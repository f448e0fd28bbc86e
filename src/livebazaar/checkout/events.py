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
    """v2 adds stock_version: apply it only if not below the drop's (DropOut.stock_version)."""

    type: ClassVar[str] = "drop.stock_changed"
    version: ClassVar[int] = 2
    drop_id: str
    remaining: int
    reserved: int
    sold: int
    status: DropStatus
    stock_version: int


class DropSoldOut(Event):
    """v2 adds stock_version, as drop.stock_changed's."""

    type: ClassVar[str] = "drop.sold_out"
    version: ClassVar[int] = 2
    urgent: ClassVar[bool] = True
    drop_id: str
    stock_version: int


class DropEnded(Event):
    type: ClassVar[str] = "drop.ended"
    urgent: ClassVar[bool] = True
    drop_id: str
    sold: int
    status: DropStatus
