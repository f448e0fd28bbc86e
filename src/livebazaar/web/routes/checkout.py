"""Flash drops, claims, live purchases and orders. Thin: parse, call one action, serialise."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request, status

from livebazaar.bootstrap import Container
from livebazaar.checkout import (
    DropOut,
    OrderOut,
    do_claim,
    do_end_drop,
    do_purchase,
    do_start_drop,
    end_due_drops,
    get_drop,
    get_drop_out,
    get_visible_order,
    list_buyer_orders,
    order_out,
    sweep_expired_holds,
)
from livebazaar.checkout.schemas import ClaimIn, DropIn, PurchaseIn, ReservationOut
from livebazaar.kernel.ratelimit import RateLimiter, SlidingWindowLimiter
from livebazaar.web.deps import ActorDep, ContainerDep, IdempotencyKeyHeader, PathId
from livebazaar.web.periodic import PeriodicJob
from livebazaar.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["checkout"], responses=PROBLEM_RESPONSES)


def claim_limiter(request: Request) -> RateLimiter:
    """One limiter per app (per process): claims and live purchases per buyer per 10 s."""
    limiter: RateLimiter | None = getattr(request.app.state, "claim_limiter", None)
    if limiter is None:
        container: Container = request.app.state.container
        limiter = SlidingWindowLimiter(container.settings.claim_rate_per_10s)
        request.app.state.claim_limiter = limiter
    return limiter


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


@router.post("/drops/{drop_id}/claims", status_code=status.HTTP_201_CREATED)
async def claim(
    drop_id: PathId, body: ClaimIn, actor: ActorDep, c: ContainerDep, limiter: LimiterDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ReservationOut:  # fmt: skip
    return await do_claim(
        c.holds, c.clock, limiter, actor, drop_id, body.quantity,
        idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/drops/{drop_id}/end")
async def end_drop(drop_id: PathId, actor: ActorDep, c: ContainerDep) -> DropOut:
    return await do_end_drop(c.db, c.broker, c.clock, actor, drop_id)


@router.post("/shows/{show_id}/purchases", status_code=status.HTTP_201_CREATED)
async def purchase(
    show_id: PathId, body: PurchaseIn, actor: ActorDep, c: ContainerDep, limiter: LimiterDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ReservationOut:  # fmt: skip
    return await do_purchase(
        c.holds, c.db, c.clock, limiter, actor, show_id, body,
        hold_s=c.settings.default_hold_s, idempotency_key=idempotency_key,
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
    return [order_out(order, c.clock.now()) for order in orders]


@router.get("/orders/{order_id}")
async def read_order(order_id: PathId, actor: ActorDep, c: ContainerDep) -> OrderOut:
    async with c.db.read() as session:
        order = await get_visible_order(session, actor, order_id)
    return order_out(order, c.clock.now())


def periodic_jobs(app: FastAPI) -> list[PeriodicJob]:
    c: Container = app.state.container
    interval = c.settings.sweeper_interval_s

    async def sweep() -> int:
        return await sweep_expired_holds(c.db, c.broker, c.clock)

    async def end_drops() -> int:
        return await end_due_drops(c.db, c.broker, c.clock)

    return [
        ("checkout.sweep_expired_holds", interval, sweep),
        ("checkout.end_due_drops", interval, end_drops),
    ]
