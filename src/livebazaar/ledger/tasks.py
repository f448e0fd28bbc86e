"""Background work of the ledger: releasing paid orders' pending money when its hold is over.

Safe to run on every node at once, and again: each order is released under its lock, once (the
entry's key is `order:<id>:release`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from livebazaar import checkout
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database
from livebazaar.ledger.actions import release_order_funds
from livebazaar.ledger.models import EntryKind, LedgerEntry

log = logging.getLogger(__name__)
RELEASE_BATCH = 200


async def release_due_orders(
    db: Database, clock: Clock, *, undelivered_hold_s: int, limit: int = RELEASE_BATCH
) -> int:
    """Release the pending shares of paid orders whose hold is over: `undelivered_hold_s`
    after payment. Returns how many orders were released (a full batch: call again).

    TODO(delivered_at): once orders record their delivery (the fulfilment work adds
    `Order.delivered_at`), a delivered order is due `settings.payout_hold_s` after it, and
    this hold applies only to orders never marked delivered."""
    due = clock.now() - timedelta(seconds=undelivered_hold_s)
    sale, release = aliased(LedgerEntry), aliased(LedgerEntry)
    order = checkout.Order
    query = (
        select(order.id)
        .where(
            order.paid_at.is_not(None),
            order.paid_at <= due,
            exists().where(sale.order_id == order.id, sale.kind == EntryKind.SALE),
            ~exists().where(release.order_id == order.id, release.kind == EntryKind.RELEASE),
        )
        .order_by(order.paid_at, order.id)
        .limit(limit)
    )
    async with db.read() as session:
        order_ids = list(await session.scalars(query))
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
