"""The demo pays its farmers: the coffee farmer signs in and reads their uplift and payout."""

from __future__ import annotations

import httpx

from livebazaar.cli.demo import Demo
from livebazaar.demo.stories import BUYER, COFFEE_FARMER
from tests.support import sign_in_page


async def _farmer_headers(http: httpx.AsyncClient) -> dict[str, str]:
    body = {"email": COFFEE_FARMER.email, "password": COFFEE_FARMER.password}
    r = await http.post("/api/v1/auth/token", json=body)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def test_the_coffee_farmer_reads_plus_4_per_bag_and_a_payout(
    demo: Demo, http: httpx.AsyncClient
) -> None:
    # Given the seeded demo, whose farmer login is printed with the others
    assert ("farmer at Inzozi Coffee Cooperative", COFFEE_FARMER) in (demo.info.logins)
    producer_id = demo.info.farmer_producer_id
    assert producer_id is not None
    headers = await _farmer_headers(http)
    # When the farmer reads their statement (the last 30 days) as JSON
    r = await http.get(f"/api/v1/producers/{producer_id}/statement", headers=headers)
    assert r.status_code == 200, r.text
    statement = r.json()
    # Then the beans earned them 4.00 a bag over the farm-gate price
    (beans,) = statement["uplift"]
    assert beans["units"] == 6
    assert beans["reference_price"] == {"amount_minor": 950, "currency": "CNY", "unit": "bag"}
    assert (beans["received_per_unit"], beans["uplift_per_unit"]) == (1350, 400)
    # And the statement has three sales and the payout of the two delivered orders
    kinds = [line["kind"] for line in statement["lines"]]
    assert kinds.count("sale") == 3
    (payout,) = [line for line in statement["lines"] if line["kind"] == "payout_settled"]
    assert payout["reference"] == "MOMO-DEMO-0001"
    # And their balance says what was paid out, and what is still pending
    balance = (await http.get(f"/api/v1/producers/{producer_id}/balance", headers=headers)).json()
    assert balance["paid_out_minor"] == -payout["amount_minor"] > 0
    assert balance["pending_minor"] > 0
    assert balance["available_minor"] == 0


async def test_the_csv_statement_says_plus_4_per_bag(demo: Demo, http: httpx.AsyncClient) -> None:
    headers = await _farmer_headers(http)
    url = f"/api/v1/producers/{demo.info.farmer_producer_id}/statement?format=csv"
    r = await http.get(url, headers=headers)
    assert r.status_code == 200, r.text
    # The shop's currency: the coffee sells in yuan to viewers in China (see stories.py);
    # the leading apostrophe is the CSV's guard against spreadsheet formulas.
    assert '"\'+4.00 CNY per bag"' in r.text


async def test_the_farmer_reads_their_earnings_on_their_account_page(
    demo: Demo, http: httpx.AsyncClient
) -> None:
    # Given the coffee farmer signed in on the site
    r = await sign_in_page(http, COFFEE_FARMER.email, COFFEE_FARMER.password)
    assert r.status_code == 303, r.text
    # When they open their account page
    page = await http.get("/account")
    assert page.status_code == 200
    # Then it shows their producer's balance, the period's sales and payout, and the uplift
    section = page.text.split(f'id="earnings-{demo.info.farmer_producer_id}"')[1]
    section = section.split("</section>")[0]
    assert "Your earnings as Uwimana Claudine" in section
    assert "Paid out</dt><dd>53.98\u00a0CNY</dd>" in section
    assert "3 sales: +80.97\u00a0CNY · 1 payout" in section
    assert "+4.00\u00a0CNY per bag over the farm-gate price" in section
    assert f"/api/v1/producers/{demo.info.farmer_producer_id}/statement?format=pdf" in section


async def test_the_buyer_sees_no_earnings_section(http: httpx.AsyncClient) -> None:
    r = await sign_in_page(http, BUYER.email, BUYER.password)
    assert r.status_code == 303, r.text
    page = await http.get("/account")
    assert page.status_code == 200
    assert 'class="card earnings"' not in page.text
