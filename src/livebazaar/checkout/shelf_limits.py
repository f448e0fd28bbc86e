"""What one buyer may still take from shelves (ADR 0017). A purchase at list price is refused,
holding nothing, past either of two limits:

- the shop's limit on one product (`Shop.shelf_per_buyer_limit`, 10 unless the shop sets
  another): the units of it the buyer holds now, plus those paid for whose hold began in the
  last SHELF_WINDOW, plus the purchase, must stay within it (422 per_buyer_limit_exceeded,
  with `may_take`, the code of a drop's limit). A drop's units count toward its own limit,
  not this one;
- the deployment's cap on holds open at once (`settings.max_open_holds_per_buyer`): unpaid,
  unexpired reservations of any shop, drop claims included (429 too_many_open_holds, with
  Retry-After: when the first of them ends; paying one frees a place at once).

The hold queue reads a batch's shelf buyers here once, under a lock per buyer taken before
any pool's row lock (PostgreSQL: advisory locks, in one statement; SQLite: the writer lock
every unit holds), and counts each admission as it decides, so two purchases by one buyer,
in one batch or through two nodes, never both pass. A batch of drop claims alone reads and
locks nothing more: the claim path is as fast as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar import catalog
from livebazaar.checkout.errors import ShelfLimitExceeded, TooManyOpenHolds
from livebazaar.checkout.models import Order, OrderStatus
from livebazaar.checkout.queries import PENDING_GRACE
from livebazaar.checkout.reservations import HoldRequest
from livebazaar.checkout.schemas import ShelfAllowanceOut
from livebazaar.kernel.db import UnitOfWork
from livebazaar.kernel.errors import DomainError

# How long units paid for still count toward a shop's limit: a day, so a buyer comes back for
# more tomorrow while one buyer cannot empty a shelf in one sitting, even paying.
SHELF_WINDOW = timedelta(hours=24)


@dataclass
class BuyerBook:
    """Buyers' shelf units per product and their open holds, at `now`; kept up to date as a
    batch admits."""

    now: datetime
    units: Counter[tuple[str, str]] = field(default_factory=Counter)  # (buyer, product)
    open_holds: Counter[str] = field(default_factory=Counter)
    first_end: dict[str, datetime] = field(default_factory=dict)  # the first open hold to end

    def refusal(self, r: HoldRequest) -> DomainError | None:
        """Why this shelf purchase may not be held, or None."""
        if r.per_buyer_limit is not None:
            units = self.units[r.buyer_id, r.product_id]
            if units + r.quantity > r.per_buyer_limit:
                return ShelfLimitExceeded(r.per_buyer_limit - units)
        holds = self.open_holds[r.buyer_id]
        if r.max_open_holds is not None and holds >= r.max_open_holds:
            wait = (self.first_end[r.buyer_id] - self.now).total_seconds()
            return TooManyOpenHolds(holds, retry_after_s=max(1.0, wait))
        return None

    def take(self, r: HoldRequest, ends_at: datetime) -> None:
        """Count a hold just admitted."""
        self.units[r.buyer_id, r.product_id] += r.quantity
        self.add_open_hold(r.buyer_id, ends_at)

    def add_open_hold(self, buyer_id: str, ends_at: datetime) -> None:
        self.open_holds[buyer_id] += 1
        first = self.first_end.get(buyer_id)
        self.first_end[buyer_id] = ends_at if first is None else min(first, ends_at)


async def lock_and_read_book(
    uow: UnitOfWork, now: datetime, requests: Sequence[HoldRequest]
) -> BuyerBook | None:
    """The book of the shelf purchases among `requests`, read under their buyers' locks (held
    until `uow` ends); None when there are none (drop claims only: nothing locked or read)."""
    buyers = {r.buyer_id for r in requests if r.drop_id is None}
    if not buyers:
        return None
    await uow.lock_names([f"checkout.holds:{buyer}" for buyer in buyers])
    return await read_book(uow.session, now, buyers)


async def read_book(session: AsyncSession, now: datetime, buyers: Collection[str]) -> BuyerBook:
    """One query: the buyers' reserved orders, and their shelf orders paid in the window."""
    paid_lately = and_(
        Order.status == OrderStatus.PAID,
        Order.drop_id.is_(None),
        Order.created_at >= now - SHELF_WINDOW,
    )
    rows = await session.execute(
        select(
            Order.buyer_id, Order.product_id, Order.drop_id, Order.status, Order.quantity,
            Order.expires_at, Order.payment_pending,
        ).where(
            Order.buyer_id.in_(buyers), or_(Order.status == OrderStatus.RESERVED, paid_lately)
        )
    )  # fmt: skip
    book = BuyerBook(now)
    for buyer, product, drop, status, quantity, expires_at, pending in rows:
        if status == OrderStatus.RESERVED:
            # Open until its expiry, or while a pending payment protects it (queries.is_due).
            ends_at = expires_at + PENDING_GRACE if pending else expires_at
            if ends_at <= now:
                continue  # due: the sweeper, or the next batch on its pool, expires it
            book.add_open_hold(buyer, ends_at)
        if drop is None:
            book.units[buyer, product] += quantity
    return book


async def get_shelf_allowance(
    session: AsyncSession, now: datetime, buyer_id: str, product_id: str, max_open_holds: int
) -> ShelfAllowanceOut:
    """What the buyer may still take of a product from its shop's shelf, and their open holds
    (the buy sheet caps its quantity with it; a purchase is decided again under the lock)."""
    product = await catalog.get_product(session, product_id)
    limit = (await catalog.get_shop(session, product.shop_id)).shelf_per_buyer_limit
    book = await read_book(session, now, {buyer_id})
    return ShelfAllowanceOut(
        per_buyer_limit=limit,
        may_take=max(0, limit - book.units[buyer_id, product_id]),
        open_holds=book.open_holds[buyer_id],
        max_open_holds=max_open_holds,
    )
