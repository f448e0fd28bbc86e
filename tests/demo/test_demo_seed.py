"""The demo's seeding: both news stories end up in a fresh database, through the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from livebazaar.cli.demo import Demo, build_demo
from livebazaar.demo.payday import SEED_BAGS
from livebazaar.demo.stories import (
    AMBASSADOR,
    BUYER,
    COFFEE_FARMER,
    INFLUENCER,
    PEARL_HOST,
    split_bps,
)


async def _get(http: httpx.AsyncClient, url: str, **params: str) -> Any:
    r = await http.get(url, params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def _shops(http: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    body = await _get(http, "/api/v1/shops")
    items = body if isinstance(body, list) else body["items"]
    return {shop["name"]: shop for shop in items}


async def test_the_pearl_village_sells_for_twenty_farmers(
    demo: Demo, http: httpx.AsyncClient
) -> None:
    # Given the seeded demo
    shop = (await _shops(http))["Xinchangle Pearl Cooperative"]
    # Then the cooperative has 20 farmers in Zhuji, and a CNY shop in China
    producers = await _get(http, f"/api/v1/shops/{shop['id']}/producers")
    assert len(producers) == 20
    assert all(p["region"] == "Zhuji, Zhejiang" and p["bio"] for p in producers)
    assert (shop["country"], shop["currency"]) == ("CN", "CNY")
    # And every product's revenue is shared among its farmers to exactly 10,000 bps
    products = await _get(http, f"/api/v1/shops/{shop['id']}/products")
    assert {p["title"] for p in products} >= {"Courtyard freshwater pearl necklace"}
    for product in products:
        assert sum(s["bps"] for s in product["producers"]) == 10_000
        assert len(product["images"]) >= 2
        assert len(product["variants"]) >= 2
        assert [s.split(":")[0] for s in product["origin"]["steps"]] == [
            "Pond", "Harvest", "Sorting", "Drilling", "Stringing",
        ]  # fmt: skip
    necklace = next(p for p in products if "necklace" in p["title"])
    assert len(necklace["producers"]) == 20
    # And its show "Live from the courtyard" is upcoming, with the lineup
    pearl_show = next(s for s in demo.info.shows if s.shop_id == shop["id"])
    state = await _get(http, f"/api/v1/shows/{pearl_show.id}")
    assert state["title"] == "Live from the courtyard"
    assert state["status"] == "scheduled"
    assert len(state["lineup"]) == len(products)


async def test_the_coffee_show_is_live_with_its_cohost_and_3000_bag_drop(
    demo: Demo, http: httpx.AsyncClient
) -> None:
    # Given the seeded demo
    live = await _get(http, "/api/v1/shows", status="live")
    live_items = live if isinstance(live, list) else live["items"]
    # Then exactly one show is live: the Rwandan coffee show
    assert len(live_items) == 1
    assert demo.info.live_show is not None
    assert live_items[0]["id"] == demo.info.live_show.id
    state = await _get(http, f"/api/v1/shows/{demo.info.live_show.id}")
    shop = (await _shops(http))["Inzozi Coffee Cooperative"]
    assert state["shop_id"] == shop["id"]
    assert (shop["country"], shop["currency"]) == ("RW", "CNY")
    # And the ambassador hosts, with the influencer as a co-host who accepted
    roles = {h["display_name"]: h["role"] for h in state["hosts"]}
    assert roles[INFLUENCER.display_name] == "cohost"
    assert AMBASSADOR.display_name in roles
    # And a flash drop of 3,000 bags of coffee is running (the first buyers' bags sold), with
    # the beans pinned
    (drop,) = state["drops"]
    assert (drop["quantity"], drop["sold"], drop["status"]) == (3000, SEED_BAGS, "live")
    assert drop["remaining"] == 3000 - SEED_BAGS
    assert state["pinned_product_id"] == drop["product_id"]
    beans = await _get(http, f"/api/v1/products/{drop['product_id']}")
    assert "coffee beans" in beans["title"]
    assert sum(s["bps"] for s in beans["producers"]) == 10_000
    # And the hosts have opened the chat
    assert [m["display_name"] for m in state["recent_chat"]] == [
        AMBASSADOR.display_name,
        INFLUENCER.display_name,
    ]


async def test_the_printed_logins_work(demo: Demo, http: httpx.AsyncClient) -> None:
    printed = {person.email for _, person in demo.info.logins}
    assert printed == {
        PEARL_HOST.email, AMBASSADOR.email, INFLUENCER.email, COFFEE_FARMER.email, BUYER.email,
    }  # fmt: skip
    for _, person in demo.info.logins:
        r = await http.post(
            "/api/v1/auth/token", json={"email": person.email, "password": person.password}
        )
        assert r.status_code == 200, r.text


async def test_keep_finds_the_same_demo_again(demo: Demo, tmp_path: Path) -> None:
    # When the demo starts again with --keep on the same database
    again = await build_demo(demo.container.settings, keep=True)
    try:
        # Then nothing is seeded twice: the same live show is found
        assert again.info.live_show == demo.info.live_show
    finally:
        await again.container.close()


@pytest.mark.parametrize(
    ("weights", "expected"),
    [([1, 1, 1], [3334, 3333, 3333]), ([3, 1], [7500, 2500]), ([2] * 20, [500] * 20)],
)
def test_split_bps_always_sums_to_10000(weights: list[int], expected: list[int]) -> None:
    assert split_bps(weights) == expected


async def test_the_live_page_shows_the_drop_and_the_pinned_coffee(
    demo: Demo, http: httpx.AsyncClient
) -> None:
    live = demo.info.live_show
    assert live is not None
    page = await http.get(f"/shows/{live.id}")
    assert page.status_code == 200
    assert '<span id="drop-quantity">3,000</span>' in page.text  # grouped, as the script does
    assert "Lake Kivu Bourbon coffee beans, 250 g" in page.text
    assert "Uwimana Claudine" in page.text  # a grower behind the pinned product
    assert "/static/demo/coffee-bag-front.svg" in page.text
    for image in ("coffee-bag-front", "necklace-front", "chili-label"):
        assert (await http.get(f"/static/demo/{image}.svg")).status_code == 200


async def test_an_english_viewer_sees_the_coffee_price_in_dollars_too(
    demo: Demo, http: httpx.AsyncClient
) -> None:
    live = demo.info.live_show
    assert live is not None
    page = await http.get(f"/shows/{live.id}", headers={"Accept-Language": "en"})
    # The drop is priced in the shop's currency, with the demo's illustrative USD rate beside
    assert '<span class="approx">≈' in page.text
    assert "USD</span>" in page.text
    rates = (await http.get("/api/v1/exchange-rates")).json()
    assert all("illustrative" in r["source"] for r in rates)
