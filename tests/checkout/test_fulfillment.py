"""After payment: a paid order is shipped by the shop's staff and delivered (said by its buyer
or the staff); impossible moves are refused with a stable code and change nothing; the ledger's
release query finds the orders whose buyer's window has closed."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import httpx
import pytest

from livebazaar.accounts import Role
from livebazaar.bootstrap import Container
from livebazaar.checkout import ReleaseCandidate, list_orders_due_for_release
from livebazaar.kernel.clock import ManualClock
from tests.checkout.stage import Stage, make_buyers
from tests.factories import grant
from tests.support import SHIP_TO, Account, Api, assert_problem

SHIP = {"carrier": "SF Express", "tracking_number": "SF1234567890"}


async def _order(client: httpx.AsyncClient, stage: Stage, buyer: Account, *, pay: bool) -> str:
    body = {"product_id": stage.product.id, "quantity": 1}
    r = await client.post(
        f"/api/v1/shows/{stage.show_id}/purchases", json=body, headers=buyer.headers
    )
    assert r.status_code == 201, r.text
    order_id: str = r.json()["order_id"]
    if pay:
        paid = await client.post(
            f"/api/v1/orders/{order_id}/pay",
            json={"card_number": "4242424242424242", "ship_to": SHIP_TO},
            headers=buyer.headers,
        )
        assert paid.status_code == 200, paid.text
    return order_id


async def _read(client: httpx.AsyncClient, order_id: str, who: Account) -> dict[str, Any]:
    r = await client.get(f"/api/v1/orders/{order_id}", headers=who.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def _post(
    client: httpx.AsyncClient, order_id: str, what: str, who: Account, body: Any = None
) -> httpx.Response:
    return await client.post(f"/api/v1/orders/{order_id}/{what}", json=body, headers=who.headers)


async def test_a_paid_order_ships_then_its_buyer_says_it_arrived(
    client: httpx.AsyncClient, container: Container, stage: Stage, clock: ManualClock
) -> None:
    # Given a paid order, not yet fulfilled
    [buyer] = await make_buyers(container, 1)
    order_id = await _order(client, stage, buyer, pay=True)
    fresh = await _read(client, order_id, buyer)
    assert fresh["fulfillment"] == {
        "status": "unfulfilled", "carrier": None, "tracking_number": None,
        "shipped_at": None, "delivered_at": None,
    }  # fmt: skip

    # When the shop's owner ships it
    shipped_at = clock.now()
    r = await _post(client, order_id, "ship", stage.owner, SHIP)

    # Then it is on its way with the carrier's number
    assert r.status_code == 200, r.text
    shipped = r.json()
    assert shipped["status"] == "paid"
    assert shipped["fulfillment"]["status"] == "shipped"
    assert shipped["fulfillment"]["carrier"] == "SF Express"
    assert shipped["fulfillment"]["tracking_number"] == "SF1234567890"
    assert shipped["fulfillment"]["shipped_at"] == shipped_at.isoformat().replace("+00:00", "Z")
    assert shipped["variant_name"] == (await _read(client, order_id, buyer))["variant_name"]

    # And shipping it again (a retry) answers the same, later too
    clock.advance(60)
    again = await _post(client, order_id, "ship", stage.owner, SHIP)
    assert again.status_code == 200
    assert again.json() == shipped

    # When the buyer says it arrived
    clock.advance(3600)
    delivered = await _post(client, order_id, "deliver", buyer)

    # Then it is delivered, shipped when it was, and saying so again changes nothing
    assert delivered.status_code == 200, delivered.text
    fulfillment = delivered.json()["fulfillment"]
    assert fulfillment["status"] == "delivered"
    assert fulfillment["shipped_at"] == shipped["fulfillment"]["shipped_at"]
    assert fulfillment["delivered_at"] is not None
    clock.advance(60)
    assert (await _post(client, order_id, "deliver", buyer)).json() == delivered.json()
    assert (await _post(client, order_id, "deliver", stage.owner)).json() == delivered.json()
    # And the same shipping again is still answered (a late retry), other details are not
    assert (await _post(client, order_id, "ship", stage.owner, SHIP)).json() == delivered.json()
    other = {**SHIP, "tracking_number": "SF999"}
    refused = await _post(client, order_id, "ship", stage.owner, other)
    assert_problem(refused, 409, "order_already_delivered")
    assert await _read(client, order_id, buyer) == delivered.json()


async def test_a_mistyped_number_is_corrected_until_delivery(
    client: httpx.AsyncClient, container: Container, stage: Stage, clock: ManualClock
) -> None:
    [buyer] = await make_buyers(container, 1)
    order_id = await _order(client, stage, buyer, pay=True)
    first = (await _post(client, order_id, "ship", stage.owner, SHIP)).json()["fulfillment"]
    clock.advance(120)
    fixed = {"carrier": "  China  Post ", "tracking_number": "RR123456789CN"}
    r = await _post(client, order_id, "ship", stage.owner, fixed)
    assert r.status_code == 200, r.text
    fulfillment = r.json()["fulfillment"]
    assert (fulfillment["carrier"], fulfillment["tracking_number"]) == (
        "China Post", "RR123456789CN",
    )  # fmt: skip
    assert fulfillment["shipped_at"] == first["shipped_at"]  # when it left, not when fixed


async def test_a_host_delivers_a_pickup_without_shipping_it(
    client: httpx.AsyncClient, api: Api, container: Container, stage: Stage
) -> None:
    # Given a paid order that the buyer fetches at the cooperative, and a host of the shop
    [buyer] = await make_buyers(container, 1)
    host = await api.account("Host")
    await grant(container, stage.shop_id, host, Role.HOST)
    order_id = await _order(client, stage, buyer, pay=True)
    # When the host marks it delivered
    r = await _post(client, order_id, "deliver", host)
    # Then it is delivered without a carrier
    assert r.status_code == 200, r.text
    fulfillment = r.json()["fulfillment"]
    assert fulfillment["status"] == "delivered"
    assert fulfillment["shipped_at"] is None
    assert fulfillment["carrier"] is None


async def test_only_a_paid_order_ships_or_is_delivered(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    [buyer] = await make_buyers(container, 1)
    reserved = await _order(client, stage, buyer, pay=False)
    refunded = await _order(client, stage, buyer, pay=True)
    r = await _post(client, refunded, "refund", stage.owner)
    assert r.status_code == 200, r.text
    cancelled = await _order(client, stage, buyer, pay=True)
    r = await _post(client, cancelled, "cancel", stage.owner)
    assert r.status_code == 200, r.text
    for order_id in (reserved, refunded, cancelled):
        before = await _read(client, order_id, buyer)
        shipped = await _post(client, order_id, "ship", stage.owner, SHIP)
        assert_problem(shipped, 409, "order_not_shippable")
        assert_problem(await _post(client, order_id, "deliver", buyer), 409,
                       "order_not_deliverable")  # fmt: skip
        assert await _read(client, order_id, buyer) == before


@pytest.mark.parametrize(
    "body",
    [
        {"carrier": "", "tracking_number": "SF1"},
        {"carrier": "DHL", "tracking_number": ""},
        {"carrier": "DHL<script>", "tracking_number": "SF1"},
        {"carrier": "DHL\u0000", "tracking_number": "SF1"},
        {"carrier": "-DHL", "tracking_number": "SF1"},
        {"carrier": "D" * 61, "tracking_number": "SF1"},
        {"carrier": "DHL", "tracking_number": "SF1\n2"},
        {"carrier": "DHL", "tracking_number": "顺丰123"},
        {"carrier": "DHL", "tracking_number": "1" * 65},
        {"carrier": "DHL", "tracking_number": "-123"},
        {"carrier": "DHL"},
        {"carrier": 7, "tracking_number": "SF1"},
    ],
)
async def test_bad_shipping_details_are_refused_and_change_nothing(
    client: httpx.AsyncClient, container: Container, stage: Stage, body: dict[str, Any]
) -> None:
    [buyer] = await make_buyers(container, 1)
    order_id = await _order(client, stage, buyer, pay=True)
    before = await _read(client, order_id, buyer)
    r = await _post(client, order_id, "ship", stage.owner, body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await _read(client, order_id, buyer) == before


async def test_carriers_in_any_script_are_taken(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    [buyer] = await make_buyers(container, 1)
    order_id = await _order(client, stage, buyer, pay=True)
    body = {"carrier": "顺丰速运 (S.F.)", "tracking_number": "1Z 999-AA1"}
    r = await _post(client, order_id, "ship", stage.owner, body)
    assert r.status_code == 200, r.text
    assert r.json()["fulfillment"]["carrier"] == "顺丰速运 (S.F.)"


async def test_the_buyer_may_not_ship_and_strangers_see_nothing(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, stranger = await make_buyers(container, 2)
    order_id = await _order(client, stage, buyer, pay=True)
    assert_problem(await _post(client, order_id, "ship", buyer, SHIP), 403, "role_required")
    for what, body in (("ship", SHIP), ("deliver", None)):
        refused = await _post(client, order_id, what, stranger, body)
        assert_problem(refused, 404, "order_not_found")
    assert (await _read(client, order_id, buyer))["fulfillment"]["status"] == "unfulfilled"


async def test_the_export_carries_the_fulfillment(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    [buyer] = await make_buyers(container, 1)
    order_id = await _order(client, stage, buyer, pay=True)
    shipped = (await _post(client, order_id, "ship", stage.owner, SHIP)).json()
    r = await client.get(f"/api/v1/shops/{stage.shop_id}/orders.csv", headers=stage.owner.headers)
    [row] = list(csv.DictReader(io.StringIO(r.text)))
    assert row["fulfillment_status"] == "shipped"
    assert row["carrier"] == "SF Express"
    assert row["tracking_number"] == "SF1234567890"
    assert row["shipped_at"].startswith(shipped["fulfillment"]["shipped_at"][:19])
    assert row["delivered_at"] == ""


async def test_the_release_query_finds_orders_whose_window_closed(
    client: httpx.AsyncClient, container: Container, stage: Stage, clock: ManualClock
) -> None:
    # Given: A paid and delivered at once, B paid never delivered, C refunded, D reserved
    buyer, other = await make_buyers(container, 2)
    delivered = await _order(client, stage, buyer, pay=True)
    assert (await _post(client, delivered, "deliver", buyer)).status_code == 200
    undelivered = await _order(client, stage, other, pay=True)
    refunded = await _order(client, stage, buyer, pay=True)
    await _post(client, refunded, "deliver", buyer)
    assert (await _post(client, refunded, "refund", stage.owner)).status_code == 200
    await _order(client, stage, buyer, pay=False)
    week, month = timedelta(days=7), timedelta(days=30)

    async def due(limit: int = 500, after_id: str = "") -> list[ReleaseCandidate]:
        async with container.db.read() as session:
            return await list_orders_due_for_release(
                session, clock.now(), hold_delivered=week, hold_undelivered=month,
                limit=limit, after_id=after_id,
            )  # fmt: skip

    async def due_ids() -> set[str]:
        found = await due()
        assert all(c.paid_at is not None for c in found)
        return {c.order_id for c in found}

    # Then nothing is due at first, the delivered one after 7 days, the other after 30
    assert await due_ids() == set()
    clock.advance(week.total_seconds())
    assert await due_ids() == {delivered}
    clock.advance((month - week).total_seconds())
    assert await due_ids() == {delivered, undelivered}
    # And paging by id gives each once
    first = await due(limit=1)
    rest = await due(after_id=first[0].order_id)
    assert {c.order_id for c in first + rest} == {delivered, undelivered}
    assert len(first + rest) == 2
