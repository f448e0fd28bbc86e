"""The ledger: where an order's money went, balances, the trial balance, shows' commissions,
a shop's platform fee. Thin: parse, call one query or action, serialise."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, FastAPI

from livebazaar.bootstrap import Container
from livebazaar.catalog import do_set_platform_fee
from livebazaar.ledger import (
    check_platform_fee_fits,
    do_set_commissions,
    get_party_balances,
    platform_fee_of,
    release_due_orders,
)
from livebazaar.ledger.models import OwnerType
from livebazaar.ledger.queries import (
    get_order_settlement,
    get_platform_fee,
    get_producer_balance,
    get_shop_balance,
    get_shop_trial_balance,
    list_commissions,
)
from livebazaar.ledger.schemas import (
    BalanceOut,
    CommissionOut,
    CommissionsIn,
    PlatformFeeIn,
    PlatformFeeOut,
    SettlementOut,
    TrialBalanceOut,
)
from livebazaar.web.deps import ActorDep, ContainerDep, PathId
from livebazaar.web.periodic import PeriodicJob
from livebazaar.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["ledger"], responses=PROBLEM_RESPONSES)


@router.get("/orders/{order_id}/settlement")
async def order_settlement(order_id: PathId, actor: ActorDep, c: ContainerDep) -> SettlementOut:
    """Where the order's money went, party by party (the shop's owners and hosts); its buyer
    sees the totals only."""
    async with c.db.read() as session:
        return await get_order_settlement(session, actor, order_id)


@router.get("/shops/{shop_id}/balance")
async def shop_balance(shop_id: PathId, actor: ActorDep, c: ContainerDep) -> BalanceOut:
    """What the shop itself is owed, in its currency (products without revenue shares)."""
    async with c.db.read() as session:
        return await get_shop_balance(session, actor, shop_id)


@router.get("/producers/{producer_id}/balance")
async def producer_balance(producer_id: PathId, actor: ActorDep, c: ContainerDep) -> BalanceOut:
    """What the producer is owed, in the shop's currency: the shop's owners and hosts, and
    the producer's own linked account."""
    async with c.db.read() as session:
        return await get_producer_balance(session, actor, producer_id)


@router.get("/me/earnings")
async def my_earnings(actor: ActorDep, c: ContainerDep) -> list[BalanceOut]:
    """The caller's commissions as a co-host, per currency (shows of any shop)."""
    async with c.db.read() as session:
        return await get_party_balances(session, OwnerType.USER, actor.user_id)


@router.get("/shops/{shop_id}/trial-balance")
async def trial_balance(shop_id: PathId, actor: ActorDep, c: ContainerDep) -> TrialBalanceOut:
    """Every account of the shop's books and their sum per currency, always 0 (its owners)."""
    async with c.db.read() as session:
        return await get_shop_trial_balance(session, actor, shop_id)


@router.get("/shows/{show_id}/commissions")
async def show_commissions(
    show_id: PathId, actor: ActorDep, c: ContainerDep
) -> list[CommissionOut]:
    async with c.db.read() as session:
        return await list_commissions(session, actor, show_id)


@router.put("/shows/{show_id}/commissions")
async def set_show_commissions(
    show_id: PathId, body: Annotated[CommissionsIn, Body()], actor: ActorDep, c: ContainerDep
) -> list[CommissionOut]:
    """Replace the show's commissions (basis points of each sale's goods) for its hosts and
    co-hosts: the shop's owners and hosts, before or during the show."""
    return await do_set_commissions(
        c.db, c.clock, actor, show_id, body,
        default_platform_fee_bps=c.sale_terms.platform_fee_bps,
    )  # fmt: skip


@router.get("/shops/{shop_id}/platform-fee")
async def shop_platform_fee(shop_id: PathId, actor: ActorDep, c: ContainerDep) -> PlatformFeeOut:
    async with c.db.read() as session:
        return await get_platform_fee(session, actor, shop_id, c.sale_terms.platform_fee_bps)


@router.put("/shops/{shop_id}/platform-fee")
async def set_shop_platform_fee(
    shop_id: PathId, body: PlatformFeeIn, actor: ActorDep, c: ContainerDep
) -> PlatformFeeOut:
    """A platform admin sets the shop's own platform fee (null: the platform's default)."""
    default = c.sale_terms.platform_fee_bps
    shop = await do_set_platform_fee(
        c.db, actor, shop_id, body.bps, default_bps=default, also=check_platform_fee_fits
    )
    return PlatformFeeOut(
        shop_id=shop.id, bps=shop.platform_fee_bps, effective_bps=platform_fee_of(shop, default)
    )


def periodic_jobs(app: FastAPI) -> list[PeriodicJob]:
    c: Container = app.state.container

    async def release() -> int:
        return await release_due_orders(
            c.db, c.clock, hold_s=c.settings.payout_hold_s,
            undelivered_hold_s=c.settings.payout_hold_undelivered_s,
        )  # fmt: skip

    return [("ledger.release_due_orders", c.settings.ledger_release_interval_s, release)]
