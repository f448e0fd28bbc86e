"""The events a show's channel carries (the real-time contract; drop.* live in checkout).

Each class registers itself in `kernel.events.EVENT_TYPES` under its `type`.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from livebazaar.kernel.events import Event
from livebazaar.kernel.money import MoneyOut

ReactionKind = Literal["heart", "fire", "clap", "laugh", "wow"]


class ShowStarted(Event):
    type: ClassVar[str] = "show.started"
    started_at: datetime


class ShowEndedEvent(Event):
    type: ClassVar[str] = "show.ended"
    urgent: ClassVar[bool] = True
    ended_at: datetime


class ProductPinned(Event):
    type: ClassVar[str] = "product.pinned"
    urgent: ClassVar[bool] = True
    product_id: str | None


class ProductPriceChanged(Event):
    """A lineup product's variant has a new list price (a running drop keeps its own)."""

    type: ClassVar[str] = "product.price_changed"
    urgent: ClassVar[bool] = True
    product_id: str
    variant_id: str
    price: MoneyOut


class ChatMessageSent(Event):
    type: ClassVar[str] = "chat.message"
    id: str
    user_id: str
    display_name: str
    text: str
    created_at: datetime


class ChatDeleted(Event):
    type: ClassVar[str] = "chat.deleted"
    message_id: str


class ChatSlowMode(Event):
    type: ClassVar[str] = "chat.slow_mode"
    seconds: int


class ReactionSent(Event):
    type: ClassVar[str] = "reaction"
    kind: ReactionKind


class ViewersCount(Event):
    type: ClassVar[str] = "viewers.count"
    count: int
