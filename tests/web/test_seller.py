"""The seller dashboard pages: who may open them, and what a shop's owner sees there."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

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
    assert '<script src="/static/vendor/htmx.min.js">' in r.text
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


# The dashboard's htmx forms: plain form posts answered with the re-rendered section.

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


async def _csrf(client: httpx.AsyncClient, shop_id: str) -> dict[str, str]:
    page = await client.get(f"/sell/shops/{shop_id}")
    match = CSRF_META.search(page.text)
    assert match, page.text[:300]
    return {"X-CSRF-Token": match[1], "HX-Request": "true"}


async def _products(client: httpx.AsyncClient, shop_id: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/shops/{shop_id}/products")
    return {p["title"]: p for p in r.json()}


async def test_the_owner_adds_a_product_with_an_exact_price(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given the owner on the dashboard of a CNY shop with a producer
    stage = await set_stage(api)
    r = await client.post(
        f"/api/v1/shops/{stage.shop_id}/producers", json={"name": "Mukamana"},
        headers=stage.owner.headers,
    )  # fmt: skip
    producer_id = r.json()["id"]
    await _sign_in(client, stage.owner)
    headers = await _csrf(client, stage.shop_id)
    # When they post the add-product form with "1 234,5" yuan and all the revenue to her
    form = {"title": "Baroque pearls", "description": "", "price": "1 234,5", "stock": "40",
            f"share.{producer_id}": "100.00"}  # fmt: skip
    r = await client.post(f"/sell/shops/{stage.shop_id}/products", data=form, headers=headers)
    # Then the products section comes back with it, and the shows section out of band
    assert r.status_code == 200, r.text
    assert "<html" not in r.text
    assert "Baroque pearls" in r.text
    assert "Product added: Baroque pearls." in r.text
    assert 'id="shows-body"' in r.text
    assert 'hx-swap-oob="true"' in r.text
    product = (await _products(client, stage.shop_id))["Baroque pearls"]
    assert product["variants"][0]["price"]["amount_minor"] == 123450
    assert product["variants"][0]["available"] == 40
    assert [s["bps"] for s in product["producers"]] == [10_000]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"title": "Pearls", "price": "12.505", "stock": "1"}, "at most 2 decimals"),
        ({"title": "Pearls", "price": "twelve", "stock": "1"}, "at most 2 decimals"),
        ({"title": "   ", "price": "12.50", "stock": "1"}, "Fill in the required fields."),
        ({"title": "Pearls", "price": "12.50", "stock": "-3"}, "whole number of units"),
    ],
)
async def test_a_bad_product_form_comes_back_with_its_error_and_input(
    client: httpx.AsyncClient, api: Api, form: dict[str, str], message: str
) -> None:
    stage = await set_stage(api)
    await _sign_in(client, stage.owner)
    headers = await _csrf(client, stage.shop_id)
    before = await _products(client, stage.shop_id)
    r = await client.post(f"/sell/shops/{stage.shop_id}/products", data=form, headers=headers)
    assert r.status_code == 422
    assert message in r.text
    assert 'class="result bad"' in r.text
    assert f'value="{html.escape(form["price"])}"' in r.text  # the seller's input is kept
    assert '<details class="add" id="add-product" open>' in r.text
    assert await _products(client, stage.shop_id) == before


async def test_producers_stock_shows_and_lineups_by_form(
    client: httpx.AsyncClient, api: Api, container: Container
) -> None:
    stage = await set_stage(api)
    await _sign_in(client, stage.owner)
    headers = await _csrf(client, stage.shop_id)
    base = f"/sell/shops/{stage.shop_id}"
    # A producer: the producers section, and the products (its share field) out of band
    r = await client.post(f"{base}/producers", data={"name": XSS, "village": "Maraba"},
                          headers=headers)  # fmt: skip
    assert r.status_code == 200, r.text
    assert html.escape(XSS) in r.text
    assert XSS not in r.text
    assert 'id="products-body"' in r.text
    # The stock of the product's variant
    variant = stage.product.variant_id
    r = await client.post(f"{base}/variants/{variant}/stock", data={"quantity": "7"},
                          headers=headers)  # fmt: skip
    assert r.status_code == 200, r.text
    assert "Stock set to 7." in r.text
    [product] = (await _products(client, stage.shop_id)).values()
    assert product["variants"][0]["available"] == 7
    bad = await client.post(f"{base}/variants/{variant}/stock", data={"quantity": "many"},
                            headers=headers)  # fmt: skip
    assert bad.status_code == 422
    assert 'value="many"' in bad.text
    # A show at 18:30 in Kigali (UTC+2), with the product in its lineup
    year = container.clock.now().year + 2
    form = {"title": "Harvest Sunday", "scheduled_at": f"{year}-05-01T18:30",
            "time_zone": "Africa/Kigali", "lineup": [stage.product.id]}  # fmt: skip
    r = await client.post(f"{base}/shows", data=form, headers=headers)
    assert r.status_code == 200, r.text
    assert "Show scheduled: Harvest Sunday." in r.text
    shows = (await client.get("/api/v1/shows?status=scheduled")).json()
    [show] = [s for s in shows if s["title"] == "Harvest Sunday"]
    assert datetime.fromisoformat(show["scheduled_at"]) == datetime(year, 5, 1, 16, 30, tzinfo=UTC)
    # Its lineup, emptied
    r = await client.post(f"{base}/shows/{show['id']}/lineup", data={}, headers=headers)
    assert r.status_code == 200, r.text
    assert "Lineup saved: 0 products." in r.text
    # A show without a date: refused, its title kept
    r = await client.post(f"{base}/shows", data={"title": "No date"}, headers=headers)
    assert r.status_code == 422
    assert "Choose the date and time of the show" in r.text
    assert 'value="No date"' in r.text


async def test_outsiders_and_forged_posts_change_nothing(
    client: httpx.AsyncClient, api: Api
) -> None:
    stage = await set_stage(api)
    form = {"title": "Stolen pearls", "price": "1", "stock": "1"}
    path = f"/sell/shops/{stage.shop_id}/products"
    # A signed-in buyer with no role in the shop
    await _sign_in(client, await api.account("Lucia"))
    page = await client.get("/sell")
    token = CSRF_META.search(page.text)
    assert token
    r = await client.post(path, data=form, headers={"X-CSRF-Token": token[1]})
    assert r.status_code == 403
    assert "Stolen pearls" not in r.text
    # The owner's cookie without the CSRF token
    await _sign_in(client, stage.owner)
    r = await client.post(path, data=form)
    assert r.status_code == 403
    assert "Stolen pearls" not in await _products(client, stage.shop_id)
    # Signed out: htmx is sent to the sign-in page
    client.cookies.clear()
    r = await client.post(path, data=form)
    assert r.status_code == 401
    assert r.headers["HX-Redirect"] == f"/login?next=/sell/shops/{stage.shop_id}"
    assert "Stolen pearls" not in await _products(client, stage.shop_id)


async def test_the_orders_filter_replaces_the_page_url(client: httpx.AsyncClient, api: Api) -> None:
    stage = await set_stage(api)
    await _sign_in(client, stage.owner)
    r = await client.get(
        f"/sell/shops/{stage.shop_id}/sections/orders",
        params={"status": "paid"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200
    assert r.headers["HX-Replace-Url"] == f"/sell/shops/{stage.shop_id}?status=paid#orders"
    assert 'hx-get="/sell/shops/' in r.text
