from __future__ import annotations

import httpx

from livebazaar.accounts import Role
from tests.factories import grant, make_shop
from tests.support import Api, assert_problem


async def test_creating_a_shop_makes_the_creator_owner_and_host(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given an account
    ana = await api.account("Ana")
    # When she creates a shop
    r = await client.post(
        "/api/v1/shops",
        json={
            "name": " Xinchangle Pearls ",
            "country": "CN",
            "currency": "CNY",
            "description": "Twenty farmers, one room.",
        },
        headers=ana.headers,
    )
    # Then it exists as given, and she holds both roles in it
    assert r.status_code == 201, r.text
    shop = r.json()
    assert set(shop) == {
        "id", "name", "country", "currency", "description", "shelf_per_buyer_limit", "created_at"
    }  # fmt: skip
    assert (shop["name"], shop["country"], shop["currency"]) == ("Xinchangle Pearls", "CN", "CNY")
    assert shop["shelf_per_buyer_limit"] == 10  # the default (checkout/shelf_limits.py)
    assert shop["description"] == "Twenty farmers, one room."
    members = await client.get(f"/api/v1/shops/{shop['id']}/members", headers=ana.headers)
    assert members.status_code == 200
    assert {(m["user_id"], m["role"]) for m in members.json()} == {
        (ana.user_id, "owner"),
        (ana.user_id, "host"),
    }
    assert (await client.get(f"/api/v1/shops/{shop['id']}")).json() == shop


async def test_shop_creation_needs_an_account(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/shops", json={"name": "X", "country": "CN", "currency": "CNY"})
    assert_problem(r, 401, "not_authenticated")


async def test_country_and_currency_must_be_real_codes(client: httpx.AsyncClient, api: Api) -> None:
    ana = await api.account()
    for country, currency, bad_field in [
        ("XX", "CNY", "country"),
        ("cn", "CNY", "country"),
        ("CHN", "CNY", "country"),
        ("CN", "XYZ", "currency"),
        ("CN", "cny", "currency"),
    ]:
        r = await client.post(
            "/api/v1/shops",
            json={"name": "Pearls", "country": country, "currency": currency},
            headers=ana.headers,
        )
        body = assert_problem(r, 422, "validation_failed")
        assert [e["loc"][-1] for e in body["errors"]] == [bad_field]
    assert (await client.get("/api/v1/shops")).json() == []


async def test_blank_or_long_names_are_refused(client: httpx.AsyncClient, api: Api) -> None:
    ana = await api.account()
    for name in ["", "   ", "x" * 121]:
        r = await client.post(
            "/api/v1/shops",
            json={"name": name, "country": "RW", "currency": "RWF"},
            headers=ana.headers,
        )
        assert_problem(r, 422, "validation_failed")


async def test_list_shops_filters_by_country_and_name(client: httpx.AsyncClient, api: Api) -> None:
    # Given shops in two countries
    ana = await api.account()
    await make_shop(api.container, ana, name="Xinchangle Pearls", country="CN")
    await make_shop(api.container, ana, name="Huye Mountain Coffee", country="RW", currency="RWF")
    await make_shop(api.container, ana, name="Maraba 100% Coffee", country="RW", currency="RWF")
    # When anyone lists them
    everything = await client.get("/api/v1/shops")
    rwanda = await client.get("/api/v1/shops", params={"country": "RW"})
    coffee = await client.get("/api/v1/shops", params={"q": "coFFee"})
    percent = await client.get("/api/v1/shops", params={"q": "100%"})
    page = await client.get("/api/v1/shops", params={"limit": 1, "offset": 1})
    # Then the filters apply (and % is matched literally)
    assert [s["name"] for s in everything.json()] == [
        "Huye Mountain Coffee",
        "Maraba 100% Coffee",
        "Xinchangle Pearls",
    ]
    assert {s["country"] for s in rwanda.json()} == {"RW"}
    assert len(rwanda.json()) == 2
    assert [s["name"] for s in coffee.json()] == ["Huye Mountain Coffee", "Maraba 100% Coffee"]
    assert [s["name"] for s in percent.json()] == ["Maraba 100% Coffee"]
    assert [s["name"] for s in page.json()] == ["Maraba 100% Coffee"]
    assert_problem(
        await client.get("/api/v1/shops", params={"country": "ZZ"}), 422, "validation_failed"
    )
    assert_problem(await client.get("/api/v1/shops", params={"limit": 0}), 422, "validation_failed")


async def test_unknown_shop_is_404(client: httpx.AsyncClient, api: Api) -> None:
    ana = await api.account()
    assert_problem(await client.get("/api/v1/shops/nope"), 404, "shop_not_found")
    r = await client.patch("/api/v1/shops/nope", json={"name": "X"}, headers=ana.headers)
    assert_problem(r, 404, "shop_not_found")


async def test_owner_and_host_may_patch_the_shop_others_may_not(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a shop with an owner, a host and a moderator
    owner, host, moderator = await api.account(), await api.account(), await api.account()
    shop_id = await make_shop(api.container, owner)
    await grant(api.container, shop_id, host, Role.HOST)
    await grant(api.container, shop_id, moderator, Role.MODERATOR)
    # When each patches it
    r_owner = await client.patch(
        f"/api/v1/shops/{shop_id}", json={"description": "Pearls"}, headers=owner.headers
    )
    r_host = await client.patch(
        f"/api/v1/shops/{shop_id}", json={"name": "New name", "country": "HK"}, headers=host.headers
    )
    r_mod = await client.patch(
        f"/api/v1/shops/{shop_id}", json={"name": "Hijacked"}, headers=moderator.headers
    )
    # Then the owner's and host's changes apply; the moderator is refused
    assert r_owner.status_code == 200
    assert r_host.status_code == 200
    assert_problem(r_mod, 403, "role_required")
    shop = (await client.get(f"/api/v1/shops/{shop_id}")).json()
    assert (shop["name"], shop["country"], shop["description"]) == ("New name", "HK", "Pearls")
    assert shop["currency"] == "CNY"


async def test_the_shelf_limit_per_buyer_is_set_within_bounds(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a shop, on the default limit
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    url = f"/api/v1/shops/{shop_id}"
    # When its owner sets bad limits, each is refused with the field named, changing nothing
    for bad in [0, -1, 10_001, 2.5, "ten", "", [5]]:
        r = await client.patch(url, json={"shelf_per_buyer_limit": bad}, headers=owner.headers)
        body = assert_problem(r, 422, "validation_failed")
        assert {e["loc"][-1] for e in body["errors"]} == {"shelf_per_buyer_limit"}, bad
    assert (await client.get(url)).json()["shelf_per_buyer_limit"] == 10
    # and good ones apply (null changes nothing, as for every field)
    for good, now in [(1, 1), (10_000, 10_000), (None, 10_000), (25, 25)]:
        r = await client.patch(url, json={"shelf_per_buyer_limit": good}, headers=owner.headers)
        assert r.status_code == 200, r.text
        assert r.json()["shelf_per_buyer_limit"] == now
    # A new shop may start with its own
    r = await client.post(
        "/api/v1/shops", headers=owner.headers,
        json={"name": "Huye", "country": "RW", "currency": "RWF", "shelf_per_buyer_limit": 3},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["shelf_per_buyer_limit"] == 3


async def test_currency_cannot_be_patched(client: httpx.AsyncClient, api: Api) -> None:
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    r = await client.patch(
        f"/api/v1/shops/{shop_id}", json={"currency": "USD"}, headers=owner.headers
    )
    assert_problem(r, 422, "validation_failed")


async def test_malformed_ids_and_searches_are_422_not_500(
    client: httpx.AsyncClient, api: Api
) -> None:
    owner = await api.account()
    assert_problem(await client.get("/api/v1/shops/a%00b"), 422, "validation_failed")
    assert_problem(await client.get("/api/v1/shops/" + "x" * 101), 422, "validation_failed")
    assert_problem(
        await client.get("/api/v1/shops", params={"q": "a\x00"}), 422, "validation_failed"
    )
    r = await client.patch("/api/v1/shops/a%00b", json={"name": "X"}, headers=owner.headers)
    assert_problem(r, 422, "validation_failed")
