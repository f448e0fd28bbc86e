"""Currencies, locked: a shop sells in RWF (no minor unit), buyers see JPY (none either) and
KWD (three decimals). Each order keeps its total as its buyer saw it, with the rate, its
source and as_of, taken at claim or purchase; the charge stays in RWF, and a later rate
changes no order. Through the API and the pages, with rates imported from the ECB's file and
a central bank's CSV and crossed through EUR."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from livebazaar.bootstrap import Container
from livebazaar.checkout.hotstock import DropTerms
from livebazaar.checkout.hotstock_claims import Claim, recovered
from livebazaar.checkout.reservations import HoldRequest, reservation
from livebazaar.fx import (
    OPERATOR,
    LockedPrice,
    do_import_rates,
    do_set_rate,
    parse_csv,
    parse_ecb,
)
from livebazaar.kernel.clock import ManualClock
from livebazaar.kernel.money import Money
from livebazaar.web.numbers import format_minor
from tests.checkout.stage import make_buyers, make_show
from tests.factories import make_product, make_shop
from tests.support import SHIP_TO, Account, Api
from tests.web.test_pages import _sign_in

FIXTURES = Path(__file__).parents[1] / "fx" / "fixtures"
PRICE_RWF = 15_000
EUR_RWF, EUR_JPY, EUR_KWD = Fraction("1523.4471"), Fraction("162.53"), Fraction("0.32391")
# 15000 RWF = 9.846… EUR = 1600.29… JPY and 3.18930… KWD (three decimals: 3189 minor units)
JPY_SEEN = round(PRICE_RWF / EUR_RWF * EUR_JPY)
KWD_SEEN = round(PRICE_RWF / EUR_RWF * EUR_KWD * 1000)


@pytest.fixture
def clock() -> ManualClock:
    """The day after the fixtures' rates (2026-12-04), so they are fresh."""
    return ManualClock(datetime(2026, 12, 5, 12, 0, tzinfo=UTC))


async def _rwf_shop(api: Api, c: Container) -> tuple[Account, str, str, str]:
    owner = await api.account("Mukamana")
    shop_id = await make_shop(c, owner, name="Maraba Coffee", country="RW", currency="RWF")
    beans = await make_product(
        c, shop_id, title="Maraba washed beans", price_minor=PRICE_RWF, currency="RWF"
    )
    show_id = await make_show(c, shop_id, owner, [beans.id])
    ecb = parse_ecb((FIXTURES / "eurofxref-daily.xml").read_bytes())
    await do_import_rates(c.db, c.clock, OPERATOR, ecb)
    await do_import_rates(c.db, c.clock, OPERATOR, parse_csv((FIXTURES / "rates.csv").read_bytes()))
    return owner, shop_id, show_id, beans.id


async def _buy(
    client: httpx.AsyncClient, buyer: Account, show_id: str, product_id: str, **extra: Any
) -> dict[str, Any]:
    body = {"product_id": product_id, "quantity": 1, **extra}
    r = await client.post(f"/api/v1/shows/{show_id}/purchases", json=body, headers=buyer.headers)
    assert r.status_code == 201, r.text
    answer: dict[str, Any] = r.json()
    return answer


async def _order(client: httpx.AsyncClient, order_id: str, buyer: Account) -> dict[str, Any]:
    r = await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_each_order_keeps_what_its_buyer_saw_in_jpy_and_kwd(
    client: httpx.AsyncClient, api: Api, container: Container
) -> None:
    # Given a shop selling beans at 15,000 RWF, and the ECB's and a central bank's rates
    owner, _shop, show_id, beans = await _rwf_shop(api, container)
    tokyo, kuwait, kigali, lima = await make_buyers(container, 4)

    # When a buyer in Tokyo buys seeing JPY, one in Kuwait claims a drop seeing KWD
    jp = await _buy(client, tokyo, show_id, beans, display_currency="JPY")
    drop = await client.post(
        f"/api/v1/shows/{show_id}/drops", headers=owner.headers,
        json={"product_id": beans, "quantity": 5, "per_buyer_limit": 1, "duration_s": 600,
              "price": {"amount_minor": PRICE_RWF, "currency": "RWF"}},
    )  # fmt: skip
    assert drop.status_code == 201, drop.text
    kw = await client.post(
        f"/api/v1/drops/{drop.json()['id']}/claims", headers=kuwait.headers,
        json={"quantity": 1, "display_currency": "KWD"},
    )  # fmt: skip
    assert kw.status_code == 201, kw.text

    # Then the answers and the orders keep the total in RWF and as each buyer saw it
    assert jp["total"] == {"amount_minor": PRICE_RWF, "currency": "RWF", "display": "15,000 RWF"}
    assert jp["display"]["currency"] == "JPY"
    assert jp["display"]["amount_minor"] == JPY_SEEN == 1600
    assert kw.json()["display"]["amount_minor"] == KWD_SEEN == 3189
    order = await _order(client, jp["order_id"], tokyo)
    assert {k: v for k, v in order["display"].items() if k != "rate"} == {
        "currency": "JPY", "amount_minor": 1600,
        "source": "National Bank of Rwanda, official rate 2026-12-04 + ECB euro foreign "
                  "exchange reference rates, 2026-12-04, via EUR",
        "as_of": "2026-12-04T08:00:00Z",  # the older leg's (the bank's morning rate)
    }  # fmt: skip
    assert order["display"]["rate"] == "0.10668568669040099916"  # 162.53 / 1523.4471, 20 digits
    assert order["total"]["amount_minor"] == PRICE_RWF
    kw_order = await _order(client, kw.json()["order_id"], kuwait)
    assert kw_order["display"]["currency"] == "KWD"
    assert kw_order["display"]["rate"] == "0.00021261650634275387705"  # 0.32391 / 1523.4471

    # And the shop's own currency, or one no rate reaches, keeps nothing extra
    assert (await _buy(client, kigali, show_id, beans, display_currency="RWF"))["display"] is None
    assert (await _buy(client, lima, show_id, beans, display_currency="PEN"))["display"] is None

    # When the rate changes and the order is paid, the order's display does not move
    await do_set_rate(container.db, container.clock, OPERATOR, "EUR", "JPY", rate="170",
                      source="Later feed")  # fmt: skip
    pay = {"card_number": "4242424242424242", "ship_to": SHIP_TO}
    r = await client.post(f"/api/v1/orders/{jp['order_id']}/pay", json=pay, headers=tokyo.headers)
    assert r.status_code == 200, r.text
    paid = await _order(client, jp["order_id"], tokyo)
    assert paid["status"] == "paid"
    assert paid["display"] == order["display"]
    # While a new order takes the new rate at once (this process's cache heard of it)
    again = await _buy(client, tokyo, show_id, beans, display_currency="JPY")
    assert again["display"]["amount_minor"] == round(PRICE_RWF / EUR_RWF * 170)
    assert again["display"]["source"].endswith("+ Later feed, via EUR")


async def test_the_pages_cookie_chooses_when_the_body_does_not(
    client: httpx.AsyncClient, api: Api, container: Container
) -> None:
    _owner, _shop, show_id, beans = await _rwf_shop(api, container)
    [buyer] = await make_buyers(container, 1)
    client.cookies.set("lb_ccy", "KWD")
    bought = await _buy(client, buyer, show_id, beans)
    assert bought["display"]["currency"] == "KWD"
    assert bought["display"]["amount_minor"] == KWD_SEEN
    # What the body says wins over the cookie
    assert (await _buy(client, buyer, show_id, beans, display_currency="JPY"))["display"][
        "currency"
    ] == "JPY"
    # A bad code in the body is refused (422) and reserves nothing
    r = await client.post(
        f"/api/v1/shows/{show_id}/purchases", headers=buyer.headers,
        json={"product_id": beans, "display_currency": "yen"},
    )  # fmt: skip
    assert r.status_code == 422


async def test_the_pages_show_the_same_amounts_in_the_buyers_language(
    client: httpx.AsyncClient, api: Api, container: Container
) -> None:
    # Given a buyer who bought seeing JPY and KWD
    _owner, _shop, show_id, beans = await _rwf_shop(api, container)
    buyer = await api.account("Aiko")
    await _buy(client, buyer, show_id, beans, display_currency="JPY")
    await _buy(client, buyer, show_id, beans, display_currency="KWD")
    # When the viewer room shows the beans in JPY, it says what the order then kept
    room = await client.get(f"/shows/{show_id}?ccy=JPY")
    assert f"≈ {format_minor(JPY_SEEN, 'JPY', 'en')}" in room.text
    assert "≈ 1,600\u00a0JPY" in room.text
    # And the account lists both orders in RWF with what was seen, in each language's way
    await _sign_in(client, buyer)
    for language, jpy, kwd, rwf in [
        ("en", "1,600\u00a0JPY", "3.189\u00a0KWD", "15,000\u00a0RWF"),
        ("fr", "1\u202f600\u00a0JPY", "3,189\u00a0KWD", "15\u202f000\u00a0RWF"),
        ("es", "1600\u00a0JPY", "3,189\u00a0KWD", "15.000\u00a0RWF"),
    ]:
        page = await client.get("/account", headers={"Accept-Language": language})
        assert page.status_code == 200
        assert f"≈ {jpy}" in page.text, language
        assert f"≈ {kwd}" in page.text, language
        assert rwf in page.text, language


async def test_a_claim_reads_no_rate_from_the_database(
    client: httpx.AsyncClient, api: Api, container: Container
) -> None:
    # Given the rates read once (the first claim), then many claims seeing JPY
    owner, _shop, show_id, beans = await _rwf_shop(api, container)
    drop = await client.post(
        f"/api/v1/shows/{show_id}/drops", headers=owner.headers,
        json={"product_id": beans, "quantity": 50, "per_buyer_limit": 1, "duration_s": 600,
              "price": {"amount_minor": PRICE_RWF, "currency": "RWF"}},
    )  # fmt: skip
    claim = f"/api/v1/drops/{drop.json()['id']}/claims"
    buyers = await make_buyers(container, 21)
    body = {"quantity": 1, "display_currency": "JPY"}
    first = await client.post(claim, json=body, headers=buyers[0].headers)
    assert first.status_code == 201, first.text
    reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "exchange_rates" in statement:
            reads.append(statement)

    engine = container.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for buyer in buyers[1:]:
            r = await client.post(claim, json=body, headers=buyer.headers)
            assert r.status_code == 201, r.text
            assert r.json()["display"]["amount_minor"] == JPY_SEEN
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Then none of the 20 claims read the rates again
    assert reads == []


def test_a_claim_recorded_by_another_node_keeps_what_its_buyer_saw() -> None:
    # Given a claim admitted in Redis with a locked JPY price, as its stream entry keeps it
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    terms = DropTerms(
        id="drop", pool_id="pool", show_id="show", shop_id="shop", product_id="product",
        variant_id="variant", price=Money(PRICE_RWF, "RWF"), per_buyer_limit=1, hold_s=300,
        ends_at=now,
    )  # fmt: skip
    seen = LockedPrice("JPY", 1600, "0.10668568669040099916", "ECB", now)
    request = HoldRequest(
        buyer_id="buyer", pool_id="pool", quantity=1, unit_price=terms.price, hold_s=300,
        show_id="show", shop_id="shop", product_id="product", variant_id="variant",
        drop_id="drop", per_buyer_limit=1, order_id="order", admitted_at=now, display=seen,
    )  # fmt: skip
    kept = Claim(request, reservation(request, now), None).record()
    # When another node records it from the stream (its first node died)
    recovered_claim = recovered(terms, json.loads(kept), now)
    # Then the order it writes keeps the same display price, and so does the answer
    assert recovered_claim.request.display == seen
    assert recovered_claim.answer.display is not None
    assert recovered_claim.answer.display.amount_minor == 1600
