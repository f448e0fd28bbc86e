"""Co-hosts: the ambassador invites an influencer for one show, and only that show."""

from __future__ import annotations

from tests.live.stage import make_stage
from tests.support import Api, assert_problem


async def test_invited_cohost_runs_that_show_only(api: Api) -> None:
    # Given two shows of the same shop, and an influencer who is not a shop member
    show_a = await make_stage(api)
    show_b = await make_stage(api)
    influencer = await api.account("Influencer")
    first = show_a.products[0].id
    pin = {"product_id": first}

    # When the host invites her to show A and she accepts
    r = await api.client.post(
        f"{show_a.url}/cohosts", json={"email": influencer.email}, headers=show_a.owner.headers
    )
    assert r.status_code == 201, r.text
    assert r.json()["accepted_at"] is None
    r = await api.client.post(f"{show_a.url}/pin", json=pin, headers=influencer.headers)
    assert_problem(r, 403, "not_show_host")  # not before accepting
    r = await api.client.post(f"{show_a.url}/cohosts/accept", headers=influencer.headers)
    assert r.status_code == 200
    assert r.json()["accepted_at"] is not None

    # Then she can pin in show A, appears among its hosts, and cannot pin in show B
    r = await api.client.post(f"{show_a.url}/pin", json=pin, headers=influencer.headers)
    assert r.status_code == 200, r.text
    hosts = {(h["user_id"], h["role"]) for h in r.json()["hosts"]}
    assert (influencer.user_id, "cohost") in hosts
    r = await api.client.post(
        f"{show_b.url}/pin", json={"product_id": show_b.products[0].id}, headers=influencer.headers
    )
    assert_problem(r, 403, "not_show_host")
    r = await api.client.post(
        f"{show_b.url}/cohosts", json={"email": "x@example.org"}, headers=influencer.headers
    )
    assert_problem(r, 403, "not_show_host")


async def test_invitation_refusals(api: Api) -> None:
    stage = await make_stage(api)
    guest = await api.account()
    stranger = await api.account()
    url = f"{stage.url}/cohosts"
    h = stage.owner.headers
    r = await api.client.post(url, json={"email": guest.email}, headers=stranger.headers)
    assert_problem(r, 403, "not_show_host")
    r = await api.client.post(url, json={"email": "ghost@example.org"}, headers=h)
    assert_problem(r, 404, "user_not_found")
    r = await api.client.post(url, json={"email": stage.owner.email}, headers=h)
    assert_problem(r, 409, "already_host")
    r = await api.client.post(f"{url}/accept", headers=stranger.headers)
    assert_problem(r, 404, "invite_not_found")
    # Inviting twice is harmless; accepting twice too.
    for _ in range(2):
        assert (
            await api.client.post(url, json={"email": guest.email}, headers=h)
        ).status_code == 201
    for _ in range(2):
        assert (await api.client.post(f"{url}/accept", headers=guest.headers)).status_code == 200
    r = await api.client.get(stage.url)
    assert [h["role"] for h in r.json()["hosts"]] == ["host", "cohost"]
