"""After payment on the pages: the seller dashboard ships an order and marks it delivered; the
buyer's account shows where it is, the carrier's number, and "I received it"."""

from __future__ import annotations

import html
from typing import Any

import httpx

from livebazaar.accounts import Role
from livebazaar.bootstrap import Container
from tests.checkout.stage import Stage, make_buyers, set_stage
from tests.factories import grant
from tests.support import SHIP_TO, Account, Api
from tests.web.test_pages import _csrf_from, _sign_in

HTMX = {"HX-Request": "true"}


async def _paid_order(client: httpx.AsyncClient, stage: Stage, buyer: Account) -> str:
    body = {"product_id": stage.product.id, "quantity": 1}
    r = await client.post(
        f"/api/v1/shows/{stage.show_id}/purchases", json=body, headers=buyer.headers
    )
    order_id: str = r.json()["order_id"]
    r = await client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"card_number": "4242424242424242", "ship_to": SHIP_TO},
        headers=buyer.headers,
    )
    assert r.status_code == 200, r.text
    return order_id


async def _fulfillment(client: httpx.AsyncClient, order_id: str, who: Account) -> dict[str, Any]:
    r = await client.get(f"/api/v1/orders/{order_id}", headers=who.headers)
    body: dict[str, Any] = r.json()["fulfillment"]
    return body


async def test_the_owner_ships_and_marks_delivered_from_the_dashboard(
    client: httpx.AsyncClient, api: Api, container: Container
) -> None:
    # Given a paid order and its shop's owner on the dashboard
    stage = await set_stage(api)
    [buyer] = await make_buyers(container, 1)
    order_id = await _paid_order(client, stage, buyer)
    await _sign_in(client, stage.owner)
    base = f"/sell/shops/{stage.shop_id}"
    page = await client.get(base)
    assert f'action="{base}/orders/{order_id}/ship"' in page.text
    assert "Not shipped" in page.text
    csrf = await _csrf_from(client, base)
    headers = {**HTMX, "X-CSRF-Token": csrf}

    # When they send the Ship form through htmx
    form = {"carrier": "SF Express", "tracking_number": "SF1234567890"}
    r = await client.post(f"{base}/orders/{order_id}/ship", data=form, headers=headers)

    # Then the orders section comes back with the order shipped and the number
    assert r.status_code == 200, r.text
    assert "<html" not in r.text
    assert "Shipped with SF Express: SF1234567890." in r.text
    assert "SF Express · SF1234567890" in r.text
    assert "Change the tracking" in r.text
    assert (await _fulfillment(client, order_id, buyer))["status"] == "shipped"

    # When they mark it delivered with a plain form (no JavaScript)
    r = await client.post(f"{base}/orders/{order_id}/deliver", data={"csrf_token": csrf})
    # Then they are sent back to the order on the page, which says it was delivered
    assert r.status_code == 303
    assert r.headers["location"] == f"{base}#order-{order_id}"
    assert (await _fulfillment(client, order_id, buyer))["status"] == "delivered"
    page = await client.get(base)
    assert "Delivered" in page.text
    assert f"{base}/orders/{order_id}/deliver" not in page.text


async def test_a_bad_tracking_number_comes_back_with_the_input_and_changes_nothing(
    client: httpx.AsyncClient, api: Api, container: Container
) -> None:
    stage = await set_stage(api)
    [buyer] = await make_buyers(container, 1)
    order_id = await _paid_order(client, stage, buyer)
    await _sign_in(client, stage.owner)
    base = f"/sell/shops/{stage.shop_id}"
    headers = {**HTMX, "X-CSRF-Token": await _csrf_from(client, base)}
    form = {"carrier": "SF Express", "tracking_number": "<b>SF</b>"}
    r = await client.post(f"{base}/orders/{order_id}/ship", data=form, headers=headers)
    assert r.status_code == 422
    assert "Type the tracking number as printed" in r.text
    assert f'value="{html.escape(form["tracking_number"])}"' in r.text
    assert f'<details class="ship" id="ship-{order_id}" open>' in r.text
    assert 'autofocus aria-invalid="true"' in r.text
    assert (await _fulfillment(client, order_id, buyer))["status"] == "unfulfilled"


async def test_the_dashboard_refuses_an_order_of_another_shop_and_moderators(
    client: httpx.AsyncClient, api: Api, container: Container
) -> None:
    # Given an order of shop X, the owner of shop Y, and a moderator of shop X
    stage = await set_stage(api)
    other = await set_stage(api)
    [buyer] = await make_buyers(container, 1)
    order_id = await _paid_order(client, stage, buyer)
    # When Y's owner posts X's order through Y's dashboard, it is not found there
    await _sign_in(client, other.owner)
    base = f"/sell/shops/{other.shop_id}"
    headers = {**HTMX, "X-CSRF-Token": await _csrf_from(client, base)}
    r = await client.post(f"{base}/orders/{order_id}/deliver", headers=headers)
    assert r.status_code == 404
    # And a moderator of X neither sees the forms nor may post them
    moderator = await api.account("Moderator")
    await grant(container, stage.shop_id, moderator, Role.MODERATOR)
    client.cookies.clear()
    await _sign_in(client, moderator)
    base = f"/sell/shops/{stage.shop_id}"
    page = await client.get(base)
    assert f"{base}/orders/{order_id}/ship" not in page.text
    headers = {**HTMX, "X-CSRF-Token": await _csrf_from(client, base)}
    form = {"carrier": "SF Express", "tracking_number": "SF1"}
    r = await client.post(f"{base}/orders/{order_id}/ship", data=form, headers=headers)
    assert r.status_code == 404
    assert (await _fulfillment(client, order_id, buyer))["status"] == "unfulfilled"


async def test_the_buyer_follows_the_parcel_and_says_it_arrived(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a buyer's paid order that the shop shipped
    stage = await set_stage(api)
    buyer = await api.account("Aline")
    order_id = await _paid_order(client, stage, buyer)
    ship = {"carrier": "La Poste", "tracking_number": "RR123456789CN"}
    r = await client.post(f"/api/v1/orders/{order_id}/ship", json=ship, headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    # When the buyer opens their account
    await _sign_in(client, buyer)
    page = await client.get("/account")
    # Then the order says it is on its way, with the carrier's number, and "I received it"
    assert "On its way" in page.text
    assert "La Poste" in page.text
    assert "RR123456789CN" in page.text
    assert f'action="/account/orders/{order_id}/deliver"' in page.text
    csrf = await _csrf_from(client, "/account")
    # Without the CSRF token the form is refused and nothing changes
    assert (await client.post(f"/account/orders/{order_id}/deliver")).status_code == 403
    # When they say it arrived, through htmx
    r = await client.post(
        f"/account/orders/{order_id}/deliver", headers={**HTMX, "X-CSRF-Token": csrf}
    )
    # Then the orders block comes back saying so, without the button
    assert r.status_code == 200, r.text
    assert "<html" not in r.text
    assert "Thank you: the order is marked received." in r.text
    assert "Received" in r.text
    assert f"/account/orders/{order_id}/deliver" not in r.text
    assert (await _fulfillment(client, order_id, buyer))["status"] == "delivered"


async def test_another_buyers_order_is_not_found_on_the_account_page(
    client: httpx.AsyncClient, api: Api
) -> None:
    stage = await set_stage(api)
    owner_of_order, snoop = await api.account("Aline"), await api.account("Snoop")
    order_id = await _paid_order(client, stage, owner_of_order)
    await _sign_in(client, snoop)
    csrf = await _csrf_from(client, "/account")
    r = await client.post(f"/account/orders/{order_id}/deliver", data={"csrf_token": csrf})
    assert r.status_code == 404
    assert "No such order" in r.text
    fulfillment = await _fulfillment(client, order_id, owner_of_order)
    assert fulfillment["status"] == "unfulfilled"
