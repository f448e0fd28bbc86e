"""The viewer page's buying path on the seeded demo, request by request as show.js makes it."""

from __future__ import annotations

import re

import httpx

from livebazaar.cli.demo import Demo
from livebazaar.demo.audience import TEST_CARD
from livebazaar.demo.payday import SEED_BAGS
from livebazaar.demo.stories import BUYER
from tests.support import SHIP_TO, assert_problem, sign_in_page


async def _page_session(http: httpx.AsyncClient, path: str) -> str:
    """Sign in on /login as the demo buyer; return the page's CSRF token."""
    r = await sign_in_page(http, BUYER.email, BUYER.password)
    assert r.status_code == 303, r.text
    page = await http.get(path)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert match is not None
    return match.group(1)


async def test_buyer_claims_from_the_drop_and_pays_without_leaving_the_page(
    demo: Demo, http: httpx.AsyncClient
) -> None:
    # Given the demo buyer on the live show's page, signed in with the session cookie
    live = demo.info.live_show
    assert live is not None
    assert live.drop_id is not None
    csrf = await _page_session(http, f"/shows/{live.id}")
    headers = {"X-CSRF-Token": csrf}
    # When the page claims two bags, then pays with the test card
    claim = await http.post(
        f"/api/v1/drops/{live.drop_id}/claims", json={"quantity": 2}, headers=headers
    )
    assert claim.status_code == 201, claim.text
    assert claim.json()["status"] == "reserved"
    order_id = claim.json()["order_id"]
    paid = await http.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"provider": "test", "card_number": TEST_CARD, "ship_to": SHIP_TO},
        headers=headers,
    )
    # Then the order is paid, and the drop shows two more bags sold (after the seed's first)
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"
    drop = (await http.get(f"/api/v1/drops/{live.drop_id}")).json()
    assert (drop["sold"], drop["remaining"]) == (SEED_BAGS + 2, 3000 - SEED_BAGS - 2)


async def test_a_claim_from_another_site_without_the_token_is_refused(
    demo: Demo, http: httpx.AsyncClient
) -> None:
    live = demo.info.live_show
    assert live is not None
    await _page_session(http, f"/shows/{live.id}")
    r = await http.post(f"/api/v1/drops/{live.drop_id}/claims", json={"quantity": 1})
    assert_problem(r, 403, "csrf_failed")
    drop = (await http.get(f"/api/v1/drops/{live.drop_id}")).json()
    assert drop["remaining"] == 3000 - SEED_BAGS  # only the seed's first buyers' bags sold


async def test_buyer_chooses_ground_coffee_in_the_live_show_and_the_order_says_so(
    demo: Demo, http: httpx.AsyncClient
) -> None:
    # Given the live coffee show, whose beans come whole or ground, at 69.00 CNY each
    live = demo.info.live_show
    assert live is not None
    csrf = await _page_session(http, f"/shows/{live.id}")
    headers = {"X-CSRF-Token": csrf}
    state = (await http.get(f"/api/v1/shows/{live.id}")).json()
    beans = (await http.get(f"/api/v1/products/{state['pinned_product_id']}")).json()
    names = {v["name"]: v for v in beans["variants"]}
    assert set(names) == {"Whole bean, 250 g", "Ground for pour-over, 250 g"}
    ground = names["Ground for pour-over, 250 g"]
    # When the buyer takes the ground one and pays, shipping to Lyon
    r = await http.post(
        f"/api/v1/shows/{live.id}/purchases",
        json={"product_id": beans["id"], "variant_id": ground["id"], "quantity": 1},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    lyon = {"name": "Claire", "line1": "2 Rue Mercière", "city": "Lyon", "postal_code": "69002",
            "country": "FR"}  # fmt: skip
    pay = {"card_number": TEST_CARD, "ship_to": lyon}
    order_id = r.json()["order_id"]
    paid = await http.post(f"/api/v1/orders/{order_id}/pay", json=pay, headers=headers)
    assert paid.status_code == 200, paid.text
    # Then the order says which, at its price
    order = (await http.get(f"/api/v1/orders/{order_id}", headers=headers)).json()
    assert (order["variant_name"], order["total"]["amount_minor"]) == (
        "Ground for pour-over, 250 g", ground["price"]["amount_minor"],
    )  # fmt: skip
    assert order["ship_to"]["postal_code"] == "69002"
