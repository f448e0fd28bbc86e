"""A show's life: created with a lineup, started, pinned, ended; illegal moves refused."""

from __future__ import annotations

from datetime import timedelta

from livebazaar.accounts import Role
from tests.factories import grant, make_product, make_shop
from tests.live.stage import make_stage
from tests.support import Api, assert_problem


async def test_create_show_gives_its_state_and_makes_the_creator_host(api: Api) -> None:
    stage = await make_stage(api, live=False)
    r = await api.client.get(stage.url)  # public: no token
    assert r.status_code == 200
    show = r.json()
    assert show["status"] == "scheduled"
    assert show["hosts"] == [
        {"user_id": stage.owner.user_id, "display_name": "Ana", "role": "host"}
    ]
    assert [i["product_id"] for i in show["lineup"]] == [p.id for p in stage.products]
    assert [i["position"] for i in show["lineup"]] == [0, 1]
    assert show["lineup"][0]["price"]["amount_minor"] == 19900
    assert show["pinned_product_id"] is None
    assert show["drops"] == []
    assert show["recent_chat"] == []


async def test_lineup_products_must_belong_to_the_shop(api: Api) -> None:
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    other_shop = await make_shop(api.container, await api.account(), name="Other")
    foreign = await make_product(api.container, other_shop)
    body = {
        "shop_id": shop_id,
        "title": "Show",
        "scheduled_at": api.container.clock.now().isoformat(),
        "lineup": [foreign.id],
    }
    r = await api.client.post("/api/v1/shows", json=body, headers=owner.headers)
    assert_problem(r, 422, "product_not_in_shop")
    r = await api.client.post(
        "/api/v1/shows", json={**body, "lineup": ["no-such-product"]}, headers=owner.headers
    )
    assert_problem(r, 422, "product_not_in_shop")
    r = await api.client.get("/api/v1/shows")
    assert r.json() == []


async def test_only_owners_and_hosts_create_shows(api: Api) -> None:
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    producer = await api.account()
    await grant(api.container, shop_id, producer, Role.PRODUCER)
    body = {"shop_id": shop_id, "title": "Show", "scheduled_at": "2030-01-01T10:00:00Z"}
    r = await api.client.post("/api/v1/shows", json=body, headers=producer.headers)
    assert_problem(r, 403, "role_required")
    r = await api.client.post(
        "/api/v1/shows", json={**body, "shop_id": "nope"}, headers=owner.headers
    )
    assert_problem(r, 404, "shop_not_found")
    assert_problem(await api.client.post("/api/v1/shows", json=body), 401, "not_authenticated")
    for when in ("2030-01-01T10:00:00", "9999-12-31T23:00:00-05:00"):  # naive; past year 9999
        r = await api.client.post(
            "/api/v1/shows", json={**body, "scheduled_at": when}, headers=owner.headers
        )
        assert_problem(r, 422, "validation_failed")


async def test_a_show_cannot_be_scheduled_in_the_past(api: Api) -> None:
    # Given a shop owner and the clock of the server
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    now = api.container.clock.now()
    body = {"shop_id": shop_id, "title": "Show"}

    async def schedule(at: str) -> int:
        r = await api.client.post(
            "/api/v1/shows", json={**body, "scheduled_at": at}, headers=owner.headers
        )
        if r.status_code != 201:
            assert_problem(r, 422, "scheduled_in_past")
        return r.status_code

    # When they schedule it in 2020, or ten minutes ago: refused, nothing made
    assert await schedule("2020-01-01T10:00:00Z") == 422
    assert await schedule((now - timedelta(minutes=10)).isoformat()) == 422
    assert (await api.client.get("/api/v1/shows")).json() == []
    # Then a clock a minute behind is forgiven, and the future is fine
    assert await schedule((now - timedelta(minutes=1)).isoformat()) == 201
    assert await schedule((now + timedelta(days=1)).isoformat()) == 201


async def test_lifecycle_moves_forward_only(api: Api) -> None:
    stage = await make_stage(api, live=False)
    h = stage.owner.headers
    assert_problem(await api.client.post(f"{stage.url}/end", headers=h), 409, "show_not_live")
    r = await api.client.post(f"{stage.url}/start", headers=h)
    assert r.json()["status"] == "live"
    assert r.json()["started_at"] is not None
    assert_problem(await api.client.post(f"{stage.url}/start", headers=h), 409, "show_already_live")
    r = await api.client.post(f"{stage.url}/end", headers=h)
    assert r.json()["status"] == "ended"
    assert_problem(await api.client.post(f"{stage.url}/start", headers=h), 409, "show_ended")
    assert_problem(await api.client.post(f"{stage.url}/end", headers=h), 409, "show_ended")


async def test_strangers_cannot_run_a_show(api: Api) -> None:
    stage = await make_stage(api, live=False)
    stranger = await api.account()
    r = await api.client.post(f"{stage.url}/start", headers=stranger.headers)
    assert_problem(r, 403, "not_show_host")
    r = await api.client.post("/api/v1/shows/nope/start", headers=stranger.headers)
    assert_problem(r, 404, "show_not_found")
    assert_problem(await api.client.get("/api/v1/shows/nope"), 404, "show_not_found")


async def test_pin_needs_a_lineup_product_and_ending_unpins(api: Api) -> None:
    stage = await make_stage(api)
    h = stage.owner.headers
    other = await make_product(api.container, stage.shop_id)
    r = await api.client.post(f"{stage.url}/pin", json={"product_id": other.id}, headers=h)
    assert_problem(r, 422, "product_not_in_lineup")
    first = stage.products[0].id
    r = await api.client.post(f"{stage.url}/pin", json={"product_id": first}, headers=h)
    assert r.json()["pinned_product_id"] == first
    r = await api.client.post(f"{stage.url}/pin", json={"product_id": None}, headers=h)
    assert r.json()["pinned_product_id"] is None
    await api.client.post(f"{stage.url}/pin", json={"product_id": first}, headers=h)
    r = await api.client.post(f"{stage.url}/end", headers=h)
    assert r.json()["pinned_product_id"] is None
    r = await api.client.post(f"{stage.url}/pin", json={"product_id": first}, headers=h)
    assert_problem(r, 409, "show_ended")


async def test_lineup_edit_replaces_it_and_unpins_a_removed_product(api: Api) -> None:
    stage = await make_stage(api)
    h = stage.owner.headers
    first, second = (p.id for p in stage.products)
    await api.client.post(f"{stage.url}/pin", json={"product_id": first}, headers=h)
    r = await api.client.put(f"{stage.url}/lineup", json=[second, second], headers=h)
    assert r.status_code == 200, r.text
    assert [i["product_id"] for i in r.json()["lineup"]] == [second]
    assert r.json()["pinned_product_id"] is None
    foreign = await make_product(api.container, await make_shop(api.container, stage.owner))
    r = await api.client.put(f"{stage.url}/lineup", json=[foreign.id], headers=h)
    assert_problem(r, 422, "product_not_in_shop")


async def test_list_filters_by_status_newest_first(api: Api) -> None:
    stage = await make_stage(api, live=False)
    later = await make_stage(api, live=True)
    r = await api.client.get("/api/v1/shows", params={"status": "live"})
    assert [s["id"] for s in r.json()] == [later.show_id]
    r = await api.client.get("/api/v1/shows", params={"status": "scheduled"})
    assert [s["id"] for s in r.json()] == [stage.show_id]
    r = await api.client.get("/api/v1/shows")
    assert {s["id"] for s in r.json()} == {stage.show_id, later.show_id}
    r = await api.client.get("/api/v1/shows", params={"limit": 1})
    assert len(r.json()) == 1
    r = await api.client.get("/api/v1/shows", params={"status": "paused", "limit": 1000})
    assert_problem(r, 422, "validation_failed")


async def test_newest_first_follows_the_schedule(api: Api) -> None:
    owner = await api.account()
    shop_id = await make_shop(api.container, owner)
    base = api.container.clock.now()
    ids = []
    for hours in (1, 3, 2):
        r = await api.client.post(
            "/api/v1/shows",
            json={
                "shop_id": shop_id,
                "title": f"In {hours}h",
                "scheduled_at": (base + timedelta(hours=hours)).isoformat(),
            },
            headers=owner.headers,
        )
        ids.append(r.json()["id"])
    r = await api.client.get("/api/v1/shows")
    assert [s["id"] for s in r.json()] == [ids[1], ids[2], ids[0]]
