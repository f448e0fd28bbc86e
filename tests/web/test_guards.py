"""A NUL character never reaches the database: PostgreSQL text cannot hold one, so an id or a
search carrying it would otherwise fail there as a 500."""

from __future__ import annotations

import httpx

from tests.support import Api, assert_problem


async def test_a_nul_in_the_path_or_the_query_is_refused_before_routing(
    client: httpx.AsyncClient,
) -> None:
    in_path = assert_problem(await client.get("/api/v1/shows/ab%00cd"), 422, "validation_failed")
    assert in_path["errors"][0]["loc"] == ["path"]
    in_query = await client.get("/api/v1/search/shows?q=a%00b")
    assert assert_problem(in_query, 422, "validation_failed")["errors"][0]["loc"] == ["query"]
    assert (await client.get("/api/v1/search/shows?q=ab")).status_code == 200


async def test_a_nul_in_a_lineup_id_is_a_validation_error(api: Api) -> None:
    owner = await api.account()
    shop = await api.shop(owner)
    show = await api.client.post(
        "/api/v1/shows",
        json={
            "shop_id": shop["id"],
            "title": "Pearls at dusk",
            "scheduled_at": "2031-05-01T12:00:00Z",
        },
        headers=owner.headers,
    )
    assert show.status_code == 201, show.text
    refused = await api.client.put(
        f"/api/v1/shows/{show.json()['id']}/lineup", json=["a\u0000b"], headers=owner.headers
    )
    assert_problem(refused, 422, "validation_failed")
