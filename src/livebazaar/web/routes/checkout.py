"""Flash drops, claims, live purchases and orders. Thin: parse, call one action, serialise."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import TypeAdapter

from livebazaar.accounts import get_display_names
from livebazaar.bootstrap import Container
from livebazaar.catalog import get_product_summaries
from livebazaar.checkout import (
    DropOut,
    OrderOut,
    OrderStatus,
    ShipIn,
    do_claim,
    do_deliver_order,
    do_end_drop,
    do_purchase,
    do_ship_order,
    do_start_drop,
    end_due_drops,
    get_drop,
    get_drop_out,
    get_shelf_allowance,
    get_visible_order,
    list_buyer_orders,
    list_shop_orders,
    name_variants,
    order_out,
    sweep_expired_holds,
)
from livebazaar.checkout.schemas import (
    ClaimIn,
    DropIn,
    PurchaseIn,
    ReservationOut,
    ShelfAllowanceOut,
)
from livebazaar.kernel.csv_cells import safe_cell, writer
from livebazaar.kernel.money import Money, MoneyOut
from livebazaar.kernel.ratelimit import RateLimiter
from livebazaar.web.deps import (
    IDEMPOTENCY_KEY_OPENAPI,
    ActorDep,
    ContainerDep,
    IdempotencyKeyHeader,
    PathId,
    current_actor,
    idempotency_key_of,
)
from livebazaar.web.i18n import cookie_currency
from livebazaar.web.periodic import PeriodicJob
from livebazaar.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["checkout"], responses=PROBLEM_RESPONSES)


def claims_per_buyer(c: Container) -> RateLimiter:
    """Claims and live purchases per buyer per 10 s (shared by the nodes when set to)."""
    return c.limiter("claim", c.settings.claim_rate_per_10s)


async def claim_limiter(c: ContainerDep) -> RateLimiter:
    return claims_per_buyer(c)


LimiterDep = Annotated[RateLimiter, Depends(claim_limiter)]


@router.post("/shows/{show_id}/drops", status_code=status.HTTP_201_CREATED)
async def start_drop(show_id: PathId, body: DropIn, actor: ActorDep, c: ContainerDep) -> DropOut:
    return await do_start_drop(
        c.db, c.broker, c.clock, actor, show_id, body,
        default_hold_s=c.settings.default_hold_s,
    )  # fmt: skip


@router.get("/drops/{drop_id}")
async def read_drop(drop_id: PathId, c: ContainerDep) -> DropOut:
    async with c.db.read() as session:
        return await get_drop_out(session, c.clock, await get_drop(session, drop_id))


@router.post(
    "/drops/{drop_id}/claims", status_code=status.HTTP_201_CREATED,
    response_model=ReservationOut, openapi_extra=IDEMPOTENCY_KEY_OPENAPI,
)  # fmt: skip
async def claim(drop_id: PathId, body: ClaimIn, request: Request) -> Response:
    """Claim units of a drop: a hold until `expires_at`, to be paid before then.

    The flash sale's hot path, so it reads the caller, the container and the Idempotency-Key
    from the request itself rather than through dependencies, and serialises its answer once:
    each dependency FastAPI solves costs tens of microseconds a request (bench/RESULTS.md)."""
    c: Container = request.app.state.container
    actor = await current_actor(request, c)
    out = await do_claim(
        c.hotstock, c.clock, claims_per_buyer(c), actor, drop_id, body.quantity,
        idempotency_key=idempotency_key_of(request), rates=c.rates,
        display_currency=body.display_currency or cookie_currency(request),
    )  # fmt: skip
    return Response(_RESERVATION.dump_json(out), status_code=201, media_type="application/json")


_RESERVATION = TypeAdapter(ReservationOut)


@router.post("/drops/{drop_id}/end")
async def end_drop(drop_id: PathId, actor: ActorDep, c: ContainerDep) -> DropOut:
    return await do_end_drop(c.db, c.broker, c.clock, actor, drop_id)


@router.post("/shows/{show_id}/purchases", status_code=status.HTTP_201_CREATED)
async def purchase(
    show_id: PathId, body: PurchaseIn, actor: ActorDep, c: ContainerDep, limiter: LimiterDep,
    request: Request, idempotency_key: IdempotencyKeyHeader = None,
) -> ReservationOut:  # fmt: skip
    """Buy a lineup product at list price: a hold on the shelf until `expires_at`. Refused
    past the shop's limit per buyer on the product (422 per_buyer_limit_exceeded, with
    `may_take`) or with too many holds open (429 too_many_open_holds, Retry-After).
    `display_currency` (else the page's `lb_ccy` cookie): the order keeps its total in it, as
    the buyer saw it."""
    if body.display_currency is None:
        body = body.model_copy(update={"display_currency": cookie_currency(request)})
    return await do_purchase(
        c.holds, c.db, c.clock, limiter, actor, show_id, body,
        hold_s=c.settings.default_hold_s, max_open_holds=c.settings.max_open_holds_per_buyer,
        idempotency_key=idempotency_key, rates=c.rates,
    )  # fmt: skip


@router.get("/products/{product_id}/allowance")
async def shelf_allowance(
    product_id: PathId, actor: ActorDep, c: ContainerDep
) -> ShelfAllowanceOut:
    """What the caller may still buy of a product from its shop's shelf (the buy sheet caps
    its quantity with it), and their open holds."""
    async with c.db.read() as session:
        return await get_shelf_allowance(
            session, c.clock.now(), actor.user_id, product_id,
            c.settings.max_open_holds_per_buyer,
        )  # fmt: skip


@router.get("/orders")
async def my_orders(
    actor: ActorDep,
    c: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[OrderOut]:
    async with c.db.read() as session:
        orders = await list_buyer_orders(session, actor, limit=limit, offset=offset)
        return await name_variants(session, [order_out(o, c.clock.now()) for o in orders])


@router.get("/orders/{order_id}")
async def read_order(order_id: PathId, actor: ActorDep, c: ContainerDep) -> OrderOut:
    async with c.db.read() as session:
        order = await get_visible_order(session, actor, order_id)
        [out] = await name_variants(session, [order_out(order, c.clock.now())])
    return out


@router.get("/shops/{shop_id}/orders")
async def shop_orders(
    shop_id: PathId,
    actor: ActorDep,
    c: ContainerDep,
    order_status: Annotated[OrderStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[OrderOut]:
    """The shop's orders, newest first (its owners and hosts)."""
    async with c.db.read() as session:
        orders = await list_shop_orders(
            session, actor, shop_id, status=order_status, limit=limit, offset=offset
        )
        return await name_variants(session, [order_out(o, c.clock.now()) for o in orders])


@router.post("/orders/{order_id}/ship")
async def ship_order(order_id: PathId, body: ShipIn, actor: ActorDep, c: ContainerDep) -> OrderOut:
    """A paid order handed to a carrier (the shop's owners and hosts). Again with the same
    carrier and number: the same answer; with others: corrected, until it is delivered."""
    out = await do_ship_order(c.db, c.clock, actor, order_id, body)
    async with c.db.read() as session:
        [named] = await name_variants(session, [out])
    return named


@router.post("/orders/{order_id}/deliver")
async def deliver_order(order_id: PathId, actor: ActorDep, c: ContainerDep) -> OrderOut:
    """The buyer has the goods (said by the buyer, or by the shop's owners and hosts); again:
    the same answer. Its `delivered_at` starts the hold on the parties' money."""
    out = await do_deliver_order(c.db, c.clock, actor, order_id)
    async with c.db.read() as session:
        [named] = await name_variants(session, [out])
    return named


CSV_COLUMNS = [
    "order_id", "created_at", "paid_at", "status", "show_id", "product", "variant", "quantity",
    "unit_price", "total", "currency", "buyer", "ship_name", "ship_line1", "ship_line2",
    "ship_city", "ship_region", "ship_postal_code", "ship_country", "ship_phone",
    "fulfillment_status", "carrier", "tracking_number", "shipped_at", "delivered_at",
]  # fmt: skip
CSV_PAGE = 500


@router.get(
    "/shops/{shop_id}/orders.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "Every order, as CSV"}},
)
async def export_shop_orders(
    shop_id: PathId,
    actor: ActorDep,
    c: ContainerDep,
    order_status: Annotated[OrderStatus | None, Query(alias="status")] = None,
) -> StreamingResponse:
    """Every order of the shop as CSV (UTF-8, amounts in major units of their currency), for
    the courier's labels and the cooperative's books. Owners and hosts only."""
    async with c.db.read() as session:  # refuse before the first byte is sent
        await list_shop_orders(session, actor, shop_id, limit=1)

    async def rows() -> AsyncIterator[str]:
        buffer = io.StringIO()
        out = writer(buffer)
        out.writerow(CSV_COLUMNS)
        offset = 0
        while True:
            async with c.db.read() as session:
                page = await list_shop_orders(
                    session, actor, shop_id, status=order_status, limit=CSV_PAGE, offset=offset
                )
                titles = await get_product_summaries(session, [o.product_id for o in page])
                buyers = await get_display_names(session, {o.buyer_id for o in page})
                named = await name_variants(session, [order_out(o, c.clock.now()) for o in page])
            for order in named:
                out.writerow(_csv_row(order, titles, buyers))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if len(page) < CSV_PAGE:
                return
            offset += CSV_PAGE

    filename = f"orders-{shop_id}.csv"
    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _csv_row(order: OrderOut, titles: Mapping[str, Any], buyers: Mapping[str, str]) -> list[str]:
    """One order's cells, each made safe for a spreadsheet (kernel/csv_cells.py)."""
    ship = order.ship_to.model_dump() if order.ship_to else {}
    product = titles.get(order.product_id)
    cells = [
        order.id, order.created_at.isoformat(), order.paid_at.isoformat() if order.paid_at else "",
        order.status.value, order.show_id or "", product.title if product else "",
        order.variant_name, str(order.quantity), _major(order.unit_price), _major(order.total),
        order.total.currency, buyers.get(order.buyer_id, ""),
        *(str(ship.get(k, "")) for k in (
            "name", "line1", "line2", "city", "region", "postal_code", "country", "phone"
        )),
        *_fulfillment_cells(order),
    ]  # fmt: skip
    return [safe_cell(cell) for cell in cells]


def _fulfillment_cells(order: OrderOut) -> list[str]:
    f = order.fulfillment
    return [
        f.status.value, f.carrier or "", f.tracking_number or "",
        f.shipped_at.isoformat() if f.shipped_at else "",
        f.delivered_at.isoformat() if f.delivered_at else "",
    ]  # fmt: skip


def _major(money: MoneyOut) -> str:
    return Money(money.amount_minor, money.currency).decimal()


def periodic_jobs(app: FastAPI) -> list[PeriodicJob]:
    c: Container = app.state.container
    interval = c.settings.sweeper_interval_s

    async def sweep() -> int:
        return await sweep_expired_holds(c.db, c.broker, c.clock)

    async def end_drops() -> int:
        return await end_due_drops(c.db, c.broker, c.clock)

    return [
        ("checkout.sweep_expired_holds", interval, sweep),
        ("checkout.hotstock_upkeep", interval, c.hotstock.maintain),
        ("checkout.end_due_drops", interval, end_drops),
    ]
