"""Changing a variant's list price: who may, what is refused, and what keeps its old price."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from livebazaar.accounts import Actor, Role, TokenKind
from livebazaar.catalog import do_set_variant_price
from livebazaar.catalog.errors import PriceOutOfRange
from livebazaar.kernel.money import MAX_AMOUNT_MINOR, MAX_PRICE_MINOR
from livebazaar.payments.test_provider import CARD_APPROVE
from tests.checkout.stage import claim, make_buyers, set_stage, start_drop
from tests.factories import grant, make_product, make_shop
from tests.support import SHIP_TO, Api, assert_problem


async def _product(client: httpx.AsyncClient, product_id: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/products/{product_id}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_an_owner_changes_a_price_and_everyone_reads_it(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a shop's necklace at 199.00 CNY
    owner = await api.account("Ana")
    shop_id = await make_shop(api.container, owner)
    product = await make_product(api.container, shop_id, price_minor=19900)
    # When the owner sets it to 1,234.50 CNY
    r = await client.patch(
        f"/api/v1/variants/{product.variant_id}",
        json={"price_minor": 123450},
        headers=owner.headers,
    )
    # Then the answer is the variant at its new price, in the shop's currency
    assert r.status_code == 200, r.text
    variant = r.json()
    assert variant["id"] == product.variant_id
    assert variant["price"] == {
        "amount_minor": 123450,
        "currency": "CNY",
        "display": "1,234.50 CNY",
    }
    assert variant["available"] == 100
    # And anyone reading the product sees it
    [public] = (await _product(client, product.id))["variants"]
    assert public == variant


async def test_a_host_may_change_a_price(client: httpx.AsyncClient, api: Api) -> None:
    owner, host = await api.account("Ana"), await api.account("Bo")
    shop_id = await make_shop(api.container, owner)
    await grant(api.container, shop_id, host, Role.HOST)
    product = await make_product(api.container, shop_id)
    r = await client.patch(f"/api/v1/variants/{product.variant_id}", json={"price_minor": 1},
                           headers=host.headers)  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["price"]["amount_minor"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"price_minor": 0},
        {"price_minor": -100},
        {"price_minor": MAX_AMOUNT_MINOR + 1},
        {"price_minor": MAX_PRICE_MINOR + 1},
        {"price_minor": 9_999_999_999_900},  # 99,999,999,999.00 CNY
        {"price_minor": "a lot"},
        {"price_minor": 12.5},
        {"price_minor": None},
        {},
        {"price_minor": 2500, "currency": "USD"},  # the shop's currency is the only one
    ],
)
async def test_a_bad_price_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, api: Api, body: dict[str, Any]
) -> None:
    owner = await api.account("Ana")
    shop_id = await make_shop(api.container, owner)
    product = await make_product(api.container, shop_id, price_minor=19900)
    before = await _product(client, product.id)
    r = await client.patch(
        f"/api/v1/variants/{product.variant_id}", json=body, headers=owner.headers
    )
    assert_problem(r, 422, "validation_failed")
    assert await _product(client, product.id) == before


async def test_only_the_shops_editors_may_change_a_price(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a shop's product, a producer of the shop and the owner of another shop
    owner, producer, rival = [await api.account(n) for n in ("Ana", "Chen", "Eve")]
    shop_id = await make_shop(api.container, owner)
    await grant(api.container, shop_id, producer, Role.PRODUCER)
    await make_shop(api.container, rival, name="Rival pearls")
    product = await make_product(api.container, shop_id, price_minor=19900)
    before = await _product(client, product.id)
    path, body = f"/api/v1/variants/{product.variant_id}", {"price_minor": 100}
    # When each tries to change its price, they are refused
    assert_problem(await client.patch(path, json=body), 401, "not_authenticated")
    for account in (producer, rival):
        r = await client.patch(path, json=body, headers=account.headers)
        assert_problem(r, 403, "role_required")
    # And an unknown variant is a 404, whoever asks
    r = await client.patch("/api/v1/variants/nope", json=body, headers=owner.headers)
    assert_problem(r, 404, "variant_not_found")
    # And nothing changed
    assert await _product(client, product.id) == before


async def test_the_action_refuses_a_price_of_zero_whoever_calls_it(api: Api) -> None:
    # Given the owner, calling the action without the API's schema in front of it
    owner = await api.account("Ana")
    shop_id = await make_shop(api.container, owner)
    product = await make_product(api.container, shop_id, price_minor=19900)
    actor = Actor(owner.user_id, "Ana", False, "token", TokenKind.API, None,
                  datetime.max.replace(tzinfo=UTC))  # fmt: skip
    # Then a price of zero or beyond the largest amount is refused, and nothing changes
    for price_minor in (0, -1, MAX_PRICE_MINOR + 1, MAX_AMOUNT_MINOR + 1):
        with pytest.raises(PriceOutOfRange):
            await do_set_variant_price(api.container.db, actor, product.variant_id, price_minor)
    [variant] = (await _product(api.client, product.id))["variants"]
    assert variant["price"]["amount_minor"] == 19900


async def test_orders_already_made_and_a_running_drop_keep_their_price(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a live show selling the necklace at 199.00 CNY, a flash drop of it at 99.00 CNY,
    # a buyer holding one from the shelf and another holding one from the drop
    stage = await set_stage(api)
    drop = await start_drop(client, stage)
    shelf_buyer, drop_buyer = await make_buyers(api.container, 2)
    r = await client.post(
        f"/api/v1/shows/{stage.show_id}/purchases",
        json={"product_id": stage.product.id, "quantity": 2},
        headers=shelf_buyer.headers,
    )
    assert r.status_code == 201, r.text
    shelf_order = r.json()["order_id"]
    r = await claim(client, drop_buyer, drop["id"])
    assert r.status_code == 201, r.text
    drop_order = r.json()["order_id"]
    # When the owner raises the list price to 259.00 CNY
    r = await client.patch(f"/api/v1/variants/{stage.product.variant_id}",
                           json={"price_minor": 25900}, headers=stage.owner.headers)  # fmt: skip
    assert r.status_code == 200, r.text
    # Then the shelf order keeps the price it was made at, and is paid at it
    pay = {"card_number": CARD_APPROVE, "ship_to": SHIP_TO}
    r = await client.post(
        f"/api/v1/orders/{shelf_order}/pay", json=pay, headers=shelf_buyer.headers
    )
    assert r.status_code == 200, r.text
    order = (await client.get(f"/api/v1/orders/{shelf_order}", headers=shelf_buyer.headers)).json()
    assert order["status"] == "paid"
    assert (order["unit_price"]["amount_minor"], order["total"]["amount_minor"]) == (19900, 39800)
    # And the drop, and its order, keep the drop's price
    assert (await client.get(f"/api/v1/drops/{drop['id']}")).json()["price"]["amount_minor"] == 9900
    order = (await client.get(f"/api/v1/orders/{drop_order}", headers=drop_buyer.headers)).json()
    assert order["unit_price"]["amount_minor"] == 9900
    # But a purchase made now is at the new price
    r = await client.post(
        f"/api/v1/shows/{stage.show_id}/purchases",
        json={"product_id": stage.product.id},
        headers=shelf_buyer.headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["total"]["amount_minor"] == 25900
