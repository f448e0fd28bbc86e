"""A buyer cannot hold a shop's shelf for free (issue 13, item 6): purchases at list price are
limited per buyer and product by the shop (held, or paid in the last 24 hours), and a buyer's
open holds at once by the deployment; a refused purchase holds nothing (ADR 0017)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import func, select

from livebazaar.bootstrap import Container
from livebazaar.checkout.models import Order, OrderStatus
from livebazaar.kernel.clock import ManualClock
from tests.checkout.stage import Stage, claim, make_buyers, make_show, pool, start_drop
from tests.factories import make_product
from tests.payments.test_pay import pay
from tests.support import Account, assert_problem


async def buy(
    client: httpx.AsyncClient, buyer: Account, show_id: str, product_id: str, quantity: int = 1,
    key: str | None = None,
) -> httpx.Response:  # fmt: skip
    headers = dict(buyer.headers) | ({"Idempotency-Key": key} if key else {})
    body = {"product_id": product_id, "quantity": quantity}
    return await client.post(f"/api/v1/shows/{show_id}/purchases", json=body, headers=headers)


async def set_shelf_limit(client: httpx.AsyncClient, stage: Stage, limit: Any) -> httpx.Response:
    return await client.patch(
        f"/api/v1/shops/{stage.shop_id}", json={"shelf_per_buyer_limit": limit},
        headers=stage.owner.headers,
    )  # fmt: skip


async def open_holds(c: Container, buyer: Account) -> list[int]:
    """The quantities of the buyer's reserved orders."""
    async with c.db.read() as session:
        rows = await session.scalars(
            select(Order.quantity).where(
                Order.buyer_id == buyer.user_id, Order.status == OrderStatus.RESERVED
            )
        )
        return sorted(rows)


async def allowance(client: httpx.AsyncClient, buyer: Account, product_id: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/products/{product_id}/allowance", headers=buyer.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_one_buyer_cannot_hold_a_whole_shelf(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    # Given a shelf of 47 units and a shop on the default limit (10 per buyer and product)
    shelf = await make_product(container, stage.shop_id, title="Pearl studs", stock=47)
    show_id = await make_show(container, stage.shop_id, stage.owner, [shelf.id])
    buyer, other = await make_buyers(container, 2)

    # When a buyer asks to hold all 47 (the attack as reported)
    refused = await buy(client, buyer, show_id, shelf.id, 47)

    # Then nothing is held, and the refusal says how many they may still take
    body = assert_problem(refused, 422, "per_buyer_limit_exceeded")
    assert body["may_take"] == 10
    assert "10 more" in body["detail"]
    assert (await pool(container, shelf.shelf_pool_id)).reserved == 0
    # Up to the limit, in as many purchases as they like, and not one unit more
    assert (await buy(client, buyer, show_id, shelf.id, 6)).status_code == 201
    refused = await buy(client, buyer, show_id, shelf.id, 5)
    assert assert_problem(refused, 422, "per_buyer_limit_exceeded")["may_take"] == 4
    assert (await buy(client, buyer, show_id, shelf.id, 4)).status_code == 201
    refused = await buy(client, buyer, show_id, shelf.id, 1)
    assert assert_problem(refused, 422, "per_buyer_limit_exceeded")["may_take"] == 0
    assert await open_holds(container, buyer) == [4, 6]
    assert (await pool(container, shelf.shelf_pool_id)).reserved == 10
    # The rest of the shelf stays for everyone else
    assert (await buy(client, other, show_id, shelf.id, 10)).status_code == 201


async def test_expired_holds_free_the_limit_and_paid_units_count_for_a_day(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    [buyer] = await make_buyers(container, 1)
    pid, hold_s = stage.product.id, container.settings.default_hold_s
    assert (await buy(client, buyer, stage.show_id, pid, 10)).status_code == 201

    # A hold that expired unpaid holds nothing any more: the buyer may take 10 again
    clock.advance(hold_s)
    held = await buy(client, buyer, stage.show_id, pid, 10)
    assert held.status_code == 201, held.text
    # Paid units count as held ones for a day
    assert (await pay(client, buyer, held.json()["order_id"])).status_code == 200
    clock.advance(hold_s)
    refused = await buy(client, buyer, stage.show_id, pid, 1)
    assert assert_problem(refused, 422, "per_buyer_limit_exceeded")["may_take"] == 0
    assert (await allowance(client, buyer, pid))["may_take"] == 0
    # and no longer after it: tomorrow they may come back for more
    clock.advance(24 * 3600)
    assert (await allowance(client, buyer, pid))["may_take"] == 10
    assert (await buy(client, buyer, stage.show_id, pid, 10)).status_code == 201


async def test_the_shop_sets_its_own_limit(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    [buyer] = await make_buyers(container, 1)
    pid = stage.product.id
    r = await set_shelf_limit(client, stage, 50)
    assert r.status_code == 200, r.text
    assert r.json()["shelf_per_buyer_limit"] == 50

    assert (await buy(client, buyer, stage.show_id, pid, 47)).status_code == 201
    refused = await buy(client, buyer, stage.show_id, pid, 4)
    assert assert_problem(refused, 422, "per_buyer_limit_exceeded")["may_take"] == 3
    # Lowered below what a buyer already holds: they keep it, and may take no more
    assert (await set_shelf_limit(client, stage, 1)).status_code == 200
    refused = await buy(client, buyer, stage.show_id, pid, 1)
    assert assert_problem(refused, 422, "per_buyer_limit_exceeded")["may_take"] == 0
    assert await open_holds(container, buyer) == [47]


async def test_drops_keep_their_own_limit(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    """Units claimed in a drop count toward the drop's limit, not the shelf's."""
    drop = await start_drop(client, stage, quantity=20, per_buyer_limit=20)
    [buyer] = await make_buyers(container, 1)
    assert (await claim(client, buyer, drop["id"], 20)).status_code == 201
    assert (await buy(client, buyer, stage.show_id, stage.product.id, 10)).status_code == 201


async def test_holds_a_buyer_keeps_piling_up_are_refused(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    # Given a buyer holding as many unpaid reservations as the deployment allows (5), of two
    # products and shops, and a drop's claim among them
    cap = 5  # the default: settings.max_open_holds_per_buyer
    [buyer] = await make_buyers(container, 1)
    pid = stage.product.id
    drop = await start_drop(client, stage, quantity=5, per_buyer_limit=5)
    assert (await claim(client, buyer, drop["id"])).status_code == 201
    first = await buy(client, buyer, stage.show_id, pid)
    clock.advance(30)
    for _ in range(cap - 2):
        assert (await buy(client, buyer, stage.show_id, pid)).status_code == 201
    assert len(await open_holds(container, buyer)) == cap

    # When they ask for one more, however small
    refused = await buy(client, buyer, stage.show_id, pid)

    # Then it is refused until one ends: Retry-After says when the first does (the claim's)
    body = assert_problem(refused, 429, "too_many_open_holds")
    assert body["open_holds"] == cap
    hold_s = container.settings.default_hold_s
    assert refused.headers["retry-after"] == "30"  # the claim's hold of 60 s began 30 s ago
    assert len(await open_holds(container, buyer)) == cap
    assert (await allowance(client, buyer, pid))["open_holds"] == cap
    # Paying for one frees a place at once
    assert (await pay(client, buyer, first.json()["order_id"])).status_code == 200
    assert (await buy(client, buyer, stage.show_id, pid)).status_code == 201
    assert_problem(await buy(client, buyer, stage.show_id, pid), 429, "too_many_open_holds")
    # and so does a hold that ends unpaid
    clock.advance(hold_s)
    assert (await buy(client, buyer, stage.show_id, pid)).status_code == 201


async def test_a_retried_purchase_gets_its_hold_even_at_the_cap(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    [buyer] = await make_buyers(container, 1)
    pid = stage.product.id
    answers = [
        await buy(client, buyer, stage.show_id, pid, key=f"k{i}")
        for i in range(5)  # as many as one buyer may have open (the default)
    ]
    again = await buy(client, buyer, stage.show_id, pid, key="k0")
    assert again.status_code == 201, again.text
    assert again.json() == answers[0].json()


async def test_a_burst_of_purchases_by_one_buyer_admits_within_both_limits(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    """Concurrent purchases by one buyer are decided in one batch, or one after another under
    the buyer's lock: never past either limit."""
    other = await make_product(container, stage.shop_id, title="Pearl ring")
    show_id = await make_show(container, stage.shop_id, stage.owner, [stage.product.id, other.id])
    hoarder, piler = await make_buyers(container, 2)

    units = await asyncio.gather(
        *(buy(client, hoarder, show_id, stage.product.id, 3) for _ in range(6))
    )
    holds = await asyncio.gather(
        *(buy(client, piler, show_id, (stage.product.id, other.id)[i % 2]) for i in range(8))
    )

    assert sorted(r.status_code for r in units) == [201] * 3 + [422] * 3
    assert await open_holds(container, hoarder) == [3, 3, 3]
    assert sorted(r.status_code for r in holds) == [201] * 5 + [429] * 3
    assert len(await open_holds(container, piler)) == 5
    async with container.db.read() as session:
        reserved = await session.scalar(
            select(func.sum(Order.quantity)).where(Order.status == OrderStatus.RESERVED)
        )
    assert reserved == 9 + 5


async def test_the_allowance_says_what_the_caller_may_still_take(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    [buyer] = await make_buyers(container, 1)
    pid = stage.product.id
    assert await allowance(client, buyer, pid) == {
        "per_buyer_limit": 10, "may_take": 10, "open_holds": 0, "max_open_holds": 5,
    }  # fmt: skip
    assert (await buy(client, buyer, stage.show_id, pid, 3)).status_code == 201
    assert await allowance(client, buyer, pid) == {
        "per_buyer_limit": 10, "may_take": 7, "open_holds": 1, "max_open_holds": 5,
    }  # fmt: skip
    url = f"/api/v1/products/{pid}/allowance"
    assert_problem(await client.get(url), 401, "not_authenticated")
    r = await client.get("/api/v1/products/nope/allowance", headers=buyer.headers)
    assert_problem(r, 404, "product_not_found")
