from __future__ import annotations

import httpx

from livebazaar.kernel.clock import ManualClock
from tests.support import Api, assert_problem


async def test_register_then_token_then_me(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/auth/register",
        json={"email": "Ana@Example.org", "password": "s3cret-pearls", "display_name": "Ana"},
    )
    assert r.status_code == 201
    assert r.json()["email"] == "ana@example.org"
    r = await client.post(
        "/api/v1/auth/token", json={"email": "ana@example.org", "password": "s3cret-pearls"}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["display_name"] == "Ana"


async def test_duplicate_email_is_refused(client: httpx.AsyncClient) -> None:
    payload = {"email": "bo@example.org", "password": "long enough phrase", "display_name": "Bo"}
    assert (await client.post("/api/v1/auth/register", json=payload)).status_code == 201
    r = await client.post("/api/v1/auth/register", json={**payload, "email": "BO@example.org"})
    assert_problem(r, 409, "email_taken")


async def test_wrong_password_and_unknown_email_look_alike(
    client: httpx.AsyncClient, api: Api
) -> None:
    account = await api.account()
    wrong = await client.post(
        "/api/v1/auth/token", json={"email": account.email, "password": "nope nope"}
    )
    unknown = await client.post(
        "/api/v1/auth/token", json={"email": "ghost@example.org", "password": "nope nope"}
    )
    assert_problem(wrong, 401, "bad_credentials")
    assert_problem(unknown, 401, "bad_credentials")


async def test_logout_stops_the_token(client: httpx.AsyncClient, api: Api) -> None:
    account = await api.account()
    assert (await client.get("/api/v1/me", headers=account.headers)).status_code == 200
    r = await client.post("/api/v1/auth/logout", headers=account.headers)
    assert r.status_code == 204
    assert_problem(await client.get("/api/v1/me", headers=account.headers), 401, "invalid_token")


async def test_token_expires(client: httpx.AsyncClient, api: Api, clock: ManualClock) -> None:
    account = await api.account()
    clock.advance(api.container.settings.token_ttl_s + 1)
    assert_problem(await client.get("/api/v1/me", headers=account.headers), 401, "invalid_token")


async def test_weak_password_and_bad_email_are_422(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/auth/register",
        json={"email": "not-an-email", "password": "short", "display_name": ""},
    )
    body = assert_problem(r, 422, "validation_failed")
    fields = {e["loc"][-1] for e in body["errors"]}
    assert fields == {"email", "password", "display_name"}


async def test_no_token_is_401(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/me"), 401, "not_authenticated")
    r = await client.get("/api/v1/me", headers={"Authorization": "Bearer made-up"})
    assert_problem(r, 401, "invalid_token")


async def test_granting_a_role_twice_is_idempotent(client: httpx.AsyncClient, api: Api) -> None:
    owner, helper = await api.account("Owner"), await api.account("Helper")
    shop = await api.shop(owner)
    for _ in range(2):
        r = await client.post(
            f"/api/v1/shops/{shop['id']}/members",
            json={"email": helper.email, "role": "moderator"},
            headers=owner.headers,
        )
        assert r.status_code == 201, r.text
    members = (
        await client.get(f"/api/v1/shops/{shop['id']}/members", headers=owner.headers)
    ).json()
    assert [m["role"] for m in members if m["user_id"] == helper.user_id] == ["moderator"]


async def test_a_lookup_racing_a_logout_does_not_revive_the_token(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a token whose logout this process has heard of, while the database (read by a
    # lookup that started just before the logout committed) still calls it valid
    account = await api.account()
    actors = api.container.actors
    token_id = (await actors.get_actor(account.token)).token_id
    actors.forget(token_id)
    # Then the next request is refused rather than re-caching the stale answer
    assert_problem(await client.get("/api/v1/me", headers=account.headers), 401, "invalid_token")
