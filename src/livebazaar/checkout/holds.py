"""Holds and their transitions, inside the caller's unit of work (they never commit).

A `reserved` Order IS the hold. Each transition is one conditional UPDATE on the order
(`WHERE status = <before>`), so running it twice, or racing the sweeper, changes nothing the
second time; only the winner moves the stock. Closing a hold (expired, cancelled) gives its
units back in the same transaction: to the drop's pool, or on to the shelf if the drop ended.
Actions here and in payments, and the live show's end, call these.
"""

from __future__ import annotations

from sqlalchemy import and_, select, update

from livebazaar import inventory, live
from livebazaar.broker import Broker
from livebazaar.checkout.events import DropEnded, DropSoldOut, DropStockChanged
from livebazaar.checkout.hotstock import ClosedHold
from livebazaar.checkout.models import Drop, DropBuyer, DropStatus, Order, OrderStatus
from livebazaar.checkout.queries import DropCounts, get_drop, get_drop_counts, is_due
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import UnitOfWork

SWEEP_BATCH = 500
# Noted on the unit of work (kernel.db) for each hold that closes, with its ClosedHold: the
# composition root makes a HotStock that counts drops' units elsewhere listen (bootstrap).
HOLDS_CLOSED = "checkout.holds_closed"
DROPS_CLOSED = "checkout.drops_closed"  # the same, with the id of each drop that closes


async def close_drop(uow: UnitOfWork, broker: Broker, clock: Clock, drop: Drop) -> bool:
    """End a drop: its due holds expire and its unsold units go back to the shelf. False if
    it was already closed (safe to run twice, or concurrently)."""
    await expire_due_holds(uow, broker, clock, pool_id=drop.pool_id, emit_events=False)
    result = await uow.session.execute(
        update(Drop)
        .where(Drop.id == drop.id, Drop.ended_at.is_(None))
        .values(ended_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    uow.note(DROPS_CLOSED, drop.id)
    await uow.session.refresh(drop)
    unsold = await inventory.take_all_available(uow.session, drop.pool_id)
    await _to_shelf(uow, drop, unsold, already_taken=True)
    # The counts first (remaining drops to 0), so a client applying both is up to date.
    counts = await emit_drop_counts(uow, broker, clock, drop)
    event = DropEnded(drop_id=drop.id, sold=counts.sold, status=DropStatus.ENDED)
    live.emit(uow, broker, clock, drop.show_id, event)
    return True


async def expire_due_holds(
    uow: UnitOfWork, broker: Broker, clock: Clock, *, pool_id: str | None, emit_events: bool
) -> list[ClosedHold]:
    """Expire (at most SWEEP_BATCH of) the due holds, of one pool or all; the ones expired."""
    query = select(Order).where(is_due(clock.now())).order_by(Order.expires_at).limit(SWEEP_BATCH)
    if pool_id is not None:
        query = query.where(Order.pool_id == pool_id)
    drops: set[str] = set()
    expired: list[ClosedHold] = []
    for order in list(await uow.session.scalars(query)):
        if await release_order(uow, clock, order, OrderStatus.EXPIRED):
            expired.append(closed_hold(order))
            if order.drop_id is not None:
                drops.add(order.drop_id)
    if emit_events:
        for drop_id in sorted(drops):
            await emit_drop_counts(uow, broker, clock, await get_drop(uow.session, drop_id))
    return expired


async def lock_order(uow: UnitOfWork, order_id: str) -> Order | None:
    return await uow.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def release_order(uow: UnitOfWork, clock: Clock, order: Order, status: OrderStatus) -> bool:
    """A reserved order closes (expired or cancelled): its units are available again."""
    if not await _transition(uow, clock, order, OrderStatus.RESERVED, status):
        return False
    await inventory.release_hold(uow.session, order.pool_id, order.quantity)
    await _units_back(uow, order)
    uow.note(HOLDS_CLOSED, closed_hold(order))
    return True


async def mark_order_paid(uow: UnitOfWork, clock: Clock, order: Order) -> bool:
    if not await _transition(uow, clock, order, OrderStatus.RESERVED, OrderStatus.PAID):
        return False
    await inventory.confirm_sale(uow.session, order.pool_id, order.quantity)
    return True


async def cancel_paid_order(uow: UnitOfWork, clock: Clock, order: Order) -> bool:
    """A paid order is cancelled (the money goes back elsewhere): its units are sellable again."""
    if not await _transition(uow, clock, order, OrderStatus.PAID, OrderStatus.CANCELLED):
        return False
    await inventory.unsell(uow.session, order.pool_id, order.quantity)
    await _units_back(uow, order)
    uow.note(HOLDS_CLOSED, closed_hold(order))
    return True


def closed_hold(order: Order) -> ClosedHold:
    return ClosedHold(order.id, order.drop_id, order.buyer_id, order.quantity)


async def refund_paid_order(uow: UnitOfWork, clock: Clock, order: Order) -> bool:
    """Money back, goods kept (or lost): the units stay sold."""
    return await _transition(uow, clock, order, OrderStatus.PAID, OrderStatus.REFUNDED)


async def add_refunded(uow: UnitOfWork, order: Order, amount_minor: int) -> int:
    """`amount_minor` more was given back to the buyer (a refund, a chargeback); returns the
    order's refunded total. The caller holds the order's lock and closes the order (refunded,
    cancelled) when that total reaches what was paid."""
    await uow.session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(refunded_minor=Order.refunded_minor + amount_minor)
        .execution_options(synchronize_session=False)
    )
    await uow.session.refresh(order)
    return order.refunded_minor


async def emit_drop_counts(uow: UnitOfWork, broker: Broker, clock: Clock, drop: Drop) -> DropCounts:
    counts = await get_drop_counts(uow.session, clock, drop)
    event = DropStockChanged(
        drop_id=drop.id, remaining=counts.remaining, reserved=counts.reserved,
        sold=counts.sold, status=counts.status, stock_version=counts.version,
    )  # fmt: skip
    live.emit(uow, broker, clock, drop.show_id, event)
    return counts


async def announce_holds(
    uow: UnitOfWork, broker: Broker, clock: Clock, drop: Drop, *, took_units: bool
) -> None:
    """Holds changed a drop's counts: its new counts, and "sold out" when the units taken
    left none (published once `uow` commits)."""
    counts = await emit_drop_counts(uow, broker, clock, drop)
    if took_units and counts.remaining == 0:
        event = DropSoldOut(drop_id=drop.id, stock_version=counts.version)
        live.emit(uow, broker, clock, drop.show_id, event)


async def _transition(
    uow: UnitOfWork, clock: Clock, order: Order, before: OrderStatus, after: OrderStatus
) -> bool:
    now = clock.now()
    values: dict[str, object] = {"status": after, "payment_pending": False}
    values["paid_at" if after is OrderStatus.PAID else "closed_at"] = now
    condition = Order.status == before
    if after is OrderStatus.EXPIRED:  # re-checked under the row lock: a pay may have come first
        condition = and_(condition, is_due(now))
    result = await uow.session.execute(
        update(Order)
        .where(Order.id == order.id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    await uow.session.refresh(order)
    return True


async def _units_back(uow: UnitOfWork, order: Order) -> None:
    """Units of a closed order are available in its pool again; a drop buyer's count drops,
    and if the drop has ended they go on to the shelf."""
    if order.drop_id is None:
        return
    await uow.session.execute(
        update(DropBuyer)
        .where(
            DropBuyer.drop_id == order.drop_id,
            DropBuyer.buyer_id == order.buyer_id,
            DropBuyer.units >= order.quantity,
        )
        .values(units=DropBuyer.units - order.quantity)
        .execution_options(synchronize_session=False)
    )
    drop = await get_drop(uow.session, order.drop_id)
    if drop.ended_at is not None:
        await _to_shelf(uow, drop, order.quantity, already_taken=False)


async def _to_shelf(uow: UnitOfWork, drop: Drop, units: int, *, already_taken: bool) -> None:
    if units <= 0:
        return
    if not already_taken and not await inventory.take_units(uow.session, drop.pool_id, units):
        raise RuntimeError("inventory invariant: a closed hold's units are not available")
    shelf = await inventory.get_shelf(uow.session, drop.variant_id)
    if shelf is None:
        raise RuntimeError("inventory invariant: a drop's variant has no shelf")
    await inventory.put_units(uow.session, shelf.id, units)
