"""The buyer's account page: the address book's forms, plain (no JavaScript needed) and
through htmx (the section alone, errors and input included), and the orders with their filter."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from livebazaar.kernel.clock import ManualClock
from tests.checkout.stage import claim, set_stage, start_drop
from tests.support import Account, Api
from tests.web.test_pages import _csrf_from, _sign_in

ADDRESS = {
    "name": "Aline Uwase",
    "line1": "KN 5 Rd",
    "city": "Kigali",
    "country": "rw",
    "phone": "+250 788 000 000",
}


async def test_anonymous_visitors_are_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    r = await client.get("/account")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/account"


async def test_a_buyer_adds_and_deletes_an_address_with_plain_forms(
    client: httpx.AsyncClient, api: Api
) -> None:
    buyer = await api.account("Aline")
    await _sign_in(client, buyer)
    csrf = await _csrf_from(client, "/account")
    # Without the CSRF token a form post is refused and nothing is saved
    r = await client.post("/account/addresses", data=ADDRESS)
    assert r.status_code == 403
    r = await client.post("/account/addresses", data={**ADDRESS, "csrf_token": csrf})
    assert r.status_code == 303
    page = (await client.get("/account")).text
    assert "KN 5 Rd" in page
    assert "RW" in page  # the country code is normalised
    # A wrong country is shown back to the buyer, with what they typed
    r = await client.post(
        "/account/addresses",
        data={**ADDRESS, "country": "ZZ", "line1": "Bad Rd", "csrf_token": csrf},
    )
    assert r.status_code == 422
    assert "country" in r.text
    assert 'value="Bad Rd"' in r.text
    listed = (await client.get("/api/v1/me/addresses", headers={"X-CSRF-Token": csrf})).json()
    assert [a["line1"] for a in listed] == ["KN 5 Rd"]
    r = await client.post(f"/account/addresses/{listed[0]['id']}/delete", data={"csrf_token": csrf})
    assert r.status_code == 303
    assert "KN 5 Rd" not in (await client.get("/account")).text


async def test_user_text_on_the_account_page_is_escaped(
    client: httpx.AsyncClient, api: Api
) -> None:
    buyer = await api.account("Aline")
    await _sign_in(client, buyer)
    csrf = await _csrf_from(client, "/account")
    evil = "<img src=x onerror=alert(1)>"
    await client.post("/account/addresses", data={**ADDRESS, "name": evil, "csrf_token": csrf})
    page = (await client.get("/account")).text
    assert evil not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


# The same forms through htmx: a request with HX-Request gets the section alone.

HTMX = {"HX-Request": "true"}
WHEN = datetime(2031, 5, 1, 16, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    """A fixed time, so the page's dates can be read."""
    return ManualClock(WHEN)


def _is_fragment(r: httpx.Response) -> bool:
    return "<html" not in r.text and "<h1>" not in r.text


async def _addresses(client: httpx.AsyncClient, csrf: str) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/me/addresses", headers={"X-CSRF-Token": csrf})
    listed: list[dict[str, Any]] = r.json()
    return listed


async def test_htmx_gets_the_address_section_with_what_was_done(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a signed-in buyer on the account page
    await _sign_in(client, await api.account("Aline"))
    csrf = await _csrf_from(client, "/account")
    # When htmx posts the add-address form
    r = await client.post("/account/addresses", data={**ADDRESS, "csrf_token": csrf}, headers=HTMX)
    # Then the answer is the addresses section, not a page, with the sentence for the live region
    assert r.status_code == 200
    assert _is_fragment(r)
    assert "KN 5 Rd" in r.text
    assert 'id="add-address"' in r.text  # the form again, empty, for the next one
    assert re.search(r'id="addresses-result" hx-swap-oob="innerHTML"><span>Address saved<', r.text)
    [saved] = await _addresses(client, csrf)
    # When htmx deletes it
    r = await client.post(
        f"/account/addresses/{saved['id']}/delete", data={"csrf_token": csrf}, headers=HTMX
    )
    # Then the section comes back without it, says so, and puts the focus on the list
    assert r.status_code == 200
    assert _is_fragment(r)
    assert "KN 5 Rd" not in r.text
    assert "Address deleted" in r.text
    assert re.search(r'id="address-list"[^>]*autofocus', r.text)
    assert await _addresses(client, csrf) == []


async def test_plain_forms_go_back_to_the_page_which_says_what_was_done(
    client: httpx.AsyncClient, api: Api
) -> None:
    await _sign_in(client, await api.account("Aline"))
    csrf = await _csrf_from(client, "/account")
    r = await client.post("/account/addresses", data={**ADDRESS, "csrf_token": csrf})
    assert r.status_code == 303
    assert r.headers["location"] == "/account?done=saved#addresses"
    page = await client.get(r.headers["location"])
    assert "<html" in page.text
    assert re.search(r'id="addresses-result"[^>]*><span>Address saved<', page.text)
    [saved] = await _addresses(client, csrf)
    r = await client.post(f"/account/addresses/{saved['id']}/delete", data={"csrf_token": csrf})
    assert r.headers["location"] == "/account?done=deleted#addresses"
    assert "Address deleted" in (await client.get(r.headers["location"])).text


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
async def test_a_refused_address_comes_back_with_the_input_and_the_wrong_fields_marked(
    client: httpx.AsyncClient, api: Api, htmx: bool
) -> None:
    await _sign_in(client, await api.account("Aline"))
    csrf = await _csrf_from(client, "/account")
    # When the buyer sends an unknown country and letters in the phone number
    wrong = {
        **ADDRESS,
        "country": "zz",
        "phone": "call me",
        "line1": "Bad <Rd>",
        "csrf_token": csrf,
    }
    r = await client.post("/account/addresses", data=wrong, headers=HTMX if htmx else {})
    # Then it is refused with a 422: the section to htmx, the page without JavaScript
    assert r.status_code == 422
    assert _is_fragment(r) is htmx
    # with what they typed (escaped) and each wrong field marked and explained
    assert 'value="Bad &lt;Rd&gt;"' in r.text
    assert 'value="ZZ"' in r.text
    for field in ("country", "phone"):
        assert re.search(
            rf'id="a-{field}"[^>]*aria-invalid="true" aria-describedby="a-{field}-error"', r.text
        )
        assert f'<p class="field-error" id="a-{field}-error">' in r.text
    assert "two-letter code" in r.text
    assert 'id="a-name"' in r.text
    assert 'aria-describedby="a-name-error"' not in r.text
    assert re.search(r'id="a-country"[^>]*autofocus', r.text)  # the first wrong field
    assert "The address was not saved" in r.text
    # and nothing is saved
    assert await _addresses(client, csrf) == []


async def test_another_buyers_address_cannot_be_deleted(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given Aline's address
    aline = await api.account("Aline")
    r = await client.post(
        "/api/v1/me/addresses", json={**ADDRESS, "country": "RW"}, headers=aline.headers
    )
    address_id = r.json()["id"]
    # When Bob, signed in, posts its delete form (with his own CSRF token)
    await _sign_in(client, await api.account("Bob"))
    csrf = await _csrf_from(client, "/account")
    for headers in (HTMX, {}):
        r = await client.post(
            f"/account/addresses/{address_id}/delete", data={"csrf_token": csrf}, headers=headers
        )
        # Then it is refused, and said so in the section
        assert r.status_code == 404
        assert "not in your address book" in r.text
        assert "KN 5 Rd" not in r.text
    # And Aline still has it
    listed = (await client.get("/api/v1/me/addresses", headers=aline.headers)).json()
    assert [a["id"] for a in listed] == [address_id]


async def test_signed_out_htmx_posts_are_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    r = await client.post("/account/addresses", data=ADDRESS, headers=HTMX)
    assert r.status_code == 401
    assert r.headers["HX-Redirect"] == "/login?next=/account"


async def _orders_of(client: httpx.AsyncClient, api: Api, buyer: Account) -> dict[str, str]:
    """Given three orders of `buyer`: one paid, one cancelled, one still awaiting payment."""
    stage = await set_stage(api)
    drop = await start_drop(client, stage, per_buyer_limit=5)
    ids = [(await claim(client, buyer, drop["id"])).json()["order_id"] for _ in range(3)]
    r = await client.post(
        "/api/v1/me/addresses", json={**ADDRESS, "country": "RW"}, headers=buyer.headers
    )
    pay = {"provider": "test", "card_number": "4242424242424242", "address_id": r.json()["id"]}
    r = await client.post(f"/api/v1/orders/{ids[0]}/pay", json=pay, headers=buyer.headers)
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/orders/{ids[1]}/cancel", headers=buyer.headers)
    assert r.status_code == 200, r.text
    return {"paid": ids[0], "cancelled": ids[1], "reserved": ids[2]}


def _rows(page: str) -> list[tuple[str, str]]:
    """(status, its words) of each order in the table."""
    return re.findall(r'<span class="status status-(\w+)">([^<]+)</span>', page)


async def test_the_orders_table_says_when_and_what_state_in_words(
    client: httpx.AsyncClient, api: Api
) -> None:
    buyer = await api.account("Aline")
    await _orders_of(client, api, buyer)
    await _sign_in(client, buyer)
    page = (await client.get("/account")).text
    assert sorted(_rows(page)) == [
        ("cancelled", "Cancelled"), ("paid", "Paid"), ("reserved", "Awaiting payment"),
    ]  # fmt: skip
    assert (
        f'<time data-local datetime="{WHEN.isoformat()}">May 1, 2031, 4:30\u202fPM UTC</time>'
        in page
    )
    # In French, the words and the date are French
    page = (await client.get("/account", headers={"Accept-Language": "fr"})).text
    assert "1 mai 2031, 16:30 UTC" in page


async def test_the_orders_filter_answers_htmx_the_table_and_plain_requests_the_page(
    client: httpx.AsyncClient, api: Api
) -> None:
    buyer = await api.account("Aline")
    await _orders_of(client, api, buyer)
    await _sign_in(client, buyer)
    # Without JavaScript: the page, its filter set to the status, the table filtered
    r = await client.get("/account", params={"status": "paid"})
    assert r.status_code == 200
    assert "<html" in r.text
    assert '<option value="paid" selected>' in r.text
    assert _rows(r.text) == [("paid", "Paid")]
    assert 'hx-get="/account"' in r.text
    assert 'hx-push-url="true"' in r.text
    # htmx: the orders block alone, with the count for the live region
    r = await client.get("/account", params={"status": "reserved"}, headers=HTMX)
    assert r.status_code == 200
    assert _is_fragment(r)
    assert _rows(r.text) == [("reserved", "Awaiting payment")]
    assert "1 order<" in r.text
    assert "HX-Request" in r.headers["vary"]
    # htmx going back in history (no copy kept: hx-history="false") wants the whole page
    r = await client.get(
        "/account",
        params={"status": "paid"},
        headers={**HTMX, "HX-History-Restore-Request": "true"},
    )
    assert "<html" in r.text
    assert 'hx-history="false"' in r.text
    # A status nobody has, and one that does not exist
    r = await client.get("/account", params={"status": "refunded"}, headers=HTMX)
    assert "No order with this status." in r.text
    r = await client.get("/account", params={"status": "<bogus>"})
    assert r.status_code == 200
    assert len(_rows(r.text)) == 3
    assert "<bogus>" not in r.text
