"""Plain purchases during a live show (a hold on the shelf), and reading orders."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select, update

from livebazaar.accounts import Role
from livebazaar.bootstrap import Container
from livebazaar.catalog import Variant
from livebazaar.checkout import Drop, Order
from livebazaar.kernel.clock import ManualClock
from tests.checkout.stage import Stage, claim, make_buyers, make_show, pool, start_drop
from tests.factories import grant, make_product
from tests.support import Account, Api, assert_problem


async def buy(
    client: httpx.AsyncClient, buyer: Account, show_id: str, **body: Any
) -> httpx.Response:
    return await client.post(f"/api/v1/shows/{show_id}/purchases", json=body, headers=buyer.headers)


async def raise_shelf_limit(client: httpx.AsyncClient, stage: Stage) -> None:
    """The shop lets one buyer take its whole shelf (test_shelf_limits.py tests the limit)."""
    r = await client.patch(
        f"/api/v1/shops/{stage.shop_id}", json={"shelf_per_buyer_limit": 10_000},
        headers=stage.owner.headers,
    )  # fmt: skip
    assert r.status_code == 200, r.text


async def test_a_purchase_holds_shelf_units_at_list_price(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    [buyer] = await make_buyers(container, 1)

    r = await buy(client, buyer, stage.show_id, product_id=stage.product.id, quantity=3)

    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["status"], body["drop_id"], body["quantity"]) == ("reserved", None, 3)
    assert body["total"]["amount_minor"] == 3 * stage.product.price_minor
    shelf = await pool(container, stage.product.shelf_pool_id)
    assert (shelf.quantity, shelf.reserved) == (100, 3)
    order = (await client.get(f"/api/v1/orders/{body['order_id']}", headers=buyer.headers)).json()
    assert order["variant_id"] == stage.product.variant_id
    assert order["unit_price"]["amount_minor"] == stage.product.price_minor
    hold_s = container.settings.default_hold_s
    clock.advance(hold_s)
    await raise_shelf_limit(client, stage)
    again = await buy(client, buyer, stage.show_id, product_id=stage.product.id, quantity=100)
    assert again.status_code == 201, again.text  # the due hold went back first


async def test_purchase_refusals(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    [buyer] = await make_buyers(container, 1)
    other = await make_product(container, stage.shop_id, title="Elsewhere")
    pid = stage.product.id
    r = await buy(client, buyer, stage.show_id, product_id=other.id, quantity=1)
    assert_problem(r, 422, "product_not_in_lineup")
    r = await buy(client, buyer, stage.show_id, product_id=pid, variant_id=other.variant_id)
    assert_problem(r, 404, "variant_not_found")
    await raise_shelf_limit(client, stage)
    assert_problem(
        await buy(client, buyer, stage.show_id, product_id=pid, quantity=101), 409, "sold_out"
    )
    assert_problem(await buy(client, buyer, "nope", product_id=pid), 404, "show_not_found")
    scheduled = await make_show(container, stage.shop_id, stage.owner, [pid], live=False)
    assert_problem(await buy(client, buyer, scheduled, product_id=pid), 409, "show_not_live")
    r = await buy(client, buyer, stage.show_id, product_id=pid, quantity=0)
    assert_problem(r, 422, "validation_failed")
    assert (await pool(container, stage.product.shelf_pool_id)).reserved == 0


async def test_a_retried_purchase_makes_one_hold(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    [buyer] = await make_buyers(container, 1)
    headers = {**buyer.headers, "Idempotency-Key": "buy-1"}
    url = f"/api/v1/shows/{stage.show_id}/purchases"
    body = {"product_id": stage.product.id, "quantity": 2}
    first = await client.post(url, json=body, headers=headers)
    again = await client.post(url, json=body, headers=headers)
    assert again.json() == first.json()
    assert (await pool(container, stage.product.shelf_pool_id)).reserved == 2
    changed = await client.post(url, json={**body, "quantity": 3}, headers=headers)
    assert_problem(changed, 422, "idempotency_key_reused")


async def test_orders_are_seen_by_their_buyer_and_the_shop_only(
    client: httpx.AsyncClient, api: Api, container: Container, stage: Stage
) -> None:
    drop = await start_drop(client, stage)
    buyer, stranger, host = await make_buyers(container, 3)
    await grant(container, stage.shop_id, host, Role.HOST)
    order_id = (await claim(client, buyer, drop["id"])).json()["order_id"]
    url = f"/api/v1/orders/{order_id}"

    for viewer in (buyer, stage.owner, host):
        r = await client.get(url, headers=viewer.headers)
        assert r.status_code == 200, r.text
        assert r.json()["id"] == order_id
    assert_problem(await client.get(url, headers=stranger.headers), 404, "order_not_found")
    assert_problem(
        await client.get("/api/v1/orders/nope", headers=buyer.headers), 404, "order_not_found"
    )
    assert_problem(await client.get(url), 401, "not_authenticated")

    mine = (await client.get("/api/v1/orders", headers=buyer.headers)).json()
    assert [o["id"] for o in mine] == [order_id]
    assert (await client.get("/api/v1/orders", headers=stranger.headers)).json() == []
    r = await client.get("/api/v1/orders?limit=0", headers=buyer.headers)
    assert_problem(r, 422, "validation_failed")


async def test_the_replay_stays_shoppable_after_the_show_ends(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    # Given a show that has ended
    [buyer] = await make_buyers(container, 1)
    r = await client.post(f"/api/v1/shows/{stage.show_id}/end", headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    # When a viewer of the replay buys a lineup product at list price
    r = await buy(client, buyer, stage.show_id, product_id=stage.product.id, quantity=2)
    # Then it is held like any purchase, while stock remains
    assert r.status_code == 201, r.text
    assert (await pool(container, stage.product.shelf_pool_id)).reserved == 2


async def test_nothing_priced_at_zero_is_sold(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    """A zero list or drop price is refused when set; rows from before that was checked are
    not sold either (the guard in do_purchase and do_claim)."""
    # Given a drop, then the variant's list price and the drop's price at zero, as old rows
    drop = await start_drop(client, stage, quantity=10)
    async with container.db.uow() as uow:
        await uow.session.execute(
            update(Variant).where(Variant.id == stage.product.variant_id).values(price_minor=0)
        )
        await uow.session.execute(update(Drop).where(Drop.id == drop["id"]).values(price_minor=0))
        await uow.commit()
    [buyer] = await make_buyers(container, 1)
    # When a buyer buys at the list price, or claims the drop
    r = await buy(client, buyer, stage.show_id, product_id=stage.product.id)
    assert_problem(r, 409, "not_for_sale")
    assert_problem(await claim(client, buyer, drop["id"]), 409, "not_for_sale")
    # Then nothing is held
    shelf = await pool(container, stage.product.shelf_pool_id)
    assert shelf.reserved == 0
    async with container.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Order)) == 0
