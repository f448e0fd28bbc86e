"""Where a drop's claims are admitted: the HotStock port, and what its two adapters share.

- `HoldQueue` (hold_queue.py), the default: claims queue in the process and one writer decides
  each batch in the database, under the drop pool's row lock (ADR 0005). Exact with any number
  of nodes, but every node's batches take turns on that one row.
- `RedisHotStock` (hotstock_redis.py), chosen by `hotstock_url` (or a Redis `broker_url`): one
  Lua script admits a batch of claims against the drop's counts in Redis and appends the
  admitted ones to a stream; the node then records them in the database in one transaction,
  whose conditional writes stay the arbiter (ADR 0011).

Both answer a claim only once its hold is committed to the database: a 201 is never lost,
whatever happens to the process or to Redis afterwards. Live purchases at list price (the
shelf) always take the HoldQueue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from livebazaar.checkout.models import Drop
from livebazaar.checkout.queries import get_drop
from livebazaar.checkout.reservations import HoldRequest
from livebazaar.checkout.schemas import ReservationOut
from livebazaar.kernel.db import Database
from livebazaar.kernel.money import Money


@dataclass(frozen=True)
class ClosedHold:
    """A hold that closed in the database (expired, cancelled): its units are available again,
    and a HotStock that counts a drop's units elsewhere must hear of it."""

    order_id: str
    drop_id: str | None  # None: a purchase from the shelf
    buyer_id: str
    quantity: int


@dataclass(frozen=True)
class DropTerms:
    """What a claim needs to know of a drop. Fixed once the drop starts; only its end can come
    early, and the database write re-checks that."""

    id: str
    pool_id: str
    show_id: str
    shop_id: str
    product_id: str
    variant_id: str
    price: Money
    per_buyer_limit: int
    hold_s: int
    ends_at: datetime

    @classmethod
    def of(cls, drop: Drop) -> DropTerms:
        return cls(
            id=drop.id, pool_id=drop.pool_id, show_id=drop.show_id, shop_id=drop.shop_id,
            product_id=drop.product_id, variant_id=drop.variant_id,
            price=Money(drop.price_minor, drop.currency), per_buyer_limit=drop.per_buyer_limit,
            hold_s=drop.hold_s, ends_at=drop.ends_at,
        )  # fmt: skip


class DropTermsCache:
    """Drop terms read from the database once per process (a claim needs no read for them)."""

    def __init__(self, db: Database, max_entries: int = 10_000) -> None:
        self._db = db
        self._max = max_entries
        self._terms: dict[str, DropTerms] = {}

    async def get(self, drop_id: str) -> DropTerms:
        """The drop's terms (DropNotFound if there is no such drop)."""
        terms = self._terms.get(drop_id)
        if terms is None:
            async with self._db.read() as session:
                terms = DropTerms.of(await get_drop(session, drop_id))
            if len(self._terms) >= self._max:
                self._terms.clear()
            self._terms[drop_id] = terms
        return terms


class HotStock(Protocol):
    async def drop_terms(self, drop_id: str) -> DropTerms:
        """The drop's terms, cached (DropNotFound if none)."""
        ...

    async def claim(self, request: HoldRequest) -> ReservationOut:
        """Hold units of a drop for a buyer; the answer comes once the hold is committed.
        Raises the refusal (sold out, limit, ended, unavailable...)."""
        ...

    async def returned(self, holds: Sequence[ClosedHold]) -> None:
        """These holds closed in the database (committed): their units are claimable again."""
        ...

    async def maintain(self) -> None:
        """Periodic upkeep (every few seconds): finish what a dead node left half-done."""
        ...

    async def close(self) -> None: ...
