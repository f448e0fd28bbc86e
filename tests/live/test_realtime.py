"""The show WebSocket: live frames, replay after a reconnect, client frames, viewer counts."""

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi import FastAPI
from websockets.exceptions import ConnectionClosed

from livebazaar.accounts import TokenKind, do_log_in
from livebazaar.broker.memory import MemoryBroker
from livebazaar.kernel.clock import ManualClock
from livebazaar.live import show_topic
from livebazaar.web.channel.realtime import SLOW_CONSUMER_CLOSE, RealtimeHub, hub_for
from livebazaar.web.channel.show_feed import FanoutPolicy
from tests.live.stage import FRAME_TIMEOUT_S, frames, make_stage, next_frame, post_chat, viewer
from tests.support import Api


async def _close_code(ws_cm: object) -> int:
    async with ws_cm as ws:  # type: ignore[attr-defined]
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), FRAME_TIMEOUT_S)
    assert closed.value.rcvd is not None
    code: int = closed.value.rcvd.code
    return code


async def test_reconnect_after_seq_gets_exactly_the_missed_frames(
    api: Api, live_server: str
) -> None:
    stage = await make_stage(api, live=False)
    h = stage.owner.headers
    async with viewer(live_server, stage.show_id) as ws:
        await api.client.post(f"{stage.url}/start", headers=h)
        seen = await next_frame(ws)
    assert seen["type"] == "show.started"
    # While the viewer is away, three things happen
    first = stage.products[0].id
    await api.client.post(f"{stage.url}/pin", json={"product_id": first}, headers=h)
    await post_chat(api, stage, stage.owner, "welcome back")
    await api.client.put(f"{stage.url}/slow-mode", json={"seconds": 5}, headers=h)
    async with viewer(live_server, stage.show_id, after=seen["seq"]) as ws:
        missed = await frames(ws, 3)
        await api.client.post(f"{stage.url}/end", headers=h)
        live = await frames(ws, 2)  # unpin, then show.ended
    assert [f["seq"] for f in missed + live] == list(range(seen["seq"] + 1, seen["seq"] + 6))
    assert [f["type"] for f in missed] == ["product.pinned", "chat.message", "chat.slow_mode"]
    assert [f["type"] for f in live] == ["product.pinned", "show.ended"]


async def test_after_the_latest_seq_gets_only_new_frames(api: Api, live_server: str) -> None:
    stage = await make_stage(api)
    last_seq = (await api.client.get(stage.url)).json()["last_seq"]
    async with viewer(live_server, stage.show_id, after=last_seq) as ws:
        await post_chat(api, stage, stage.owner, "hi")
        frame = await next_frame(ws)
    assert (frame["seq"], frame["type"]) == (last_seq + 1, "chat.message")


async def test_unknown_show_closes_4404(live_server: str) -> None:
    assert await _close_code(viewer(live_server, "no-such-show")) == 4404


async def test_bad_after_and_bad_token_are_refused(api: Api, live_server: str) -> None:
    stage = await make_stage(api)
    assert await _close_code(viewer(live_server, stage.show_id, after="x")) == 4400
    assert await _close_code(viewer(live_server, stage.show_id, token="made-up")) == 4401


async def test_cookie_socket_from_another_site_is_refused(api: Api, live_server: str) -> None:
    stage = await make_stage(api)
    c = api.container
    issued = await do_log_in(
        c.db, c.passwords, c.clock, email=stage.owner.email, password="correct horse",
        kind=TokenKind.SESSION, ttl_s=3600,
    )  # fmt: skip
    cookie = f"{c.settings.session_cookie_name}={issued.secret}"
    evil = {"Cookie": cookie, "Origin": "https://evil.example"}
    url = viewer(live_server, stage.show_id, headers=evil)
    assert await _close_code(url) == 4403
    host = live_server.removeprefix("http://")
    same = {"Cookie": cookie, "Origin": live_server}
    async with viewer(live_server, stage.show_id, headers=same) as ws:
        await ws.send(json.dumps({"type": "chat", "text": f"from {host}"}))
        frame = await next_frame(ws)
    assert frame["type"] == "chat.message"
    assert frame["data"]["user_id"] == stage.owner.user_id


async def test_chat_and_reactions_over_the_socket(api: Api, live_server: str) -> None:
    stage = await make_stage(api)
    fan = await api.account("Fan")
    async with viewer(live_server, stage.show_id, token=fan.token) as ws:
        await ws.send(json.dumps({"type": "chat", "text": " <b>hi</b> "}))
        chat = await next_frame(ws)
        await ws.send(json.dumps({"type": "reaction", "kind": "clap"}))
        reaction = await next_frame(ws)
        await ws.send(json.dumps({"type": "chat", "text": "  "}))
        empty = await next_frame(ws)
        await ws.send("not json")
        bad = await next_frame(ws)
    assert chat["data"]["text"] == "<b>hi</b>"
    assert chat["data"]["display_name"] == "Fan"
    assert (reaction["type"], reaction["data"]) == ("reaction", {"kind": "clap"})
    assert (empty["type"], empty["code"]) == ("error", "chat_empty")
    assert (bad["type"], bad["code"]) == ("error", "bad_frame")


async def test_anonymous_viewers_watch_but_cannot_chat(api: Api, live_server: str) -> None:
    stage = await make_stage(api)
    async with viewer(live_server, stage.show_id) as ws:
        await ws.send(json.dumps({"type": "chat", "text": "hi"}))
        refused = await next_frame(ws)
    assert (refused["type"], refused["code"]) == ("error", "not_authenticated")


async def test_viewer_count_is_published_when_it_changes(
    api: Api, app: FastAPI, live_server: str
) -> None:
    stage = await make_stage(api)
    hub = hub_for(app)
    async with viewer(live_server, stage.show_id) as one, viewer(live_server, stage.show_id):
        sent = await hub.publish_viewer_counts()
        assert [json.loads(m.body)["data"] for m in sent] == [{"count": 2}]
        assert (await next_frame(one))["data"] == {"count": 2}
        assert await hub.publish_viewer_counts() == []  # unchanged: nothing sent
        assert (await api.client.get(stage.url)).json()["viewer_count"] == 2
    await asyncio.wait_for(_until_no_viewers(hub, stage.show_id), FRAME_TIMEOUT_S)
    sent = await hub.publish_viewer_counts()
    assert [json.loads(m.body)["data"] for m in sent] == [{"count": 0}]
    assert (await api.client.get(stage.url)).json()["viewer_count"] == 0


async def test_a_viewer_who_came_as_another_left_is_told_the_count(
    api: Api, app: FastAPI, live_server: str
) -> None:
    # Given a room with one viewer, whose count was published
    stage = await make_stage(api)
    hub = hub_for(app)
    async with viewer(live_server, stage.show_id):
        assert [json.loads(m.body)["data"] for m in await hub.publish_viewer_counts()] == [
            {"count": 1}
        ]
    await asyncio.wait_for(_until_no_viewers(hub, stage.show_id), FRAME_TIMEOUT_S)
    # When, before the next report, another viewer's page read the state (its count without
    # itself: 0) and opened its socket: the total is 1 again, unchanged
    state = (await api.client.get(stage.url)).json()
    assert state["viewer_count"] == 0
    async with viewer(live_server, stage.show_id, after=state["last_seq"]) as ws:
        sent = await hub.publish_viewer_counts()
        # Then the report tells the room its count all the same, and the new viewer hears it
        assert [json.loads(m.body)["data"] for m in sent] == [{"count": 1}]
        assert (await next_frame(ws))["data"] == {"count": 1}
        assert await hub.publish_viewer_counts() == []  # nobody came since: nothing sent


async def _until_no_viewers(hub: RealtimeHub, show_id: str) -> None:
    # The server notices a closed socket on its own schedule; wait for it (bounded by caller).
    while hub.viewer_count(show_id):  # noqa: ASYNC110
        await asyncio.sleep(0.01)


async def test_one_subscription_per_show_however_many_viewers() -> None:
    broker = MemoryBroker()
    hub = RealtimeHub(broker, ManualClock())
    conns = [hub.join("s1") for _ in range(5)]
    assert len(broker._subscribers[show_topic("s1")]) == 1
    for conn in conns:
        await hub.leave(conn)
    assert show_topic("s1") not in broker._subscribers


async def test_a_slow_consumer_is_dropped_and_others_keep_their_frames() -> None:
    # Given a hub whose connections may queue two frames, one reader and one stalled viewer
    broker = MemoryBroker()
    hub = RealtimeHub(broker, ManualClock(), policy=FanoutPolicy(max_frames=2))
    stalled, reader = hub.join("s1"), hub.join("s1")
    received = []
    # When five frames are published and only the reader keeps up
    for i in range(5):
        await broker.publish(show_topic("s1"), {"n": i})
        frame = await asyncio.wait_for(reader.next_frame(), FRAME_TIMEOUT_S)
        assert frame is not None
        received.append(frame.last_seq)
    # Then the stalled one was told to go (None), its backlog freed; the reader got them all
    assert stalled.overflowed
    assert await stalled.next_frame() is None
    assert stalled.queued_bytes == 0
    assert received == [1, 2, 3, 4, 5]
    assert hub.viewer_count("s1") == 1
    assert SLOW_CONSUMER_CLOSE == 1013
    await hub.leave(reader)
    await hub.leave(stalled)
