"""Read-only checkout queries. Given a session; they never commit.

Counts are right at `clock.now()` even between two sweeper runs: a hold whose expiry has
passed (and on which no payment is pending) is counted as already returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar import catalog, inventory, live
from livebazaar.accounts import Actor, Role, check_shop_role, list_roles
from livebazaar.checkout.errors import DropNotFound, OrderNotFound, ProductNotInLineup
from livebazaar.checkout.models import Drop, DropStatus, Order, OrderStatus
from livebazaar.checkout.schemas import DisplayOut, DropOut, FulfillmentOut, OrderOut, ShipTo
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.money import Money, MoneyOut

ORDER_VIEWER_ROLES = frozenset({Role.OWNER, Role.HOST})
# A pending payment keeps its hold past the expiry until its webhook settles it, but not for
# ever: a webhook that never comes must not lock the stock away. A later success is refunded.
PENDING_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class DropCounts:
    remaining: int
    reserved: int
    sold: int
    status: DropStatus
    version: int  # the pool's: higher is newer


def is_due(now: datetime) -> ColumnElement[bool]:
    """Holds whose expiry has passed and that no pending payment protects (a payment whose
    webhook never came protects it for PENDING_GRACE at most)."""
    return and_(
        Order.status == OrderStatus.RESERVED,
        or_(
            and_(Order.expires_at <= now, Order.payment_pending.is_(False)),
            Order.expires_at <= now - PENDING_GRACE,
        ),
    )


def order_is_due(order: Order, now: datetime) -> bool:
    if order.status is not OrderStatus.RESERVED:
        return False
    if order.payment_pending:
        return order.expires_at <= now - PENDING_GRACE
    return order.expires_at <= now


def drop_has_ended(drop: Drop, now: datetime) -> bool:
    return drop.ended_at is not None or drop.ends_at <= now


async def get_drop(session: AsyncSession, drop_id: str) -> Drop:
    drop = await session.get(Drop, drop_id, populate_existing=True)
    if drop is None:
        raise DropNotFound()
    return drop


async def get_drop_counts(session: AsyncSession, clock: Clock, drop: Drop) -> DropCounts:
    now = clock.now()
    pool = await inventory.get_pool(session, drop.pool_id)
    assert pool is not None, "a drop always has its pool"
    due = await session.scalar(
        select(func.coalesce(func.sum(Order.quantity), 0)).where(
            Order.pool_id == drop.pool_id, is_due(now)
        )
    )
    reserved = pool.reserved - int(due or 0)
    ended = drop_has_ended(drop, now)
    remaining = 0 if ended else pool.quantity - reserved - pool.sold
    if ended:
        status = DropStatus.ENDED
    else:
        status = DropStatus.SOLD_OUT if remaining <= 0 else DropStatus.LIVE
    return DropCounts(
        remaining=remaining, reserved=reserved, sold=pool.sold, status=status,
        version=pool.version,
    )  # fmt: skip


async def get_drop_out(session: AsyncSession, clock: Clock, drop: Drop) -> DropOut:
    counts = await get_drop_counts(session, clock, drop)
    return DropOut(
        id=drop.id,
        show_id=drop.show_id,
        product_id=drop.product_id,
        variant_id=drop.variant_id,
        quantity=drop.quantity,
        remaining=counts.remaining,
        reserved=counts.reserved,
        sold=counts.sold,
        status=counts.status,
        stock_version=counts.version,
        price=MoneyOut.of(Money(drop.price_minor, drop.currency)),
        per_buyer_limit=drop.per_buyer_limit,
        hold_s=drop.hold_s,
        started_at=drop.started_at,
        ends_at=drop.ends_at,
    )


async def list_show_drops(session: AsyncSession, clock: Clock, show_id: str) -> list[DropOut]:
    """Every drop of the show, oldest first, with counts that are right at `clock.now()`."""
    drops = await session.scalars(
        select(Drop).where(Drop.show_id == show_id).order_by(Drop.started_at, Drop.id)
    )
    return [await get_drop_out(session, clock, drop) for drop in drops]


@dataclass(frozen=True)
class ShowSales:
    """What a show sold: paid orders only (a reserved order is a hold, not a sale; a refunded
    or cancelled one no longer counts). Holds are counted apart, as of `clock.now()`."""

    orders: int
    units: int
    revenue: list[Money]  # one sum per currency, by code
    recent_orders: int  # paid at or after `since`
    held_orders: int
    held_units: int


async def get_show_sales(
    session: AsyncSession, clock: Clock, show_id: str, *, since: datetime
) -> ShowSales:
    paid = and_(Order.show_id == show_id, Order.status == OrderStatus.PAID)
    sum_units, sum_total = func.sum(Order.quantity), func.sum(Order.total_minor)
    per_currency = (
        await session.execute(
            select(Order.currency, func.count(), sum_units, sum_total)
            .where(paid)
            .group_by(Order.currency)
            .order_by(Order.currency)
        )
    ).all()
    recent = await session.scalar(select(func.count()).where(paid, Order.paid_at >= since))
    held_orders, held_units = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Order.quantity), 0)).where(
                Order.show_id == show_id,
                Order.status == OrderStatus.RESERVED,
                ~is_due(clock.now()),
            )
        )
    ).one()
    return ShowSales(
        orders=sum(int(n) for _, n, _, _ in per_currency),
        units=sum(int(units) for _, _, units, _ in per_currency),
        revenue=[Money(int(total), currency) for currency, _, _, total in per_currency],
        recent_orders=int(recent or 0),
        held_orders=int(held_orders),
        held_units=int(held_units),
    )


async def get_lineup_variant(
    session: AsyncSession, show: live.Show, product_id: str, variant_id: str | None
) -> catalog.Variant:
    """The variant sold in the show: the one named, or the product's first. It must be in the
    show's lineup and belong to the show's shop."""
    if not await live.is_in_lineup(session, show.id, product_id):
        raise ProductNotInLineup()
    summary = (await catalog.get_product_summaries(session, [product_id])).get(product_id)
    if summary is None:  # a product without variants: nothing to sell
        raise catalog.VariantNotFound()
    if summary.shop_id != show.shop_id:
        raise ProductNotInLineup()
    variant = await catalog.get_variant(session, variant_id or summary.default_variant_id)
    if variant is None or variant.product_id != product_id:
        raise catalog.VariantNotFound()
    return variant


async def get_visible_order(session: AsyncSession, actor: Actor, order_id: str) -> Order:
    """The order, if the actor is its buyer or may see the shop's orders. Anyone else gets
    OrderNotFound, so an order's existence is not revealed."""
    order = await session.get(Order, order_id, populate_existing=True)
    if order is None:
        raise OrderNotFound()
    if order.buyer_id == actor.user_id or actor.is_admin:
        return order
    if await list_roles(session, actor.user_id, order.shop_id) & ORDER_VIEWER_ROLES:
        return order
    raise OrderNotFound()


async def list_buyer_orders(
    session: AsyncSession, actor: Actor, *, limit: int = 50, offset: int = 0
) -> list[Order]:
    rows = await session.scalars(
        select(Order)
        .where(Order.buyer_id == actor.user_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows)


def order_out(order: Order, now: datetime) -> OrderOut:
    status = OrderStatus.EXPIRED if order_is_due(order, now) else order.status
    return OrderOut(
        id=order.id,
        status=status,
        buyer_id=order.buyer_id,
        shop_id=order.shop_id,
        show_id=order.show_id,
        drop_id=order.drop_id,
        product_id=order.product_id,
        variant_id=order.variant_id,
        quantity=order.quantity,
        unit_price=MoneyOut.of(Money(order.unit_price_minor, order.currency)),
        total=MoneyOut.of(Money(order.total_minor, order.currency)),
        expires_at=order.expires_at,
        payment_pending=order.payment_pending,
        created_at=order.created_at,
        paid_at=order.paid_at,
        closed_at=order.closed_at,
        ship_to=ShipTo.model_validate(order.ship_to) if order.ship_to else None,
        fulfillment=FulfillmentOut(
            status=order.fulfillment_status, carrier=order.carrier,
            tracking_number=order.tracking_number, shipped_at=order.shipped_at,
            delivered_at=order.delivered_at,
        ),
        display=_display(order),
        refunded=MoneyOut.of(Money(order.refunded_minor or 0, order.currency)),
    )  # fmt: skip


def _display(order: Order) -> DisplayOut | None:
    if order.display_currency is None or order.display_amount_minor is None:
        return None
    return DisplayOut(
        currency=order.display_currency, amount_minor=order.display_amount_minor,
        rate=order.display_rate or "", source=order.display_rate_source or "",
        as_of=order.display_rate_as_of or order.created_at,
    )  # fmt: skip


async def name_variants(session: AsyncSession, orders: Sequence[OrderOut]) -> list[OrderOut]:
    """The orders with their variants' names (`variant_name`), for every place that shows or
    exports an order: the packer must see which variant was bought."""
    names = await catalog.get_variant_names(session, [o.variant_id for o in orders])
    return [o.model_copy(update={"variant_name": names.get(o.variant_id, "")}) for o in orders]


async def list_shop_orders(
    session: AsyncSession, actor: Actor, shop_id: str, *, status: OrderStatus | None = None,
    limit: int = 50, offset: int = 0,
) -> list[Order]:  # fmt: skip
    """The shop's orders, newest first, for its owners and hosts (RoleRequired otherwise)."""
    await check_shop_role(session, actor, shop_id, ORDER_VIEWER_ROLES)
    query = select(Order).where(Order.shop_id == shop_id)
    if status is not None:
        query = query.where(Order.status == status)
    rows = await session.scalars(
        query.order_by(Order.created_at.desc(), Order.id.desc()).limit(limit).offset(offset)
    )
    return list(rows)


@dataclass(frozen=True)
class ReleaseCandidate:
    """A paid order whose buyer's window to complain has closed (the ledger releases what it
    holds for the order's parties): delivered `hold_delivered` ago, or never marked delivered
    and paid `hold_undelivered` ago."""

    order_id: str
    paid_at: datetime
    delivered_at: datetime | None


def orders_due_for_release(
    now: datetime, *, hold_delivered: timedelta, hold_undelivered: timedelta
) -> Select[str, datetime | None, datetime | None]:
    """The statement behind list_orders_due_for_release, by order id: a caller may narrow it
    (the ledger: leave out the orders it released already) before running it."""
    return (
        select(Order.id, Order.paid_at, Order.delivered_at)
        .where(
            Order.status == OrderStatus.PAID,
            or_(
                Order.delivered_at <= now - hold_delivered,
                and_(Order.delivered_at.is_(None), Order.paid_at <= now - hold_undelivered),
            ),
        )
        .order_by(Order.id)
    )


async def list_orders_due_for_release(
    session: AsyncSession, now: datetime, *, hold_delivered: timedelta,
    hold_undelivered: timedelta, after_id: str = "", limit: int = 500,
) -> list[ReleaseCandidate]:  # fmt: skip
    """Paid orders (a partly refunded one stays paid) due for release at `now`, by id, `limit`
    at a time after `after_id`. Fully refunded, cancelled and unpaid orders are never due."""
    query = orders_due_for_release(
        now, hold_delivered=hold_delivered, hold_undelivered=hold_undelivered
    )
    rows = await session.execute(query.where(Order.id > after_id).limit(limit))
    return [
        ReleaseCandidate(order_id, paid_at, delivered_at)
        for order_id, paid_at, delivered_at in rows
        if paid_at is not None
    ]
