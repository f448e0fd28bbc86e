"""Chat: plain text within limits, rate limits, slow mode, blocked words, history."""

from __future__ import annotations

import asyncio

from livebazaar.accounts import Role
from livebazaar.kernel.clock import ManualClock
from tests.factories import grant
from tests.live.stage import make_stage, post_chat
from tests.support import Api, assert_problem


async def test_text_is_stripped_and_bounded(api: Api) -> None:
    stage = await make_stage(api)
    viewer = await api.account()
    url = f"{stage.url}/chat"
    limit = api.container.settings.chat_max_length
    r = await api.client.post(url, json={"text": "   "}, headers=viewer.headers)
    assert_problem(r, 422, "chat_empty")
    r = await api.client.post(url, json={"text": "x" * (limit + 1)}, headers=viewer.headers)
    assert_problem(r, 422, "chat_too_long")
    message = await post_chat(api, stage, viewer, "  " + "y" * limit + "  ")
    assert message["text"] == "y" * limit
    r = await api.client.post(url, json={"text": "\x00 \x00"}, headers=viewer.headers)
    assert_problem(r, 422, "chat_empty")
    assert_problem(await api.client.post(url, json={"text": "hi"}), 401, "not_authenticated")


async def test_markup_is_stored_verbatim_and_returned_as_json_text(api: Api) -> None:
    stage = await make_stage(api)
    viewer = await api.account()
    evil = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    message = await post_chat(api, stage, viewer, evil)
    assert message["text"] == evil
    r = await api.client.get(f"{stage.url}/chat")
    assert r.headers["content-type"] == "application/json"
    assert [m["text"] for m in r.json()] == [evil]
    assert (await api.client.get(stage.url)).json()["recent_chat"][0]["text"] == evil


async def test_chat_only_while_live(api: Api) -> None:
    stage = await make_stage(api, live=False)
    viewer = await api.account()
    r = await api.client.post(f"{stage.url}/chat", json={"text": "hi"}, headers=viewer.headers)
    assert_problem(r, 409, "show_not_live")
    r = await api.client.post(
        "/api/v1/shows/nope/chat", json={"text": "hi"}, headers=viewer.headers
    )
    assert_problem(r, 404, "show_not_found")


async def test_rate_limit_per_rolling_ten_seconds(api: Api, clock: ManualClock) -> None:
    stage = await make_stage(api)
    viewer = await api.account()
    per_10s = api.container.settings.chat_rate_per_10s
    for i in range(per_10s):
        await post_chat(api, stage, viewer, f"msg {i}")
        clock.advance(1)
    r = await api.client.post(
        f"{stage.url}/chat", json={"text": "one more"}, headers=viewer.headers
    )
    body = assert_problem(r, 429, "rate_limited")
    assert 0 < body["retry_after_s"] <= 10
    assert "retry-after" in r.headers
    other = await api.account()  # the limit is per user
    await post_chat(api, stage, other, "me too")
    clock.advance(body["retry_after_s"])
    await post_chat(api, stage, viewer, "back again")


async def test_slow_mode_spaces_each_users_messages(api: Api, clock: ManualClock) -> None:
    stage = await make_stage(api)
    viewer = await api.account()
    r = await api.client.put(f"{stage.url}/slow-mode", json={"seconds": 30}, headers=viewer.headers)
    assert_problem(r, 403, "not_moderator")
    r = await api.client.put(
        f"{stage.url}/slow-mode", json={"seconds": 30}, headers=stage.owner.headers
    )
    assert r.json() == {"show_id": stage.show_id, "seconds": 30}
    await post_chat(api, stage, viewer, "first")
    clock.advance(20)
    r = await api.client.post(f"{stage.url}/chat", json={"text": "2nd"}, headers=viewer.headers)
    body = assert_problem(r, 429, "slow_mode")
    assert body["retry_after_s"] == 10
    clock.advance(10)
    await post_chat(api, stage, viewer, "second")
    r = await api.client.put(
        f"{stage.url}/slow-mode", json={"seconds": 301}, headers=stage.owner.headers
    )
    assert_problem(r, 422, "validation_failed")
    assert (await api.client.get(stage.url)).json()["slow_mode_s"] == 30


async def test_blocked_words_match_whole_words_in_any_case(api: Api) -> None:
    stage = await make_stage(api)
    viewer = await api.account()
    moderator = await api.account()
    await grant(api.container, stage.shop_id, moderator, Role.MODERATOR)
    url = f"/api/v1/shops/{stage.shop_id}/blocked-words"
    r = await api.client.put(url, json=["Scam"], headers=viewer.headers)
    assert_problem(r, 403, "role_required")
    r = await api.client.put(url, json=[" Scam ", "fake", "scam"], headers=moderator.headers)
    assert r.json() == {"shop_id": stage.shop_id, "words": ["fake", "scam"]}
    chat = f"{stage.url}/chat"
    for text in ("total SCAM!", "Fake pearls", "scam"):
        r = await api.client.post(chat, json={"text": text}, headers=viewer.headers)
        assert_problem(r, 422, "blocked_word")
    await post_chat(api, stage, viewer, "no scammers here, not faked")  # not whole words
    r = await api.client.put(url, json=["İ" * 100], headers=moderator.headers)
    assert_problem(r, 422, "blocked_word_too_long")  # lower-casing made it longer
    r = await api.client.put("/api/v1/shops/nope/blocked-words", json=[], headers=viewer.headers)
    assert_problem(r, 404, "shop_not_found")


async def test_history_pages_after_a_message_and_leaves_out_deleted(
    api: Api, clock: ManualClock
) -> None:
    stage = await make_stage(api)
    viewers = [await api.account() for _ in range(3)]
    sent = []
    for i, account in enumerate(viewers):
        sent.append(await post_chat(api, stage, account, f"hello {i}"))
        clock.advance(1)
    r = await api.client.delete(f"{stage.url}/chat/{sent[1]['id']}", headers=stage.owner.headers)
    assert r.status_code == 204
    r = await api.client.get(f"{stage.url}/chat")
    assert [m["text"] for m in r.json()] == ["hello 0", "hello 2"]
    r = await api.client.get(f"{stage.url}/chat", params={"after": sent[0]["id"]})
    assert [m["text"] for m in r.json()] == ["hello 2"]
    r = await api.client.get(f"{stage.url}/chat", params={"limit": 1})
    assert [m["text"] for m in r.json()] == ["hello 0"]
    r = await api.client.get(f"{stage.url}/chat", params={"after": "nope"})
    assert_problem(r, 404, "chat_message_not_found")
    assert_problem(await api.client.get("/api/v1/shows/nope/chat"), 404, "show_not_found")


async def test_reactions_are_accepted_while_live_and_rate_limited(api: Api) -> None:
    stage = await make_stage(api)
    viewer = await api.account()
    url = f"{stage.url}/reactions"
    for _ in range(api.container.settings.chat_rate_per_10s):
        r = await api.client.post(url, json={"kind": "heart"}, headers=viewer.headers)
        assert r.status_code == 202
    r = await api.client.post(url, json={"kind": "fire"}, headers=viewer.headers)
    assert_problem(r, 429, "rate_limited")
    r = await api.client.post(url, json={"kind": "poop"}, headers=viewer.headers)
    assert_problem(r, 422, "validation_failed")
    await api.client.post(f"{stage.url}/end", headers=stage.owner.headers)
    other = await api.account()
    r = await api.client.post(url, json={"kind": "heart"}, headers=other.headers)
    assert_problem(r, 409, "show_not_live")


async def test_slow_mode_lets_one_of_two_simultaneous_messages_through(
    api: Api, clock: ManualClock
) -> None:
    """Two messages from one sender at the same instant (two tabs, two nodes on PostgreSQL):
    one passes, the other waits its turn."""
    stage = await make_stage(api)
    viewer = await api.account()
    r = await api.client.put(
        f"{stage.url}/slow-mode", json={"seconds": 30}, headers=stage.owner.headers
    )
    assert r.status_code == 200
    answers = await asyncio.gather(
        *(
            api.client.post(f"{stage.url}/chat", json={"text": f"m{i}"}, headers=viewer.headers)
            for i in range(6)
        )
    )
    assert sorted(r.status_code for r in answers) == [201] + [429] * 5
