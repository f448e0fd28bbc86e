"""Background work of the ledger: releasing paid orders' pending money when its hold is over.

Safe to run on every node at once, and again: each order is released under its lock, once (the
entry's key is `order:<id>:release`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import exists
from sqlalchemy.orm import aliased

from livebazaar import checkout
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database
from livebazaar.ledger.actions import release_order_funds
from livebazaar.ledger.models import EntryKind, LedgerEntry

log = logging.getLogger(__name__)
RELEASE_BATCH = 200


async def release_due_orders(
    db: Database, clock: Clock, *, hold_s: int, undelivered_hold_s: int,
    limit: int = RELEASE_BATCH,
) -> int:  # fmt: skip
    """Release the pending shares of paid orders whose hold is over: `hold_s` after their
    delivery, or, never marked delivered, `undelivered_hold_s` after payment (checkout's
    `orders_due_for_release`). Returns how many orders were released (a full batch: call
    again)."""
    sale, release = aliased(LedgerEntry), aliased(LedgerEntry)
    order = checkout.Order
    query = (
        checkout.orders_due_for_release(
            clock.now(),
            hold_delivered=timedelta(seconds=hold_s),
            hold_undelivered=timedelta(seconds=undelivered_hold_s),
        )
        .where(
            exists().where(sale.order_id == order.id, sale.kind == EntryKind.SALE),
            ~exists().where(release.order_id == order.id, release.kind == EntryKind.RELEASE),
        )
        .limit(limit)
    )
    async with db.read() as session:
        order_ids = [row[0] for row in await session.execute(query)]
    released = 0
    for order_id in order_ids:
        async with db.uow() as uow:
            locked = await checkout.lock_order(uow, order_id)
            assert locked is not None
            posted = await release_order_funds(uow.session, locked, clock.now())
            await uow.commit()
        released += posted.created
    if released:
        log.info("released the pending money of %d orders", released)
    return released
