"""Moderation: only moderators delete, mute and ban; sanctioned viewers cannot chat."""

from __future__ import annotations

import pytest

from livebazaar.accounts import Role, do_set_admin
from livebazaar.kernel.clock import ManualClock
from livebazaar.live import ShowNotFound, may_moderate_show
from tests.factories import grant
from tests.live.stage import Stage, make_stage, post_chat
from tests.support import Account, Api, assert_problem


async def test_only_moderators_delete_messages(api: Api) -> None:
    stage = await make_stage(api)
    author = await api.account()
    moderator = await api.account()
    await grant(api.container, stage.shop_id, moderator, Role.MODERATOR)
    message = await post_chat(api, stage, author, "buy my pearls elsewhere")
    url = f"{stage.url}/chat/{message['id']}"
    assert_problem(await api.client.delete(url, headers=author.headers), 403, "not_moderator")
    assert (await api.client.delete(url, headers=moderator.headers)).status_code == 204
    assert (await api.client.delete(url, headers=moderator.headers)).status_code == 204
    assert (await api.client.get(stage.url)).json()["recent_chat"] == []
    r = await api.client.delete(f"{stage.url}/chat/nope", headers=moderator.headers)
    assert_problem(r, 404, "chat_message_not_found")


async def test_a_message_of_another_show_cannot_be_deleted_through_this_one(api: Api) -> None:
    mine = await make_stage(api)
    theirs = await make_stage(api)
    message = await post_chat(api, theirs, await api.account(), "hello")
    r = await api.client.delete(f"{mine.url}/chat/{message['id']}", headers=mine.owner.headers)
    assert_problem(r, 404, "chat_message_not_found")


async def test_muted_viewer_waits_out_the_mute(api: Api, clock: ManualClock) -> None:
    stage = await make_stage(api)
    loud = await api.account()
    mute = {"user_id": loud.user_id, "minutes": 5}
    r = await api.client.post(f"{stage.url}/mutes", json=mute, headers=loud.headers)
    assert_problem(r, 403, "not_moderator")
    r = await api.client.post(f"{stage.url}/mutes", json=mute, headers=stage.owner.headers)
    assert r.status_code == 201
    assert r.json()["kind"] == "mute"
    r = await api.client.post(f"{stage.url}/chat", json={"text": "hey"}, headers=loud.headers)
    assert_problem(r, 403, "chat_muted")
    clock.advance(5 * 60)
    await post_chat(api, stage, loud, "I am back")


async def test_ban_covers_every_show_of_the_shop(api: Api) -> None:
    stage = await make_stage(api)
    troll = await api.account()
    r = await api.client.post(
        f"{stage.url}/bans", json={"user_id": troll.user_id}, headers=stage.owner.headers
    )
    assert r.status_code == 201
    assert r.json()["until"] is None
    r = await api.client.post(f"{stage.url}/chat", json={"text": "hey"}, headers=troll.headers)
    assert_problem(r, 403, "chat_banned")
    r = await api.client.post(
        f"{stage.url}/bans", json={"user_id": "nope"}, headers=stage.owner.headers
    )
    assert_problem(r, 404, "user_not_found")


async def test_cohost_moderates_only_their_show(api: Api) -> None:
    show_a = await make_stage(api)
    show_b = await make_stage(api)
    cohost = await api.account()
    await api.client.post(
        f"{show_a.url}/cohosts", json={"email": cohost.email}, headers=show_a.owner.headers
    )
    await api.client.post(f"{show_a.url}/cohosts/accept", headers=cohost.headers)
    viewer = await api.account()
    in_a = await post_chat(api, show_a, viewer, "a")
    in_b = await post_chat(api, show_b, viewer, "b")
    r = await api.client.delete(f"{show_a.url}/chat/{in_a['id']}", headers=cohost.headers)
    assert r.status_code == 204
    r = await api.client.delete(f"{show_b.url}/chat/{in_b['id']}", headers=cohost.headers)
    assert_problem(r, 403, "not_moderator")


async def _cohost(api: Api, stage: Stage) -> Account:
    influencer = await api.account("Influencer")
    r = await api.client.post(
        f"{stage.url}/cohosts", json={"email": influencer.email}, headers=stage.owner.headers
    )
    assert r.status_code == 201, r.text
    r = await api.client.post(f"{stage.url}/cohosts/accept", headers=influencer.headers)
    assert r.status_code == 200, r.text
    return influencer


async def test_a_cohost_cannot_silence_the_shops_own_people(api: Api) -> None:
    stage = await make_stage(api)
    influencer = await _cohost(api, stage)
    moderator = await api.account("Moderator")
    await grant(api.container, stage.shop_id, moderator, Role.MODERATOR)
    for target in (stage.owner.user_id, moderator.user_id):
        r = await api.client.post(
            f"{stage.url}/mutes", json={"user_id": target, "minutes": 5}, headers=influencer.headers
        )
        assert_problem(r, 403, "cannot_sanction_staff")
    r = await api.client.post(
        f"{stage.url}/mutes",
        json={"user_id": influencer.user_id, "minutes": 5},
        headers=moderator.headers,
    )
    assert_problem(r, 403, "cannot_sanction_staff")  # nor the show's own co-host
    await post_chat(api, stage, stage.owner, "Still here")


async def test_no_sanctions_from_an_ended_show(api: Api) -> None:
    stage = await make_stage(api)
    influencer = await _cohost(api, stage)
    troll = await api.account("Troll")
    assert (
        await api.client.post(f"{stage.url}/end", headers=stage.owner.headers)
    ).status_code == 200
    r = await api.client.post(
        f"{stage.url}/mutes", json={"user_id": troll.user_id, "minutes": 5},
        headers=influencer.headers,
    )  # fmt: skip
    assert_problem(r, 409, "show_ended")


async def test_a_lifted_ban_lets_the_viewer_chat_again(api: Api) -> None:
    stage = await make_stage(api)
    troll = await api.account("Troll")
    ban = {"user_id": troll.user_id}
    assert (
        await api.client.post(f"{stage.url}/bans", json=ban, headers=stage.owner.headers)
    ).status_code == 201
    lift_url = f"{stage.url}/sanctions/{troll.user_id}"
    assert_problem(await api.client.delete(lift_url, headers=troll.headers), 403, "not_moderator")
    r = await api.client.delete(lift_url, headers=stage.owner.headers)
    assert r.status_code == 200
    assert r.json() == {"lifted": 1}
    await post_chat(api, stage, troll, "Sorry, I got carried away")
    assert (await api.client.delete(lift_url, headers=stage.owner.headers)).json() == {"lifted": 0}


async def test_a_cohost_cannot_invite_more_cohosts(api: Api) -> None:
    stage = await make_stage(api)
    influencer = await _cohost(api, stage)
    friend = await api.account("Friend")
    r = await api.client.post(
        f"{stage.url}/cohosts", json={"email": friend.email}, headers=influencer.headers
    )
    assert_problem(r, 403, "shop_host_required")
    hosts = (await api.client.get(stage.url)).json()["hosts"]
    assert friend.user_id not in {h["user_id"] for h in hosts}


async def test_who_gets_every_chat_message_is_decided_in_one_query(api: Api) -> None:
    # The show's staff (its hosts and co-hosts, the shop's owners, hosts and moderators, and
    # platform admins) get every message over the socket; anyone else is a viewer
    stage = await make_stage(api)
    c = api.container
    moderator, cohost, stranger, admin = [await api.account() for _ in range(4)]
    await grant(c, stage.shop_id, moderator, Role.MODERATOR)
    r = await api.client.post(
        f"{stage.url}/cohosts", json={"email": cohost.email}, headers=stage.owner.headers
    )
    assert r.status_code == 201, r.text
    r = await api.client.post(f"{stage.url}/cohosts/accept", headers=cohost.headers)
    assert r.status_code == 200, r.text
    await do_set_admin(c.db, email=admin.email, is_admin=True)

    async def staff(who: Account | None, show_id: str = stage.show_id) -> bool:
        actor = await c.actors.get_actor(who.token) if who is not None else None
        async with c.db.read() as session:
            return await may_moderate_show(session, actor, show_id)

    assert [await staff(a) for a in (stage.owner, moderator, cohost, admin)] == [True] * 4
    assert [await staff(a) for a in (stranger, None)] == [False, False]
    for who in (stranger, None):
        with pytest.raises(ShowNotFound):
            await staff(who, "no-such-show")
