"""The seller dashboard pages: who may open them, and what a shop's owner sees there."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from livebazaar.accounts import Role
from livebazaar.bootstrap import Container
from livebazaar.live import show_topic
from tests.checkout.stage import claim, make_buyers, set_stage, start_drop
from tests.factories import grant, make_shop
from tests.support import Account, Api, sign_in_page

PASSWORD = "correct horse"
XSS = "<img src=x onerror=alert(1)>"


async def _sign_in(client: httpx.AsyncClient, account: Account) -> None:
    client.cookies.clear()
    r = await sign_in_page(client, account.email, PASSWORD)
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
        ({"title": "Pearls", "price": "0", "stock": "50"}, "above zero"),
        ({"title": "Pearls", "price": "0,00", "stock": "50"}, "above zero"),
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
    # A show in 2020: refused with the reason, nothing scheduled, the seller's input kept
    form = {"title": "Too late", "scheduled_at": "2020-01-01T10:00", "time_zone": "UTC"}
    r = await client.post(f"{base}/shows", data=form, headers=headers)
    assert r.status_code == 422
    assert "A show cannot be scheduled in the past" in r.text
    assert 'value="Too late"' in r.text
    shows = (await client.get("/api/v1/shows?status=scheduled")).json()
    assert [s["title"] for s in shows if s["title"] == "Too late"] == []


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


# Editing what the shop has: its details, producers and products, in place.


async def _catalog(client: httpx.AsyncClient, shop_id: str) -> dict[str, Any]:
    """Everything the edit forms can change, as the JSON API shows it."""
    return {
        "shop": (await client.get(f"/api/v1/shops/{shop_id}")).json(),
        "producers": (await client.get(f"/api/v1/shops/{shop_id}/producers")).json(),
        "products": (await client.get(f"/api/v1/shops/{shop_id}/products")).json(),
    }


async def _producer_ids(client: httpx.AsyncClient, shop_id: str) -> list[str]:
    producers = (await client.get(f"/api/v1/shops/{shop_id}/producers")).json()
    return [p["id"] for p in sorted(producers, key=lambda p: p["name"])]


def _product_form(producers: list[str], **fields: str) -> dict[str, str]:
    """The product edit form as the browser posts it: every field, the shares 50/50."""
    form = {"title": "Freshwater pearl necklace", "description": "Hand-sorted 7-8 mm pearls.",
            "place": "Xinchangle", "origin_region": "Zhuji, Zhejiang", "origin_country": "CN",
            "steps": "Pond\nHarvest", **{f"share.{p}": "50" for p in producers}}  # fmt: skip
    return form | fields


async def test_edit_forms_come_pre_filled_in_place_of_the_item(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a shop whose producer's story is HTML, and the owner on its dashboard
    stage = await set_stage(api)
    farmer_1, farmer_2 = await _producer_ids(client, stage.shop_id)
    r = await client.patch(f"/api/v1/producers/{farmer_1}", json={"bio": XSS, "village": "Maraba"},
                           headers=stage.owner.headers)  # fmt: skip
    assert r.status_code == 200, r.text
    await _sign_in(client, stage.owner)
    base = f"/sell/shops/{stage.shop_id}"
    page = await client.get(base)
    assert f'hx-get="{base}/products/{stage.product.id}/edit"' in page.text
    assert f'hx-get="{base}/producers/{farmer_1}/edit"' in page.text
    assert f'hx-get="{base}/details/edit"' in page.text
    htmx = {"HX-Request": "true"}
    # When htmx asks for the product's edit form
    r = await client.get(f"{base}/products/{stage.product.id}/edit", headers=htmx)
    # Then it comes alone, in the product's place, with its current values
    assert r.status_code == 200, r.text
    assert "<html" not in r.text
    assert r.text.lstrip().startswith(
        f'<li class="product editing" id="product-{stage.product.id}">'
    )
    assert 'value="Freshwater pearl necklace"' in r.text
    assert ">Hand-sorted 7-8 mm pearls.</textarea>" in r.text
    assert 'value="Zhuji, Zhejiang"' in r.text
    assert ">Pond\nHarvest\nSorting\nDrilling\nStringing</textarea>" in r.text
    assert f'name="share.{farmer_1}"' in r.text
    assert r.text.count('value="50"') == 2  # each farmer's share, in percent
    assert f'hx-post="{base}/products/{stage.product.id}"' in r.text
    assert 'name="csrf_token"' in r.text
    assert "HX-Request" in r.headers["Vary"]
    # And the producer's form has her story, escaped
    r = await client.get(f"{base}/producers/{farmer_1}/edit", headers=htmx)
    assert r.status_code == 200
    assert f">{html.escape(XSS)}</textarea>" in r.text
    assert XSS not in r.text
    assert 'value="Maraba"' in r.text
    # And the shop's form its name, country and limit per buyer
    r = await client.get(f"{base}/details/edit", headers=htmx)
    assert 'value="Xinchangle Pearl Cooperative"' in r.text
    assert 'value="CN"' in r.text
    assert 'name="shelf_per_buyer_limit" value="10"' in r.text
    # Cancel brings the item back, the focus on its Edit link
    r = await client.get(f"{base}/products/{stage.product.id}", headers=htmx)
    assert r.text.lstrip().startswith(f'<li class="product" id="product-{stage.product.id}">')
    assert "autofocus>" in r.text
    assert 'data-action="set-stock"' in r.text
    # Without JavaScript, the Edit link opens the whole page with that form open
    r = await client.get(f"{base}/producers/{farmer_2}/edit")
    assert r.status_code == 200
    assert "<html" in r.text
    assert f'<li class="producer editing" id="producer-{farmer_2}">' in r.text
    assert 'data-action="add-product"' in r.text  # the rest of the page is there
    r = await client.get(f"{base}/producers/{farmer_2}")
    assert r.status_code == 303
    assert r.headers["location"] == f"{base}#producer-{farmer_2}"
    # An unknown item is a 404
    r = await client.get(f"{base}/products/no-such-product/edit", headers=htmx)
    assert r.status_code == 404
    assert "no longer in this shop" in r.text


async def test_saved_edits_persist_and_show_through_the_api(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given the owner on the dashboard of a shop with a product shared 50/50 by two farmers
    stage = await set_stage(api)
    farmer_1, farmer_2 = await _producer_ids(client, stage.shop_id)
    await _sign_in(client, stage.owner)
    headers = await _csrf(client, stage.shop_id)
    base = f"/sell/shops/{stage.shop_id}"
    # When they save the product with a new title, origin and a 62.5/37.5 split
    form = _product_form([], title="Baroque pearl necklace", description="Rare shapes.",
                         place="Shanxiahu", origin_country="cn", steps=" Pond \n\nHarvest\n",
                         reference_amount="95.5", reference_unit=" strand ",
                         **{f"share.{farmer_1}": "62,5", f"share.{farmer_2}": "37.5"})  # fmt: skip
    r = await client.post(f"{base}/products/{stage.product.id}", data=form, headers=headers)
    # Then the products section comes back with it (and the shows, which list it, out of band)
    assert r.status_code == 200, r.text
    assert "Product saved: Baroque pearl necklace." in r.text
    assert f'<li class="product" id="product-{stage.product.id}">' in r.text
    assert 'id="shows-body"' in r.text
    [product] = (await _catalog(client, stage.shop_id))["products"]
    assert product["title"] == "Baroque pearl necklace"
    assert product["description"] == "Rare shapes."
    assert product["origin"] == {"place": "Shanxiahu", "region": "Zhuji, Zhejiang",
                                 "country": "CN", "steps": ["Pond", "Harvest"]}  # fmt: skip
    shares = {s["producer_id"]: s["bps"] for s in product["producers"]}
    assert shares == {farmer_1: 6250, farmer_2: 3750}
    assert product["reference_price"] == {"amount_minor": 9550, "currency": "CNY",
                                          "display": "95.50 CNY", "unit": "strand"}  # fmt: skip
    # When they give Farmer 1 a name and a story
    story = {
        "name": "Chen Jing",
        "village": "Shanxiahu",
        "region": "Zhuji",
        "bio": "Third generation.",
    }
    r = await client.post(f"{base}/producers/{farmer_1}", data=story, headers=headers)
    # Then the producers come back, and the products (whose shares name her) out of band
    assert r.status_code == 200, r.text
    assert "Producer saved: Chen Jing." in r.text
    assert 'id="products-body"' in r.text
    assert "Chen Jing 62.5 %" in r.text
    producers = {p["id"]: p for p in (await _catalog(client, stage.shop_id))["producers"]}
    assert {k: producers[farmer_1][k] for k in story} == story
    # When they rename the shop and move it
    shop = {"name": "Zhuji Pearl Farmers", "country": "cn", "description": "Since 1985.",
            "shelf_per_buyer_limit": " 4 "}  # fmt: skip
    r = await client.post(f"{base}/details", data=shop, headers=headers)
    # Then the page's heading changes too (out of band), and the shop says its new limit
    assert r.status_code == 200, r.text
    assert "Shop saved: Zhuji Pearl Farmers." in r.text
    assert '<div class="shop-head" id="shop-head" hx-swap-oob="true">' in r.text
    assert "<dd>4 units of each product</dd>" in r.text
    saved = (await _catalog(client, stage.shop_id))["shop"]
    assert (saved["name"], saved["country"], saved["description"]) == (
        "Zhuji Pearl Farmers", "CN", "Since 1985.",
    )  # fmt: skip
    assert saved["shelf_per_buyer_limit"] == 4
    assert saved["currency"] == "CNY"
    # And emptying every share removes the split
    r = await client.post(f"{base}/products/{stage.product.id}",
                          data=_product_form([]), headers=headers)  # fmt: skip
    assert r.status_code == 200, r.text
    emptied = (await _catalog(client, stage.shop_id))["products"][0]
    assert emptied["producers"] == []
    assert emptied["reference_price"] is None


async def test_the_edit_form_changes_each_variants_price(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a necklace in two sizes, at 199.00 and 259.00 CNY, and the owner on the dashboard
    stage = await set_stage(api)
    body = {"title": "Pearl studs", "variants": [
        {"sku": "S-7", "name": "7 mm", "price": {"amount_minor": 19900, "currency": "CNY"}},
        {"sku": "S-8", "name": "8 mm", "price": {"amount_minor": 25900, "currency": "CNY"}},
    ]}  # fmt: skip
    r = await client.post(f"/api/v1/shops/{stage.shop_id}/products", json=body,
                          headers=stage.owner.headers)  # fmt: skip
    assert r.status_code == 201, r.text
    product_id, [small, large] = r.json()["id"], [v["id"] for v in r.json()["variants"]]
    show = {"shop_id": stage.shop_id, "title": "Studs", "lineup": [product_id],
            "scheduled_at": "2031-05-01T18:00:00Z"}  # fmt: skip
    r = await client.post("/api/v1/shows", json=show, headers=stage.owner.headers)
    assert r.status_code == 201, r.text
    show_id = r.json()["id"]
    await _sign_in(client, stage.owner)
    headers = await _csrf(client, stage.shop_id)
    path = f"/sell/shops/{stage.shop_id}/products/{product_id}"
    # When they open its edit form
    r = await client.get(f"{path}/edit", headers={"HX-Request": "true"})
    # Then each size has its price field, in yuan, labelled with its name
    assert r.status_code == 200, r.text
    key = f"product-{product_id}"
    assert f'<label for="{key}-price-{small}">7 mm</label>' in r.text
    assert re.search(rf'name="price\.{small}"[^>]*value="199\.00"', r.text)
    assert re.search(rf'name="price\.{large}"[^>]*value="259\.00"', r.text)
    # When they save it with the small size at "1 234,5" yuan and the large one as it was
    form = _product_form([], title="Pearl studs", **{f"price.{small}": "1 234,5",
                                                      f"price.{large}": "259"})  # fmt: skip
    r = await client.post(path, data=form, headers=headers)
    # Then the products section shows the new price, and the API gives it exactly
    assert r.status_code == 200, r.text
    assert "Product saved: Pearl studs." in r.text
    assert "1,234.50\u00a0CNY" in r.text
    r = await client.get(f"/api/v1/products/{product_id}")
    prices = [(v["id"], v["price"]["amount_minor"]) for v in r.json()["variants"]]
    assert prices == [(small, 123450), (large, 25900)]
    # and the show selling it heard the one price that changed
    told = await api.container.broker.replay(show_topic(show_id), 0)
    assert told is not None
    assert [json.loads(m.body)["data"]["variant_id"] for m in told] == [small]


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("product", {"title": "  "}, "Fill in the required fields."),
        ("product", {"origin_country": "XX"}, "Type the country as two letters"),
        ("product", {"share.A": "60", "share.B": "30"}, "must add up to 100 % (now 90 %)"),
        ("product", {"share.A": "half"}, "Type each share in percent"),
        ("product", {"share.A": "50.001"}, "Type each share in percent"),
        ("product", {"price.V": "12.345"}, "Type the price of Standard in CNY, above zero"),
        ("product", {"price.V": "0,00"}, "Type the price of Standard in CNY, above zero"),
        ("product", {"price.V": ""}, "Type the price of Standard in CNY, above zero"),
        # a good new price waits for the shares, which are refused: it is not saved either
        ("product", {"price.V": "300", "share.A": "60", "share.B": "30"}, "(now 90 %)"),
        ("product", {"title": "x" * 201}, "Check the form"),
        ("product", {"reference_amount": "12", "reference_unit": ""}, "Say per what"),
        ("product", {"reference_amount": "-1", "reference_unit": "bag"}, "above zero"),
        ("product", {"reference_unit": "bag"}, "what a middleman paid in CNY"),
        ("producer", {"name": ""}, "Fill in the required fields."),
        ("producer", {"village": "v" * 121}, "Check the form"),
        ("shop", {"country": "ZZ"}, "Type the country as two letters"),
        ("shop", {"name": ""}, "Fill in the required fields."),
        ("shop", {"shelf_per_buyer_limit": "0"}, "Type a whole number of units from 1 to 10000."),
        ("shop", {"shelf_per_buyer_limit": "ten"}, "Type a whole number of units from 1 to"),
        ("shop", {"shelf_per_buyer_limit": "10001"}, "Type a whole number of units from 1 to"),
        ("shop", {"shelf_per_buyer_limit": "2.5"}, "Type a whole number of units from 1 to"),
    ],
)
async def test_a_refused_edit_comes_back_with_its_error_and_changes_nothing(
    client: httpx.AsyncClient, api: Api, kind: str, fields: dict[str, str], message: str
) -> None:
    # Given the owner on the dashboard
    stage = await set_stage(api)
    farmer_1, farmer_2 = await _producer_ids(client, stage.shop_id)
    await _sign_in(client, stage.owner)
    headers = await _csrf(client, stage.shop_id)
    base = f"/sell/shops/{stage.shop_id}"
    names = {"share.A": f"share.{farmer_1}", "share.B": f"share.{farmer_2}",
             "price.V": f"price.{stage.product.variant_id}"}  # fmt: skip
    fields = {names.get(k, k): v for k, v in fields.items()}
    path, form, key = {
        "product": (f"{base}/products/{stage.product.id}",
                    _product_form([farmer_1, farmer_2], description="New story", **fields),
                    f"product-{stage.product.id}"),
        "producer": (f"{base}/producers/{farmer_1}",
                     {"name": "Renamed", "village": "", "region": "", "bio": "New story"} | fields,
                     f"producer-{farmer_1}"),
        "shop": (f"{base}/details", {"name": "Renamed", "country": "CN", "description": "New story"}
                 | fields, "shop-details"),
    }[kind]  # fmt: skip
    before = await _catalog(client, stage.shop_id)
    # When they save the form with one bad field
    r = await client.post(path, data=form, headers=headers)
    # Then it comes back open, with the error inside it and their input, and nothing changed
    assert r.status_code == 422, r.text
    assert message in r.text
    assert "form-error" in r.text
    assert 'class="result bad visually-hidden"' in r.text  # only announced up there
    assert 'class="form edit-form"' in r.text
    for value in [*fields.values(), "New story"]:
        assert html.escape(value) in r.text
    assert f'id="{key}"' in r.text
    assert await _catalog(client, stage.shop_id) == before


async def test_edits_without_javascript_post_plain_forms(
    client: httpx.AsyncClient, api: Api
) -> None:
    stage = await set_stage(api)
    await _sign_in(client, stage.owner)
    page = await client.get(f"/sell/shops/{stage.shop_id}/details/edit")
    token = CSRF_META.search(page.text)
    assert token
    assert f'<input type="hidden" name="csrf_token" value="{token[1]}">' in page.text
    base = f"/sell/shops/{stage.shop_id}"
    form = {"csrf_token": token[1], "name": "Zhuji Pearls", "country": "CN", "description": ""}
    # Saved: back to the page, at the shop
    r = await client.post(f"{base}/details", data=form)
    assert r.status_code == 303
    assert r.headers["location"] == f"{base}#shop-details"
    assert (await _catalog(client, stage.shop_id))["shop"]["name"] == "Zhuji Pearls"
    # Refused: the whole page, the form open with the error and the input
    r = await client.post(f"{base}/details", data=form | {"country": "Kenya"})
    assert r.status_code == 422
    assert "<html" in r.text
    assert 'value="Kenya"' in r.text
    assert "Type the country as two letters" in r.text
    # The add forms post the same way
    r = await client.post(f"{base}/producers", data={"csrf_token": token[1], "name": "Wang"})
    assert r.status_code == 303
    assert r.headers["location"] == f"{base}#producers"


async def test_edits_are_only_for_the_shops_editors(client: httpx.AsyncClient, api: Api) -> None:
    # Given a shop, and a seller with a shop of her own
    stage = await set_stage(api)
    farmer_1, _ = await _producer_ids(client, stage.shop_id)
    rival = await api.account("Rival")
    rival_shop = await make_shop(api.container, rival, name="Rival pearls")
    before = await _catalog(client, stage.shop_id)
    await _sign_in(client, rival)
    headers = await _csrf(client, rival_shop)
    victim = f"/sell/shops/{stage.shop_id}"
    # Her edit forms for the other shop are refused
    r = await client.get(f"{victim}/products/{stage.product.id}/edit", headers=headers)
    assert r.status_code == 403
    assert "Freshwater" not in r.text
    # And so are her posts, through the other shop's address or her own
    posts = [
        (f"{victim}/products/{stage.product.id}", {"title": "Stolen"}, 403),
        (f"{victim}/producers/{farmer_1}", {"name": "Stolen"}, 403),
        (f"{victim}/details", {"name": "Stolen", "country": "CN"}, 403),
        (f"/sell/shops/{rival_shop}/products/{stage.product.id}", {"title": "Stolen"}, 404),
        (f"/sell/shops/{rival_shop}/producers/{farmer_1}", {"name": "Stolen"}, 404),
    ]
    for path, form, code in posts:
        r = await client.post(path, data=form, headers=headers)
        assert r.status_code == code, (path, r.text)
        assert "Stolen" not in r.text or code == 404, path
    assert await _catalog(client, stage.shop_id) == before
    # A producer member sees no Edit link, gets the item without a form, and cannot save
    member = await api.account("Amahoro")
    await grant(api.container, stage.shop_id, member, Role.PRODUCER)
    await _sign_in(client, member)
    headers = await _csrf(client, stage.shop_id)
    page = await client.get(victim)
    assert "/edit" not in page.text
    r = await client.get(f"{victim}/products/{stage.product.id}/edit", headers=headers)
    assert r.status_code == 200
    assert "edit-form" not in r.text
    r = await client.post(f"{victim}/products/{stage.product.id}", data={"title": "Stolen"},
                          headers=headers)  # fmt: skip
    assert r.status_code == 403
    assert await _catalog(client, stage.shop_id) == before
