"""A buyer's address book: save, list, delete; only ever one's own."""

from __future__ import annotations

from typing import Any

from tests.support import Api, assert_problem

KIGALI: dict[str, Any] = {
    "name": "Aline Uwase",
    "line1": "KN 5 Rd, house 12",
    "city": "Kigali",
    "country": "RW",
    "phone": "+250 788 000 000",
}


async def test_a_buyer_saves_lists_and_deletes_addresses(api: Api) -> None:
    buyer = await api.account("Aline")
    r = await api.client.post("/api/v1/me/addresses", json=KIGALI, headers=buyer.headers)
    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["country"] == "RW"
    assert saved["line2"] == ""
    listed = (await api.client.get("/api/v1/me/addresses", headers=buyer.headers)).json()
    assert [a["id"] for a in listed] == [saved["id"]]
    r = await api.client.delete(f"/api/v1/me/addresses/{saved['id']}", headers=buyer.headers)
    assert r.status_code == 204
    assert (await api.client.get("/api/v1/me/addresses", headers=buyer.headers)).json() == []


async def test_addresses_are_private_and_checked(api: Api) -> None:
    buyer, other = await api.account("Aline"), await api.account("Eve")
    saved = (
        await api.client.post("/api/v1/me/addresses", json=KIGALI, headers=buyer.headers)
    ).json()
    # Anonymous callers and other buyers neither see nor delete it
    assert_problem(await api.client.get("/api/v1/me/addresses"), 401, "not_authenticated")
    assert (await api.client.get("/api/v1/me/addresses", headers=other.headers)).json() == []
    r = await api.client.delete(f"/api/v1/me/addresses/{saved['id']}", headers=other.headers)
    assert_problem(r, 404, "address_not_found")
    # Bad input: unknown country, empty street, stray fields
    for bad in (
        {**KIGALI, "country": "XX"},
        {**KIGALI, "line1": "   "},
        {**KIGALI, "planet": "Mars"},
        {**KIGALI, "phone": "call me"},
    ):
        r = await api.client.post("/api/v1/me/addresses", json=bad, headers=buyer.headers)
        assert_problem(r, 422, "validation_failed")
    listed = (await api.client.get("/api/v1/me/addresses", headers=buyer.headers)).json()
    assert len(listed) == 1


async def test_an_address_book_holds_twenty(api: Api) -> None:
    buyer = await api.account("Aline")
    for i in range(20):
        body = {**KIGALI, "line1": f"KN {i} Rd"}
        r = await api.client.post("/api/v1/me/addresses", json=body, headers=buyer.headers)
        assert r.status_code == 201
    r = await api.client.post("/api/v1/me/addresses", json=KIGALI, headers=buyer.headers)
    assert_problem(r, 409, "too_many_addresses")
