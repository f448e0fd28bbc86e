"""The buyer's account page: address book forms (no JavaScript needed) and orders."""

from __future__ import annotations

import httpx

from tests.support import Api
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
