from __future__ import annotations

import httpx

from livebazaar.accounts import Role
from tests.factories import grant, make_shop
from tests.support import Api, assert_problem


async def test_owner_adds_producers_and_anyone_lists_them(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a cooperative
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    # When its owner adds two farmers
    for name in ["Wang Lei", "Chen Mei"]:
        r = await client.post(
            f"/api/v1/shops/{shop_id}/producers",
            json={"name": name, "village": "Xinchangle", "region": "Zhuji", "bio": "Pearl farmer"},
            headers=owner.headers,
        )
        assert r.status_code == 201, r.text
        assert r.json()["shop_id"] == shop_id
    # Then anyone, signed in or not, sees both in the order they were added
    listed = await client.get(f"/api/v1/shops/{shop_id}/producers")
    assert listed.status_code == 200
    assert [(p["name"], p["village"]) for p in listed.json()] == [
        ("Wang Lei", "Xinchangle"),
        ("Chen Mei", "Xinchangle"),
    ]


async def test_patch_producer(client: httpx.AsyncClient, api: Api) -> None:
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    r = await client.post(
        f"/api/v1/shops/{shop_id}/producers", json={"name": "Wang Lei"}, headers=owner.headers
    )
    producer_id = r.json()["id"]
    r = await client.patch(
        f"/api/v1/producers/{producer_id}",
        json={"village": "Shanxiahu", "bio": "Third generation"},
        headers=owner.headers,
    )
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["village"], r.json()["bio"]) == (
        "Wang Lei",
        "Shanxiahu",
        "Third generation",
    )


async def test_producer_role_cannot_add_or_edit_producers(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a farmer who holds the producer role in the shop
    owner, farmer = await api.account(), await api.account()
    shop_id = await make_shop(api.container, owner)
    await grant(api.container, shop_id, farmer, Role.PRODUCER)
    created = await client.post(
        f"/api/v1/shops/{shop_id}/producers", json={"name": "Wang Lei"}, headers=owner.headers
    )
    # When the farmer tries to add a producer or to rename one
    add = await client.post(
        f"/api/v1/shops/{shop_id}/producers", json={"name": "Me"}, headers=farmer.headers
    )
    edit = await client.patch(
        f"/api/v1/producers/{created.json()['id']}", json={"name": "Me"}, headers=farmer.headers
    )
    # Then both are refused and nothing changed
    assert_problem(add, 403, "role_required")
    assert_problem(edit, 403, "role_required")
    listed = (await client.get(f"/api/v1/shops/{shop_id}/producers")).json()
    assert [p["name"] for p in listed] == ["Wang Lei"]


async def test_unknown_ids_and_bad_input(client: httpx.AsyncClient, api: Api) -> None:
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    assert_problem(await client.get("/api/v1/shops/nope/producers"), 404, "shop_not_found")
    r = await client.post("/api/v1/shops/nope/producers", json={"name": "X"}, headers=owner.headers)
    assert_problem(r, 404, "shop_not_found")
    r = await client.patch("/api/v1/producers/nope", json={"name": "X"}, headers=owner.headers)
    assert_problem(r, 404, "producer_not_found")
    r = await client.post(
        f"/api/v1/shops/{shop_id}/producers", json={"name": "x" * 121}, headers=owner.headers
    )
    assert_problem(r, 422, "validation_failed")


async def test_the_owner_links_a_producer_to_a_member_with_the_producer_role(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a cooperative, a farmer holding the producer role in it, and a host
    owner, farmer, host = await api.account(), await api.account(), await api.account()
    shop_id = await make_shop(api.container, owner)
    await grant(api.container, shop_id, farmer, Role.PRODUCER)
    await grant(api.container, shop_id, host, Role.HOST)
    r = await client.post(
        f"/api/v1/shops/{shop_id}/producers", json={"name": "Wang Lei"}, headers=owner.headers
    )
    path = f"/api/v1/producers/{r.json()['id']}/account"
    # When the owner links the producer to the farmer's account
    r = await client.put(path, json={"user_id": farmer.user_id}, headers=owner.headers)
    # Then it is linked
    assert r.status_code == 200, r.text
    assert r.json() == {"producer_id": path.split("/")[-2], "user_id": farmer.user_id}
    # And the public producer list does not say whose account it is
    listed = await client.get(f"/api/v1/shops/{shop_id}/producers")
    assert "user_id" not in listed.json()[0]
    # And a host may not link it (it decides who sets where the producer's money goes)
    r = await client.put(path, json={"user_id": None}, headers=host.headers)
    assert_problem(r, 403, "role_required")
    # And an account without the producer role in the shop cannot be linked
    r = await client.put(path, json={"user_id": host.user_id}, headers=owner.headers)
    assert_problem(r, 422, "not_a_shop_producer")
    # And the owner unlinks it
    r = await client.put(path, json={"user_id": None}, headers=owner.headers)
    assert r.json()["user_id"] is None
