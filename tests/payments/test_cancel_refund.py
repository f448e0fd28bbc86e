"""Cancelling holds and paid orders; refunding paid orders."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from livebazaar.accounts import Role
from livebazaar.bootstrap import Container
from livebazaar.payments.models import Payment, PaymentStatus
from livebazaar.payments.test_provider import CARD_SETTLE_LATER
from tests.checkout.stage import Stage, buyer_units, get_drop, make_buyers, pool
from tests.factories import grant
from tests.payments.test_pay import held, pay
from tests.support import Account, assert_problem


async def post(client: httpx.AsyncClient, who: Account, order_id: str, what: str) -> httpx.Response:
    return await client.post(f"/api/v1/orders/{order_id}/{what}", headers=who.headers)


async def payment_status(c: Container, order_id: str) -> PaymentStatus:
    async with c.db.read() as session:
        status = await session.scalar(select(Payment.status).where(Payment.order_id == order_id))
    assert status is not None
    return status


async def test_the_buyer_cancels_a_hold_and_the_units_come_back(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage)

    r = await post(client, buyer, order_id, "cancel")

    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    assert r.json()["closed_at"] is not None
    counts = await get_drop(client, drop_id)
    assert (counts["reserved"], counts["remaining"]) == (0, 10)
    assert (await buyer_units(container, drop_id))[buyer.user_id] == 0
    assert_problem(await post(client, buyer, order_id, "cancel"), 409, "order_not_cancellable")
    assert_problem(await pay(client, buyer, order_id), 409, "order_not_payable")


async def test_the_owner_cancels_a_paid_order_refunding_it(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage)
    assert (await pay(client, buyer, order_id)).status_code == 200
    assert_problem(await post(client, buyer, order_id, "cancel"), 409, "order_not_cancellable")

    r = await post(client, stage.owner, order_id, "cancel")

    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    assert await payment_status(container, order_id) is PaymentStatus.REFUNDED
    counts = await get_drop(client, drop_id)
    assert (counts["sold"], counts["remaining"]) == (0, 10)


async def test_cancelling_a_paid_order_of_an_ended_drop_restocks_the_shelf(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage)
    await pay(client, buyer, order_id)
    await client.post(f"/api/v1/drops/{drop_id}/end", headers=stage.owner.headers)
    assert (await pool(container, stage.product.shelf_pool_id)).quantity == 99

    assert (await post(client, stage.owner, order_id, "cancel")).status_code == 200

    assert (await pool(container, stage.product.shelf_pool_id)).quantity == 100


async def test_the_owner_refunds_a_paid_order_without_restocking(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage)
    [host] = await make_buyers(container, 1)
    await grant(container, stage.shop_id, host, Role.HOST)
    assert_problem(await post(client, stage.owner, order_id, "refund"), 409, "order_not_paid")
    await pay(client, buyer, order_id)
    assert_problem(await post(client, buyer, order_id, "refund"), 403, "role_required")
    assert_problem(await post(client, host, order_id, "refund"), 403, "role_required")

    r = await post(client, stage.owner, order_id, "refund")

    assert r.status_code == 200, r.text
    assert r.json()["status"] == "refunded"
    assert await payment_status(container, order_id) is PaymentStatus.REFUNDED
    assert (await get_drop(client, drop_id))["sold"] == 1
    assert_problem(await post(client, stage.owner, order_id, "refund"), 409, "order_not_paid")
    assert_problem(
        await post(client, stage.owner, order_id, "cancel"), 409, "order_not_cancellable"
    )


async def test_cancel_refusals(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, _drop_id, order_id = await held(client, container, stage)
    stranger, host = await make_buyers(container, 2)
    await grant(container, stage.shop_id, host, Role.HOST)
    assert_problem(await post(client, stranger, order_id, "cancel"), 404, "order_not_found")
    assert_problem(await post(client, stranger, order_id, "refund"), 404, "order_not_found")
    assert_problem(await post(client, host, order_id, "cancel"), 403, "role_required")
    await pay(client, buyer, order_id, CARD_SETTLE_LATER)
    assert_problem(await post(client, buyer, order_id, "cancel"), 409, "payment_pending")
