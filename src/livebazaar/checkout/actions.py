"""Checkout actions: drops, claims and purchases (holds), ending drops, expiring holds.

Never oversell: claims and live purchases are decided in batches by the hold queue under the
pool's lock (hold_queue.py, ADR 0005); every other stock change is one conditional UPDATE
(inventory.pools). A `reserved` Order IS the hold; closing it (expired, cancelled) gives its
units back in the same transaction, to the shelf if its drop has ended.

The `*_order` and `close_*` functions run inside the caller's unit of work (payments and the
live show's end use them); `do_*` open and commit their own, or hand the work to the queue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import select

from livebazaar import catalog, fx, inventory, live
from livebazaar.accounts import Actor, check_shop_role
from livebazaar.broker import Broker
from livebazaar.checkout.errors import (
    CurrencyMismatch,
    DropAlreadyActive,
    DropEnded,
    InsufficientStock,
    NotForSale,
    OrderAlreadyDelivered,
    OrderNotDeliverable,
    OrderNotShippable,
    SoldOut,
    TotalTooLarge,
)
from livebazaar.checkout.events import DropStarted
from livebazaar.checkout.hold_queue import HoldQueue
from livebazaar.checkout.holds import SWEEP_BATCH, close_drop, expire_due_holds, lock_order
from livebazaar.checkout.hotstock import HotStock
from livebazaar.checkout.models import Drop, FulfillmentStatus, Order, OrderStatus
from livebazaar.checkout.queries import (
    ORDER_VIEWER_ROLES,
    get_drop,
    get_drop_out,
    get_lineup_variant,
    get_visible_order,
    order_out,
)
from livebazaar.checkout.reservations import HoldRequest
from livebazaar.checkout.schemas import (
    DropIn,
    DropOut,
    OrderOut,
    PurchaseIn,
    ReservationOut,
    ShipIn,
)
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database, UnitOfWork
from livebazaar.kernel.idempotency import IdempotencyKey
from livebazaar.kernel.money import MAX_AMOUNT_MINOR, MAX_PRICE_MINOR, Money
from livebazaar.kernel.ratelimit import RateLimiter


async def do_start_drop(
    db: Database, broker: Broker, clock: Clock, actor: Actor, show_id: str, data: DropIn,
    *, default_hold_s: int,
) -> DropOut:  # fmt: skip
    """Carve `quantity` units out of the variant's shelf into a new drop pool and start it, at
    a price above zero. A co-host needs the owner's `drops` grant, and `prices` too for a price
    other than the variant's list price (live/powers.py)."""
    async with db.uow() as uow:
        s = uow.session
        show = await live.get_show(s, show_id)
        standing = await live.get_actor_standing(s, actor, show)
        standing.check(live.Power.RUN_DROPS)
        _check_price(data.price.amount_minor)
        await s.execute(select(live.Show.id).where(live.Show.id == show_id).with_for_update())
        if show.status is not live.ShowStatus.LIVE:
            raise live.ShowNotLive()
        variant = await get_lineup_variant(s, show, data.product_id, data.variant_id)
        if data.price.amount_minor != variant.price_minor:
            standing.check(live.Power.PRICE_DROPS)
        if data.price.currency != (await catalog.get_shop(s, show.shop_id)).currency:
            raise CurrencyMismatch()
        await _check_no_active_drop(uow, broker, clock, show_id, variant.product_id)
        shelf = await inventory.get_shelf(s, variant.id)
        if shelf is None or not await inventory.take_units(s, shelf.id, data.quantity):
            raise InsufficientStock()
        pool = inventory.add_pool(s, variant.id, inventory.PoolKind.DROP, data.quantity)
        await s.flush()
        now = clock.now()
        drop = Drop(
            show_id=show_id, shop_id=show.shop_id, product_id=variant.product_id,
            variant_id=variant.id, pool_id=pool.id, quantity=data.quantity,
            price_minor=data.price.amount_minor, currency=data.price.currency,
            per_buyer_limit=data.per_buyer_limit, hold_s=data.hold_s or default_hold_s,
            started_at=now, ends_at=now + timedelta(seconds=data.duration_s),
            created_by=actor.user_id,
        )  # fmt: skip
        s.add(drop)
        await s.flush()
        out = await get_drop_out(s, clock, drop)
        live.emit(uow, broker, clock, show_id, DropStarted(drop=out))
        await uow.commit()
    return out


async def _check_no_active_drop(
    uow: UnitOfWork, broker: Broker, clock: Clock, show_id: str, product_id: str
) -> None:
    """Drops of the show past their end are closed first; then none may be open for the product."""
    now = clock.now()
    due = await uow.session.scalars(
        select(Drop).where(Drop.show_id == show_id, Drop.ended_at.is_(None), Drop.ends_at <= now)
    )
    for drop in list(due):
        await close_drop(uow, broker, clock, drop)
    active = await uow.session.scalar(
        select(Drop.id).where(
            Drop.show_id == show_id, Drop.product_id == product_id, Drop.ended_at.is_(None)
        )
    )
    if active is not None:
        raise DropAlreadyActive()


async def do_claim(
    hotstock: HotStock, clock: Clock, limiter: RateLimiter, actor: Actor,
    drop_id: str, quantity: int, *, idempotency_key: str | None = None,
    rates: fx.RateCache | None = None, display_currency: str | None = None,
) -> ReservationOut:  # fmt: skip
    """Claim units of a drop: a hold with an expiry, admitted by the HotStock (hotstock.py)
    and answered once it is committed. With `display_currency` the order keeps its total in
    that currency as the buyer saw it (`rates`: the process's cache, no query)."""
    await limiter.hit(actor.user_id, clock.now())
    drop = await hotstock.drop_terms(drop_id)
    if drop.ends_at <= clock.now():
        raise DropEnded()
    _check_total(drop.price, quantity)
    display = await lock_display(rates, drop.price, quantity, display_currency)
    request = HoldRequest(
        buyer_id=actor.user_id, pool_id=drop.pool_id, quantity=quantity,
        unit_price=drop.price, hold_s=drop.hold_s, show_id=drop.show_id, shop_id=drop.shop_id,
        product_id=drop.product_id, variant_id=drop.variant_id, drop_id=drop.id,
        per_buyer_limit=drop.per_buyer_limit,
        idempotency=IdempotencyKey.of(
            idempotency_key, f"claim:{drop_id}", {"quantity": quantity}
        ),
        display=display,
    )  # fmt: skip
    return await hotstock.claim(request)


async def do_purchase(
    holds: HoldQueue, db: Database, clock: Clock, limiter: RateLimiter, actor: Actor,
    show_id: str, data: PurchaseIn, *, hold_s: int, max_open_holds: int,
    idempotency_key: str | None = None, rates: fx.RateCache | None = None,
) -> ReservationOut:  # fmt: skip
    """Buy a lineup product at list price during a live show, or from its replay after it
    ended, while stock remains: a hold on the shelf, through the same queue as drop claims,
    within the shop's limit per buyer and the buyer's open holds (shelf_limits.py)."""
    await limiter.hit(actor.user_id, clock.now())
    async with db.read() as session:
        show = await live.get_show(session, show_id)
        if show.status is live.ShowStatus.SCHEDULED:
            raise live.ShowNotLive()
        variant = await get_lineup_variant(session, show, data.product_id, data.variant_id)
        shelf = await inventory.get_shelf(session, variant.id)
        shop = await catalog.get_shop(session, show.shop_id)
    if shelf is None:
        raise SoldOut()
    price = Money(variant.price_minor, variant.currency)
    _check_total(price, data.quantity)
    display = await lock_display(rates, price, data.quantity, data.display_currency)
    request = HoldRequest(
        buyer_id=actor.user_id, pool_id=shelf.id, quantity=data.quantity,
        unit_price=Money(variant.price_minor, variant.currency), hold_s=hold_s,
        show_id=show_id, shop_id=show.shop_id, product_id=variant.product_id,
        variant_id=variant.id, per_buyer_limit=shop.shelf_per_buyer_limit,
        max_open_holds=max_open_holds,
        idempotency=IdempotencyKey.of(
            idempotency_key, f"purchase:{show_id}",
            data.model_dump(mode="json", exclude={"display_currency"}),
        ),
        display=display,
    )  # fmt: skip
    return await holds.submit(request)


async def lock_display(
    rates: fx.RateCache | None, price: Money, quantity: int, currency: str | None
) -> fx.LockedPrice | None:
    """The total in the buyer's currency with the rate that made it, from the process's rate
    book (in memory: no query on a claim), or None: their currency is the shop's, or no fresh
    rate reaches it. The charge stays in the shop's currency either way."""
    if rates is None or currency is None or currency == price.currency:
        return None
    total = Money(price.amount_minor * quantity, price.currency)
    return (await rates.book()).lock(total, currency)


def _check_price(amount_minor: int) -> None:
    """A drop's price, like a list price, is above zero (and at most MAX_PRICE_MINOR)."""
    if not 0 < amount_minor <= MAX_PRICE_MINOR:
        raise catalog.PriceOutOfRange()


def _check_total(price: Money, quantity: int) -> None:
    """What is priced at zero is not sold (rows from before prices were checked); a total is
    at most MAX_AMOUNT_MINOR."""
    if price.amount_minor <= 0:
        raise NotForSale()
    if price.amount_minor * quantity > MAX_AMOUNT_MINOR:
        raise TotalTooLarge()


async def do_end_drop(
    db: Database, broker: Broker, clock: Clock, actor: Actor, drop_id: str
) -> DropOut:
    async with db.uow() as uow:
        drop = await get_drop(uow.session, drop_id)
        await live.check_power(uow.session, actor, drop.show_id, live.Power.RUN_DROPS)
        if not await close_drop(uow, broker, clock, drop):
            raise DropEnded()
        out = await get_drop_out(uow.session, clock, await get_drop(uow.session, drop_id))
        await uow.commit()
    return out


async def do_end_show_drops(uow: UnitOfWork, broker: Broker, clock: Clock, show_id: str) -> int:
    """End every open drop of a show inside the caller's unit of work (the show is ending)."""
    drops = await uow.session.scalars(
        select(Drop).where(Drop.show_id == show_id, Drop.ended_at.is_(None))
    )
    return sum([await close_drop(uow, broker, clock, drop) for drop in list(drops)])


async def do_expire_due_holds(
    db: Database, broker: Broker, clock: Clock, *, pool_id: str | None = None
) -> int:
    """Expire one batch of due holds (of one pool, or all); returns how many (a full batch:
    call again)."""
    async with db.uow() as uow:
        expired = await expire_due_holds(uow, broker, clock, pool_id=pool_id, emit_events=True)
        await uow.commit()
    return len(expired)


async def do_end_due_drops(db: Database, broker: Broker, clock: Clock) -> int:
    async with db.uow() as uow:
        due = await uow.session.scalars(
            select(Drop)
            .where(Drop.ended_at.is_(None), Drop.ends_at <= clock.now())
            .limit(SWEEP_BATCH)
        )
        ended = sum([await close_drop(uow, broker, clock, drop) for drop in list(due)])
        await uow.commit()
    return ended


# Runs in the unit of work that marks an order delivered, before its commit: the web layer
# composes another feature's step there (the ledger's entry for the delivery).
OnDelivered = Callable[[UnitOfWork, Order], Awaitable[object]]


async def do_ship_order(
    db: Database, clock: Clock, actor: Actor, order_id: str, data: ShipIn
) -> OrderOut:
    """The shop's staff (owners, hosts; platform admins) hand a paid order to a carrier.

    Shipping it again with the same carrier and number answers the order as it is (a retry);
    with others, corrects them (a mistyped number) until the order is delivered. Only a paid
    order ships: OrderNotShippable otherwise (409)."""
    async with db.uow() as uow:
        order = await _locked_order(uow, actor, order_id)
        await check_shop_role(uow.session, actor, order.shop_id, ORDER_VIEWER_ROLES)
        same = (order.carrier, order.tracking_number) == (data.carrier, data.tracking_number)
        if order.fulfillment_status is not FulfillmentStatus.UNFULFILLED and same:
            return order_out(order, clock.now())
        if order.fulfillment_status is FulfillmentStatus.DELIVERED:
            raise OrderAlreadyDelivered()
        if order.status is not OrderStatus.PAID:
            raise OrderNotShippable()
        order.carrier, order.tracking_number = data.carrier, data.tracking_number
        if order.fulfillment_status is FulfillmentStatus.UNFULFILLED:
            order.fulfillment_status, order.shipped_at = FulfillmentStatus.SHIPPED, clock.now()
        out = order_out(order, clock.now())
        await uow.commit()
    return out


async def do_deliver_order(
    db: Database, clock: Clock, actor: Actor, order_id: str, *,
    also: OnDelivered | None = None,
) -> OrderOut:  # fmt: skip
    """The buyer received the goods: said by the buyer, or by the shop's staff (a courier's
    proof, a pickup at the cooperative). From paid, shipped or not; marking it again answers
    it as it is. Not paid (reserved, expired, cancelled, refunded): OrderNotDeliverable (409).
    `delivered_at` starts the hold before the parties' money is released (the ledger)."""
    async with db.uow() as uow:
        order = await _locked_order(uow, actor, order_id)
        if order.buyer_id != actor.user_id:
            await check_shop_role(uow.session, actor, order.shop_id, ORDER_VIEWER_ROLES)
        if order.fulfillment_status is FulfillmentStatus.DELIVERED:
            return order_out(order, clock.now())
        if order.status is not OrderStatus.PAID:
            raise OrderNotDeliverable()
        order.fulfillment_status, order.delivered_at = FulfillmentStatus.DELIVERED, clock.now()
        await uow.session.flush()
        if also is not None:
            await also(uow, order)
        out = order_out(order, clock.now())
        await uow.commit()
    return out


async def _locked_order(uow: UnitOfWork, actor: Actor, order_id: str) -> Order:
    """The order under its row lock, if the actor may see it (OrderNotFound otherwise)."""
    await get_visible_order(uow.session, actor, order_id)
    order = await lock_order(uow, order_id)
    assert order is not None, "seen a moment ago; orders are never deleted"
    return order
