"""A shop's orders for its owners and hosts, and their CSV export for the courier's labels."""

from __future__ import annotations

import csv
import io

import httpx

from livebazaar.bootstrap import Container
from tests.checkout.stage import Stage, claim, make_buyers, start_drop
from tests.support import assert_problem


async def _paid_order(
    client: httpx.AsyncClient, container: Container, stage: Stage, name: str
) -> str:
    drop = await start_drop(client, stage)
    [buyer] = await make_buyers(container, 1)
    order_id: str = (await claim(client, buyer, drop["id"])).json()["order_id"]
    address = {"name": name, "line1": "KN 5 Rd", "city": "Kigali", "country": "RW"}
    address_id = (
        await client.post("/api/v1/me/addresses", json=address, headers=buyer.headers)
    ).json()["id"]
    r = await client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"provider": "test", "card_number": "4242424242424242", "address_id": address_id},
        headers=buyer.headers,
    )
    assert r.status_code == 200, r.text
    return order_id


async def test_the_owner_lists_and_exports_the_shops_orders(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    order_id = await _paid_order(client, container, stage, '=HYPERLINK("x")')
    owner = stage.owner.headers
    listed = (await client.get(f"/api/v1/shops/{stage.shop_id}/orders", headers=owner)).json()
    assert [o["id"] for o in listed] == [order_id]
    paid = await client.get(f"/api/v1/shops/{stage.shop_id}/orders?status=paid", headers=owner)
    assert len(paid.json()) == 1
    expired = f"/api/v1/shops/{stage.shop_id}/orders?status=expired"
    assert (await client.get(expired, headers=owner)).json() == []

    r = await client.get(f"/api/v1/shops/{stage.shop_id}/orders.csv", headers=owner)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 1
    row = rows[0]
    assert row["order_id"] == order_id
    assert row["status"] == "paid"
    assert row["ship_city"] == "Kigali"
    assert row["currency"] == "CNY"
    total = listed[0]["total"]["amount_minor"]
    assert row["total"] == f"{total // 100}.{total % 100:02d}"  # CNY: two decimals, no grouping
    # A name that a spreadsheet would run as a formula is defused
    assert row["ship_name"].startswith("'=")


async def test_only_owners_and_hosts_see_the_shops_orders(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    [stranger] = await make_buyers(container, 1)
    for path in ("orders", "orders.csv"):
        url = f"/api/v1/shops/{stage.shop_id}/{path}"
        assert_problem(await client.get(url, headers=stranger.headers), 403, "role_required")
        assert_problem(await client.get(url), 401, "not_authenticated")


async def test_the_csv_quotes_every_cell_and_keeps_phone_numbers_as_written(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    # Given an order shipped to a name that is a formula after a ';', with a phone number
    drop = await start_drop(client, stage)
    [buyer] = await make_buyers(container, 1)
    order_id = (await claim(client, buyer, drop["id"])).json()["order_id"]
    ship_to = {
        "name": "Bob;=1+2", "line1": "-2+3 Rue Victor Hugo", "city": "Lyon",
        "postal_code": "69002", "country": "FR", "phone": "+250 788 123 456",
    }  # fmt: skip
    pay = {"card_number": "4242424242424242", "ship_to": ship_to}
    r = await client.post(f"/api/v1/orders/{order_id}/pay", json=pay, headers=buyer.headers)
    assert r.status_code == 200, r.text

    # When the owner exports the orders
    r = await client.get(f"/api/v1/shops/{stage.shop_id}/orders.csv", headers=stage.owner.headers)

    # Then every cell is quoted, the phone and postal code are as written (no apostrophe), a
    # formula after any separator is text, and the variant bought has its column
    header, line = r.text.splitlines()
    assert header.startswith('"order_id","created_at",')
    assert line.startswith(f'"{order_id}",')
    assert line.endswith('"+250 788 123 456","unfulfilled","","","",""')  # then fulfillment
    [row] = list(csv.DictReader(io.StringIO(r.text)))
    assert row["ship_phone"] == "+250 788 123 456"
    assert row["ship_postal_code"] == "69002"
    assert row["ship_name"] == "Bob;'=1+2"
    assert row["ship_line1"] == "'-2+3 Rue Victor Hugo"
    assert row["variant"] == "Standard"
    for separator in (",", ";", "\t", "|"):  # split anywhere, no cell starts a formula
        for cell in line.replace('"', "").split(separator):
            assert not cell.lstrip(" ").startswith(("=", "@")), cell
