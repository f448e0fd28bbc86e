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


async def test_the_invitee_answers_and_the_host_sees_each_state(api: Api) -> None:
    # Given a show and two people its host invites
    stage = await make_stage(api)
    h = stage.owner.headers
    url = f"{stage.url}/cohosts"
    yes, no = await api.account("Yes"), await api.account("No")
    for guest in (yes, no):
        r = await api.client.post(url, json={"email": guest.email.upper()}, headers=h)
        assert r.status_code == 201, r.text

    async def states() -> dict[str, str]:
        r = await api.client.get(url, headers=h)
        assert r.status_code == 200, r.text
        return {i["display_name"]: i["status"] for i in r.json()}

    # Then both are pending, and each invitee finds theirs
    assert await states() == {"Yes": "pending", "No": "pending"}
    mine = (await api.client.get("/api/v1/me/cohost-invites", headers=no.headers)).json()
    assert [(i["show_id"], i["status"]) for i in mine] == [(stage.show_id, "pending")]
    # When one accepts and the other declines
    assert (await api.client.post(f"{url}/accept", headers=yes.headers)).status_code == 200
    r = await api.client.post(f"{url}/decline", headers=no.headers)
    assert r.status_code == 200
    assert r.json()["declined_at"] is not None
    # Then the host sees it; a declined invitation cannot be accepted, nor an accepted declined
    assert await states() == {"Yes": "accepted", "No": "declined"}
    assert (await api.client.get("/api/v1/me/cohost-invites", headers=no.headers)).json() == []
    r = await api.client.post(f"{url}/accept", headers=no.headers)
    assert_problem(r, 409, "invite_already_answered")
    r = await api.client.post(f"{url}/decline", headers=yes.headers)
    assert_problem(r, 409, "invite_already_answered")
    # When the host invites the one who declined again, the invitation is pending again
    assert (await api.client.post(url, json={"email": no.email}, headers=h)).status_code == 201
    assert await states() == {"Yes": "accepted", "No": "pending"}
    # And withdrawing the accepted one ends their hosting of the show
    r = await api.client.delete(f"{url}/{yes.user_id}", headers=h)
    assert r.status_code == 204
    assert await states() == {"No": "pending"}
    r = await api.client.post(
        f"{stage.url}/pin", json={"product_id": stage.products[0].id}, headers=yes.headers
    )
    assert_problem(r, 403, "not_show_host")
    assert [x["role"] for x in (await api.client.get(stage.url)).json()["hosts"]] == ["host"]
