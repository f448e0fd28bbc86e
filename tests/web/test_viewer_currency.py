"""Prices in the viewer's currency beside the shop's: "≈ 27.94 USD" for an English viewer of a
CNY shop when a fresh rate is known, nothing otherwise; the viewer's choice wins."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx

from livebazaar.fx import OPERATOR, do_set_rate
from livebazaar.kernel.clock import ManualClock
from tests.live.stage import make_stage
from tests.support import Api

# The stage's products cost 199.00 CNY; 199.00 / 7.1234 = 27.936… USD.
APPROX_USD = "≈ 27.94\u00a0USD"  # web/numbers.py: no break between amount and code


async def _rate(api: Api, base: str, quote: str, rate: str) -> None:
    c = api.container
    await do_set_rate(c.db, c.clock, OPERATOR, base, quote, rate=rate, source="Test feed")


def _fx(page: httpx.Response) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="fx">(.*?)</script>', page.text)
    assert match is not None, "the viewer page gives its scripts the rates"
    data: dict[str, object] = json.loads(match.group(1))
    return data


async def test_an_english_viewer_of_a_cny_shop_sees_dollars_when_a_rate_is_known(
    api: Api, client: httpx.AsyncClient
) -> None:
    # Given a CNY shop's live show and a fresh USD/CNY rate (only that direction)
    stage = await make_stage(api, live=True)
    await _rate(api, "USD", "CNY", "7.1234")
    # When an English-speaking viewer opens the show
    page = await client.get(f"/shows/{stage.show_id}", headers={"Accept-Language": "en-US"})
    # Then each price reads in CNY, then approximately in USD, and the charge stays in CNY
    assert page.status_code == 200
    assert f'199.00\u00a0CNY <span class="approx">{APPROX_USD}</span>' in page.text
    assert "Charged in <span data-charged-currency>CNY</span>" in page.text
    # And the scripts get the same rate, exactly, to convert live updates
    assert _fx(page) == {
        "currency": "USD",
        "exponents": {"USD": 2, "CNY": 2},
        "rates": {"CNY": ["5000", "35617"]},  # 1 / 7.1234
    }


async def test_without_a_rate_or_with_a_stale_one_only_the_shops_price_shows(
    api: Api, client: httpx.AsyncClient, clock: ManualClock
) -> None:
    stage = await make_stage(api, live=True)
    page = await client.get(f"/shows/{stage.show_id}", headers={"Accept-Language": "en"})
    assert "199.00\u00a0CNY" in page.text
    assert "≈" not in page.text
    assert _fx(page)["rates"] == {}
    # Given a rate that then grows older than a week
    await _rate(api, "USD", "CNY", "7.1234")
    clock.advance(timedelta(days=7, seconds=1).total_seconds())
    page = await client.get(f"/shows/{stage.show_id}", headers={"Accept-Language": "en"})
    assert "≈" not in page.text
    assert _fx(page)["rates"] == {}


async def test_a_chinese_viewer_of_a_cny_shop_sees_no_conversion(
    api: Api, client: httpx.AsyncClient
) -> None:
    stage = await make_stage(api, live=True)
    await _rate(api, "USD", "CNY", "7.1234")
    page = await client.get(f"/shows/{stage.show_id}", headers={"Accept-Language": "zh-CN"})
    assert "≈" not in page.text
    assert _fx(page)["currency"] == "CNY"


async def test_the_viewers_choice_wins_over_the_languages_default(
    api: Api, client: httpx.AsyncClient
) -> None:
    stage = await make_stage(api, live=True)
    await _rate(api, "USD", "CNY", "7.1234")
    await _rate(api, "EUR", "CNY", "8")  # 199.00 CNY = 24.875 EUR -> 24.88
    # When an English viewer picks euros in the header's picker
    r = await client.post("/currency", data={"currency": "EUR", "next": f"/shows/{stage.show_id}"})
    assert r.status_code == 303
    assert r.headers["location"] == f"/shows/{stage.show_id}"
    assert "lb_ccy=EUR" in r.headers["set-cookie"]
    # Then the show reads in euros, and the picker says so
    page = await client.get(f"/shows/{stage.show_id}", headers={"Accept-Language": "en"})
    assert '<span class="approx">≈ 24.88\u00a0EUR</span>' in page.text
    assert "USD</span>" not in page.text
    assert '<option value="EUR" selected>' in page.text
    # And `?ccy=` wins for one page
    page = await client.get(f"/shows/{stage.show_id}?ccy=USD")
    assert APPROX_USD in page.text
    # And an unknown choice is forgotten
    r = await client.post("/currency", data={"currency": "ZZZ", "next": "//evil.example"})
    assert r.headers["location"] == "/"
    assert 'lb_ccy=""' in r.headers["set-cookie"]
