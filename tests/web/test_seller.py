"""The seller dashboard pages: who may open them, and what a shop's owner sees there."""

from __future__ import annotations

import html
from datetime import timedelta

import httpx

from livebazaar.accounts import Role
from livebazaar.bootstrap import Container
from tests.checkout.stage import claim, make_buyers, set_stage, start_drop
from tests.factories import grant
from tests.support import Account, Api

PASSWORD = "correct horse"
XSS = "<img src=x onerror=alert(1)>"


async def _sign_in(client: httpx.AsyncClient, account: Account) -> None:
    client.cookies.clear()
    r = await client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert r.status_code == 303, r.text


async def _paid_order(client: httpx.AsyncClient, container: Container, stage: object) -> str:
    drop = await start_drop(client, stage)  # type: ignore[arg-type]
    [buyer] = await make_buyers(container, 1)
    order_id: str = (await claim(client, buyer, drop["id"])).json()["order_id"]
    address = {"name": "Uwase", "line1": "KN 5 Rd", "city": "Huye", "country": "RW"}
    r = await client.post("/api/v1/me/addresses", json=address, headers=buyer.headers)
    r = await client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"provider": "test", "card_number": "4242424242424242", "address_id": r.json()["id"]},
        headers=buyer.headers,
    )
    assert r.status_code == 200, r.text
    return order_id


async def test_anonymous_visitors_are_sent_to_sign_in(client: httpx.AsyncClient, api: Api) -> None:
    stage = await set_stage(api)
    for path in (
        "/sell",
        f"/sell/shops/{stage.shop_id}",
        f"/sell/shops/{stage.shop_id}/sections/products",
    ):
        r = await client.get(path)
        assert r.status_code == 303, path
        assert r.headers["location"] == f"/login?next={path}"


async def test_people_outside_the_shop_get_a_403_page(client: httpx.AsyncClient, api: Api) -> None:
    # Given a shop and a buyer with no role in it
    stage = await set_stage(api)
    buyer = await api.account("Lucia")
    await _sign_in(client, buyer)
    # When they open its dashboard, or one of its sections
    for path in (f"/sell/shops/{stage.shop_id}", f"/sell/shops/{stage.shop_id}/sections/orders"):
        r = await client.get(path)
        # Then they get a friendly page, not the shop's data
        assert r.status_code == 403, path
        assert "Not your shop" in r.text
        assert stage.product.id not in r.text
    # And an unknown shop is a 404
    assert (await client.get("/sell/shops/no-such-shop")).status_code == 404


async def test_a_user_without_a_shop_is_offered_to_create_one(
    client: httpx.AsyncClient, api: Api
) -> None:
    await _sign_in(client, await api.account("Aline"))
    r = await client.get("/sell")
    assert r.status_code == 200
    assert "Create your shop" in r.text
    assert 'data-action="create-shop"' in r.text
    assert '<script type="module" src="/static/seller.js">' in r.text


async def test_the_owner_sees_every_section_with_the_shops_data(
    client: httpx.AsyncClient, api: Api, container: Container
) -> None:
    # Given a shop with a producer whose bio is HTML, a product, a live show, an upcoming show
    # and a paid order shipped to Huye
    stage = await set_stage(api)
    owner = stage.owner.headers
    r = await client.post(
        f"/api/v1/shops/{stage.shop_id}/producers",
        json={"name": "Mukamana", "village": "Maraba", "region": "Huye", "bio": XSS},
        headers=owner,
    )
    assert r.status_code == 201, r.text
    when = (container.clock.now() + timedelta(days=2)).isoformat()
    body = {"shop_id": stage.shop_id, "title": "Harvest Sunday", "scheduled_at": when,
            "lineup": [stage.product.id]}  # fmt: skip
    r = await client.post("/api/v1/shows", json=body, headers=owner)
    assert r.status_code == 201, r.text
    upcoming_id = r.json()["id"]
    await _paid_order(client, container, stage)
    # When the owner opens /sell, then the shop's dashboard
    await _sign_in(client, stage.owner)
    index = await client.get("/sell")
    assert f'href="/sell/shops/{stage.shop_id}"' in index.text
    page = await client.get(f"/sell/shops/{stage.shop_id}")
    # Then every section is there, with the shop's data
    assert page.status_code == 200
    text = page.text
    for section in ("producers", "products", "shows", "orders"):
        assert f'id="{section}"' in text
        assert f'href="#{section}"' in text
    assert "Mukamana" in text
    assert "Maraba" in text
    assert html.escape(XSS) in text
    assert XSS not in text
    assert stage.product.id in text
    assert 'capture="environment"' in text
    assert 'data-action="set-stock"' in text
    assert f'href="/studio/shows/{stage.show_id}"' in text  # the live show
    assert f'href="/studio/shows/{upcoming_id}"' in text
    assert "Harvest Sunday" in text
    assert f'data-show-id="{upcoming_id}"' in text  # its lineup form
    assert "Huye, RW" in text  # the order's ship-to
    assert f'href="/api/v1/shops/{stage.shop_id}/orders.csv"' in text
    # And the CSV link works with the page's cookie
    csv = await client.get(f"/api/v1/shops/{stage.shop_id}/orders.csv")
    assert csv.status_code == 200
    assert "Huye" in csv.text


async def test_sections_come_alone_and_orders_filter_by_status(
    client: httpx.AsyncClient, api: Api, container: Container
) -> None:
    stage = await set_stage(api)
    await _paid_order(client, container, stage)
    await _sign_in(client, stage.owner)
    base = f"/sell/shops/{stage.shop_id}/sections"
    orders = await client.get(f"{base}/orders")
    assert orders.status_code == 200
    assert "<html" not in orders.text
    assert "Huye, RW" in orders.text
    expired = await client.get(f"{base}/orders?status=expired")
    assert "Huye, RW" not in expired.text
    assert "No order with this status" in expired.text
    assert (await client.get(f"{base}/orders?status=bogus")).status_code == 200
    assert (await client.get(f"{base}/nonsense")).status_code == 422


async def test_a_producer_member_sees_the_shop_read_only(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a producer of the shop (a member, neither owner nor host)
    stage = await set_stage(api)
    producer = await api.account("Amahoro")
    await grant(api.container, stage.shop_id, producer, Role.PRODUCER)
    await _sign_in(client, producer)
    # When they open the dashboard
    page = await client.get(f"/sell/shops/{stage.shop_id}")
    # Then they see the products, but no forms to change them, and no orders
    assert page.status_code == 200
    assert stage.product.id in page.text
    assert 'data-action="add-product"' not in page.text
    assert 'data-action="schedule-show"' not in page.text
    assert "orders.csv" not in page.text
    assert "owners and hosts see its orders" in page.text
