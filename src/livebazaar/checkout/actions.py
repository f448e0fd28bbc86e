"""Checkout actions: drops, claims and purchases (holds), ending drops, expiring holds.

Never oversell: every stock change is one conditional UPDATE (inventory.pools), the per-buyer
limit is one conditional upsert, and a claim's checks, hold, order and idempotency record
commit together or not at all. A `reserved` Order IS the hold; closing it (expired, cancelled)
gives its units back in the same transaction, to the shelf if its drop has ended.

The `*_order` and `close_*` functions run inside the caller's unit of work (payments and the
live show's end use them); `do_*` open and commit their own.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from livebazaar import catalog, inventory, live
from livebazaar.accounts import Actor
from livebazaar.broker import Broker
from livebazaar.checkout.errors import (
    CurrencyMismatch,
    DropAlreadyActive,
    DropEnded,
    InsufficientStock,
    PerBuyerLimitExceeded,
    SoldOut,
)
from livebazaar.checkout.events import DropSoldOut, DropStarted
from livebazaar.checkout.holds import SWEEP_BATCH, close_drop, emit_drop_counts, expire_due_holds
from livebazaar.checkout.models import Drop, DropBuyer, Order, OrderStatus
from livebazaar.checkout.queries import (
    drop_has_ended,
    get_drop,
    get_drop_out,
    get_lineup_variant,
)
from livebazaar.checkout.schemas import DropIn, DropOut, PurchaseIn, ReservationOut
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database, UnitOfWork
from livebazaar.kernel.idempotency import (
    get_stored_response,
    request_fingerprint,
    store_response,
)
from livebazaar.kernel.ids import new_id
from livebazaar.kernel.money import Money, MoneyOut
from livebazaar.kernel.ratelimit import RateLimiter


async def do_start_drop(
    db: Database, broker: Broker, clock: Clock, actor: Actor, show_id: str, data: DropIn,
    *, default_hold_s: int,
) -> DropOut:  # fmt: skip
    """Carve `quantity` units out of the variant's shelf into a new drop pool and start it."""
    async with db.uow() as uow:
        s = uow.session
        show = await live.check_show_host(s, actor, show_id)
        await s.execute(select(live.Show.id).where(live.Show.id == show_id).with_for_update())
        if show.status is not live.ShowStatus.LIVE:
            raise live.ShowNotLive()
        variant = await get_lineup_variant(s, show, data.product_id, data.variant_id)
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
    db: Database, broker: Broker, clock: Clock, limiter: RateLimiter, actor: Actor,
    drop_id: str, quantity: int, *, idempotency_key: str | None = None,
) -> ReservationOut:  # fmt: skip
    limiter.hit(actor.user_id, clock.now())
    scope = f"claim:{drop_id}"
    fingerprint = request_fingerprint(scope, {"quantity": quantity})
    async with db.uow() as uow:
        s = uow.session
        if idempotency_key and (
            stored := await get_stored_response(s, actor.user_id, idempotency_key, fingerprint)
        ):
            return ReservationOut.model_validate(stored.body)
        drop = await get_drop(s, drop_id)
        if drop_has_ended(drop, clock.now()):
            raise DropEnded()
        await expire_due_holds(uow, broker, clock, pool_id=drop.pool_id, emit_events=False)
        await _count_units(uow, drop, actor.user_id, quantity)
        if not await inventory.try_hold(s, drop.pool_id, quantity):
            raise SoldOut()
        order = _add_order(
            uow, clock, actor, show_id=drop.show_id, shop_id=drop.shop_id, drop_id=drop.id,
            pool_id=drop.pool_id, product_id=drop.product_id, variant_id=drop.variant_id,
            price=Money(drop.price_minor, drop.currency), quantity=quantity, hold_s=drop.hold_s,
        )  # fmt: skip
        out = _reservation(order)
        if idempotency_key:
            _remember(uow, clock, actor, idempotency_key, scope, fingerprint, out)
        counts = await emit_drop_counts(uow, broker, clock, drop)
        if counts.remaining == 0:
            live.emit(uow, broker, clock, drop.show_id, DropSoldOut(drop_id=drop.id))
        return await _commit_or_replay(db, uow, actor, idempotency_key, fingerprint, out)


async def do_purchase(
    db: Database, broker: Broker, clock: Clock, limiter: RateLimiter, actor: Actor,
    show_id: str, data: PurchaseIn, *, hold_s: int, idempotency_key: str | None = None,
) -> ReservationOut:  # fmt: skip
    """Buy a lineup product at list price during a live show: a hold on the shelf."""
    limiter.hit(actor.user_id, clock.now())
    scope = f"purchase:{show_id}"
    fingerprint = request_fingerprint(scope, data.model_dump(mode="json"))
    async with db.uow() as uow:
        s = uow.session
        if idempotency_key and (
            stored := await get_stored_response(s, actor.user_id, idempotency_key, fingerprint)
        ):
            return ReservationOut.model_validate(stored.body)
        show = await live.get_show(s, show_id)
        if show.status is not live.ShowStatus.LIVE:
            raise live.ShowNotLive()
        variant = await get_lineup_variant(s, show, data.product_id, data.variant_id)
        shelf = await inventory.get_shelf(s, variant.id)
        if shelf is None:
            raise SoldOut()
        await expire_due_holds(uow, broker, clock, pool_id=shelf.id, emit_events=False)
        if not await inventory.try_hold(s, shelf.id, data.quantity):
            raise SoldOut()
        order = _add_order(
            uow, clock, actor, show_id=show_id, shop_id=show.shop_id, drop_id=None,
            pool_id=shelf.id, product_id=variant.product_id, variant_id=variant.id,
            price=Money(variant.price_minor, variant.currency), quantity=data.quantity,
            hold_s=hold_s,
        )  # fmt: skip
        out = _reservation(order)
        if idempotency_key:
            _remember(uow, clock, actor, idempotency_key, scope, fingerprint, out)
        return await _commit_or_replay(db, uow, actor, idempotency_key, fingerprint, out)


async def do_end_drop(
    db: Database, broker: Broker, clock: Clock, actor: Actor, drop_id: str
) -> DropOut:
    async with db.uow() as uow:
        drop = await get_drop(uow.session, drop_id)
        await live.check_show_host(uow.session, actor, drop.show_id)
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


async def do_expire_due_holds(db: Database, broker: Broker, clock: Clock) -> int:
    """Expire one batch of due holds; returns how many (a full batch: call again)."""
    async with db.uow() as uow:
        expired = await expire_due_holds(uow, broker, clock, pool_id=None, emit_events=True)
        await uow.commit()
    return expired


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


async def _count_units(uow: UnitOfWork, drop: Drop, buyer_id: str, quantity: int) -> None:
    """The per-buyer limit as ONE conditional upsert: add `quantity` to the buyer's units
    only if the sum stays within the limit."""
    if quantity > drop.per_buyer_limit:
        raise PerBuyerLimitExceeded()
    dialect = uow.session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(DropBuyer).values(drop_id=drop.id, buyer_id=buyer_id, units=quantity)
    stmt = stmt.on_conflict_do_update(
        index_elements=[DropBuyer.drop_id, DropBuyer.buyer_id],
        set_={"units": DropBuyer.units + stmt.excluded.units},
        where=DropBuyer.units + stmt.excluded.units <= drop.per_buyer_limit,
    )
    result = await uow.session.execute(stmt)
    if getattr(result, "rowcount", 0) != 1:
        raise PerBuyerLimitExceeded()


def _add_order(
    uow: UnitOfWork, clock: Clock, actor: Actor, *, show_id: str, shop_id: str,
    drop_id: str | None, pool_id: str, product_id: str, variant_id: str, price: Money,
    quantity: int, hold_s: int,
) -> Order:  # fmt: skip
    now = clock.now()
    order = Order(
        id=new_id(), buyer_id=actor.user_id, shop_id=shop_id, show_id=show_id, drop_id=drop_id,
        pool_id=pool_id, product_id=product_id, variant_id=variant_id, quantity=quantity,
        unit_price_minor=price.amount_minor, total_minor=price.amount_minor * quantity,
        currency=price.currency, status=OrderStatus.RESERVED,
        expires_at=now + timedelta(seconds=hold_s), payment_pending=False, created_at=now,
    )  # fmt: skip
    uow.session.add(order)
    return order


def _reservation(order: Order) -> ReservationOut:
    return ReservationOut(
        order_id=order.id,
        status=order.status,
        expires_at=order.expires_at,
        total=MoneyOut.of(Money(order.total_minor, order.currency)),
        drop_id=order.drop_id,
        quantity=order.quantity,
    )


def _remember(
    uow: UnitOfWork, clock: Clock, actor: Actor, key: str, scope: str, fingerprint: str,
    out: ReservationOut,
) -> None:  # fmt: skip
    store_response(
        uow.session, user_id=actor.user_id, key=key, scope=scope, fingerprint=fingerprint,
        status_code=201, body=out.model_dump(mode="json"), now=clock.now(),
    )  # fmt: skip


async def _commit_or_replay(
    db: Database, uow: UnitOfWork, actor: Actor, key: str | None, fingerprint: str,
    out: ReservationOut,
) -> ReservationOut:  # fmt: skip
    """Commit; if a concurrent request with the same key won (only possible where writers run
    in parallel, e.g. PostgreSQL), answer what it answered."""
    try:
        await uow.commit()
    except IntegrityError:
        if not key:
            raise
        async with db.read() as session:
            stored = await get_stored_response(session, actor.user_id, key, fingerprint)
        if stored is None:
            raise
        return ReservationOut.model_validate(stored.body)
    return out
