from __future__ import annotations

import httpx

from livebazaar.bootstrap import Container
from livebazaar.inventory import confirm_sale, get_shelf, try_hold
from tests.factories import make_product, make_shop
from tests.support import Account, Api, assert_problem


async def _producer(client: httpx.AsyncClient, owner: Account, shop_id: str, name: str) -> str:
    r = await client.post(
        f"/api/v1/shops/{shop_id}/producers", json={"name": name}, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    producer_id: str = r.json()["id"]
    return producer_id


async def _hold_and_sell(c: Container, variant_id: str, held: int, sold: int) -> None:
    """Given: a buyer holds `held` units and `sold` more were sold (as checkout would do)."""
    async with c.db.uow() as uow:
        pool = await get_shelf(uow.session, variant_id)
        assert pool is not None
        assert await try_hold(uow.session, pool.id, held + sold)
        await confirm_sale(uow.session, pool.id, sold)
        await uow.commit()


async def test_shares_are_replaced_and_must_sum_to_100_percent(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a product of a cooperative with three farmers
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    product = await make_product(api.container, shop_id, producers=1)
    a, b, c = [await _producer(client, owner, shop_id, n) for n in ("Ana", "Bo", "Cy")]
    url = f"/api/v1/products/{product.id}/revenue-shares"
    # When the owner sets a three-way split
    split = [{"producer_id": a, "bps": 5000}, {"producer_id": b, "bps": 3000},
             {"producer_id": c, "bps": 2000}]  # fmt: skip
    r = await client.put(url, json=split, headers=owner.headers)
    # Then the product shows it, largest share first
    assert r.status_code == 200, r.text
    assert [(p["name"], p["bps"]) for p in r.json()["producers"]] == [
        ("Ana", 5000),
        ("Bo", 3000),
        ("Cy", 2000),
    ]
    # And replacing it with a two-way split drops the third farmer
    r = await client.put(
        url, json=[{"producer_id": c, "bps": 9000}, {"producer_id": a, "bps": 1000}],
        headers=owner.headers,
    )  # fmt: skip
    assert [(p["name"], p["bps"]) for p in r.json()["producers"]] == [("Cy", 9000), ("Ana", 1000)]
    # And an empty list removes the split
    r = await client.put(url, json=[], headers=owner.headers)
    assert r.json()["producers"] == []


async def test_bad_shares_are_refused_and_change_nothing(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a product whose revenue goes to two farmers, and a farmer of another shop
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    product = await make_product(api.container, shop_id, producers=2)
    other_shop = await make_shop(api.container, owner, name="Elsewhere")
    outsider = await _producer(client, owner, other_shop, "Outsider")
    mine = await _producer(client, owner, shop_id, "Mine")
    before = (await client.get(f"/api/v1/products/{product.id}")).json()
    url = f"/api/v1/products/{product.id}/revenue-shares"
    cases = [
        ([{"producer_id": mine, "bps": 9999}], "shares_must_sum_to_10000"),
        ([{"producer_id": mine, "bps": 6000}, {"producer_id": mine, "bps": 4000}],
         "duplicate_producer"),
        ([{"producer_id": mine, "bps": 5000}, {"producer_id": outsider, "bps": 5000}],
         "unknown_producer"),
        ([{"producer_id": "no-such-producer", "bps": 10000}], "unknown_producer"),
    ]  # fmt: skip
    # When each is tried, then each is refused with its code
    for shares, code in cases:
        assert_problem(await client.put(url, json=shares, headers=owner.headers), 422, code)
    for bps in (0, 10001):
        r = await client.put(url, json=[{"producer_id": mine, "bps": bps}], headers=owner.headers)
        assert_problem(r, 422, "validation_failed")
    # And the product is as it was
    assert (await client.get(f"/api/v1/products/{product.id}")).json() == before


async def test_shares_given_at_creation_are_checked(client: httpx.AsyncClient, api: Api) -> None:
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    farmer = await _producer(client, owner, shop_id, "Ana")
    r = await client.post(
        f"/api/v1/shops/{shop_id}/products",
        json={
            "title": "Studs",
            "price": {"amount_minor": 100, "currency": "CNY"},
            "revenue_shares": [{"producer_id": farmer, "bps": 5000}],
        },
        headers=owner.headers,
    )
    body = assert_problem(r, 422, "shares_must_sum_to_10000")
    assert body["total"] == 5000
    assert (await client.get(f"/api/v1/shops/{shop_id}/products")).json() == []


async def test_set_stock_changes_what_is_available(client: httpx.AsyncClient, api: Api) -> None:
    # Given a variant with 100 units, 3 of them held and 2 sold
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    product = await make_product(api.container, shop_id, stock=100)
    await _hold_and_sell(api.container, product.variant_id, held=3, sold=2)
    url = f"/api/v1/variants/{product.variant_id}/stock"
    # When the owner recounts to 20
    r = await client.put(url, json={"quantity": 20}, headers=owner.headers)
    # Then 15 are available for sale
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["available"]) == (product.variant_id, 15)
    shown = (await client.get(f"/api/v1/products/{product.id}")).json()
    assert shown["variants"][0]["available"] == 15
    # And setting exactly held + sold leaves none available
    r = await client.put(url, json={"quantity": 5}, headers=owner.headers)
    assert r.json()["available"] == 0


async def test_stock_cannot_go_below_held_and_sold(client: httpx.AsyncClient, api: Api) -> None:
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    product = await make_product(api.container, shop_id, stock=10)
    await _hold_and_sell(api.container, product.variant_id, held=3, sold=2)
    url = f"/api/v1/variants/{product.variant_id}/stock"
    assert_problem(
        await client.put(url, json={"quantity": 4}, headers=owner.headers),
        409,
        "stock_below_committed",
    )
    for quantity in (-1, 10**10, "many"):
        r = await client.put(url, json={"quantity": quantity}, headers=owner.headers)
        assert_problem(r, 422, "validation_failed")
    shown = (await client.get(f"/api/v1/products/{product.id}")).json()
    assert shown["variants"][0]["available"] == 5
