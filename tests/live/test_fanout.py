"""The show channel's fan-out: one frame per socket per tick, urgent shop events at once, a
quiet show never kept waiting, and frames written straight to the transport interleaving
whole with the server's own (pings, error answers).

Every difference in time is made by settings (a 30 s tick against the 10 s safety net of
`next_raw_frame`), never by a threshold on how fast this machine runs.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from livebazaar.broker.memory import MemoryBroker
from livebazaar.kernel.clock import ManualClock
from livebazaar.live import ReactionSent, publish_now, show_topic
from livebazaar.web.channel.realtime import RealtimeHub
from livebazaar.web.channel.show_connection import Connection
from livebazaar.web.channel.show_feed import FanoutPolicy
from livebazaar.web.channel.show_frames import Frame
from tests.live.stage import (
    FRAME_TIMEOUT_S,
    make_stage,
    next_frame,
    next_raw_frame,
    post_chat,
    viewer,
)
from tests.nodes import single_node

LONG_TICK: dict[str, Any] = {"fanout_tick_min_s": 30.0, "fanout_tick_max_s": 30.0}  # > safety net


async def test_a_lone_event_on_a_quiet_show_goes_out_at_once_whatever_the_tick(
    tmp_path: Path, clock: ManualClock
) -> None:
    async with single_node(tmp_path, clock, **LONG_TICK) as n:
        stage = await make_stage(n.api)
        async with viewer(n.url, stage.show_id) as ws:
            await post_chat(n.api, stage, stage.owner, "anyone here?")
            frame = await next_raw_frame(ws)  # long before a 30 s tick could have fired
    assert (frame["type"], frame["data"]["text"]) == ("chat.message", "anyone here?")


@pytest.mark.parametrize("stock_ws", [False, True], ids=["direct", "asgi"])
async def test_a_burst_waits_for_the_tick_and_an_urgent_event_sends_it_at_once(
    tmp_path: Path, clock: ManualClock, stock_ws: bool
) -> None:
    async with single_node(tmp_path, clock, stock_ws=stock_ws, **LONG_TICK) as n:
        stage = await make_stage(n.api)
        async with viewer(n.url, stage.show_id) as ws:
            # Given a first message, sent at once: the show was quiet
            await post_chat(n.api, stage, stage.owner, "first")
            first = await next_raw_frame(ws)
            # When three more follow within the (30 s) tick, then the host pins a product
            for text in ("b", "c", "d"):
                await post_chat(n.api, stage, stage.owner, text)
            pin = {"product_id": stage.products[0].id}
            r = await n.api.client.post(f"{stage.url}/pin", json=pin, headers=stage.owner.headers)
            assert r.status_code == 200, r.text
            # Then the pin goes at once, and what waited goes with it, in order, in one frame
            batch = await next_raw_frame(ws)
    assert first["type"] == "chat.message"
    assert batch["type"] == "batch"
    events = batch["events"]
    assert [e["type"] for e in events] == ["chat.message"] * 3 + ["product.pinned"]
    assert [e["data"].get("text") for e in events[:3]] == ["b", "c", "d"]
    assert [e["seq"] for e in events] == list(range(first["seq"] + 1, first["seq"] + 5))
    assert (batch["first_seq"], batch["last_seq"]) == (first["seq"] + 1, first["seq"] + 4)


async def test_events_arriving_together_share_one_frame_at_the_tick(
    tmp_path: Path, clock: ManualClock
) -> None:
    tick: dict[str, Any] = {"fanout_tick_min_s": 0.2, "fanout_tick_max_s": 0.2}
    async with single_node(tmp_path, clock, **tick) as n:
        stage = await make_stage(n.api)
        broker = n.api.container.broker
        async with viewer(n.url, stage.show_id) as ws:
            await publish_now(broker, clock, stage.show_id, ReactionSent(kind="heart"))
            alone = await next_raw_frame(ws)
            for kind in ("fire", "clap", "wow"):  # back to back: one turn of the loop
                await publish_now(broker, clock, stage.show_id, ReactionSent(kind=kind))
            together = await next_raw_frame(ws)
    assert alone["data"] == {"kind": "heart"}
    assert together["type"] == "batch"
    assert [e["data"]["kind"] for e in together["events"]] == ["fire", "clap", "wow"]
    assert together["first_seq"] == alone["seq"] + 1 == together["events"][0]["seq"]


@pytest.mark.parametrize(("busy_share", "expected"), [(1e-12, 0.25), (1.0, 0.1)])
async def test_the_tick_stretches_with_what_writing_a_tick_costs(
    busy_share: float, expected: float
) -> None:
    # A tick's writing costs more than a 1e-12 share of anything (the longest tick), and
    # far less than a whole 0.1 s of CPU for one socket (the shortest)
    broker = MemoryBroker()
    policy = FanoutPolicy(tick_min_s=0.1, tick_max_s=0.25, busy_share=busy_share)
    hub = RealtimeHub(broker, ManualClock(), policy=policy)
    conn = hub.join("s1")
    await broker.publish(show_topic("s1"), {"type": "reaction", "data": {"kind": "wow"}})
    assert await asyncio.wait_for(conn.next_frame(), FRAME_TIMEOUT_S) is not None
    feed = hub.feed("s1")
    assert feed is not None
    assert feed.tick == expected
    await hub.leave(conn)


async def test_direct_frames_interleave_whole_with_pings_and_error_answers(
    tmp_path: Path, clock: ManualClock
) -> None:
    async with single_node(tmp_path, clock) as n:
        stage = await make_stage(n.api)
        fan = await n.api.account("Fan")
        broker = n.api.container.broker
        async with viewer(n.url, stage.show_id, token=fan.token) as ws:
            pongs = []
            for i in range(60):
                await publish_now(broker, clock, stage.show_id, ReactionSent(kind="clap"))
                if i % 3 == 0:
                    await ws.send("not json")  # answered by an error frame through ASGI
                if i % 5 == 0:
                    pongs.append(await ws.ping())  # answered by the server's own pong
                if i % 7 == 0:
                    await asyncio.sleep(0)
            got: list[dict[str, Any]] = []
            while len(got) < 80:
                got.append(await next_frame(ws))
            await asyncio.wait_for(asyncio.gather(*pongs), FRAME_TIMEOUT_S)
    # Every frame parsed (the client checks each frame's header), none lost or out of order
    reactions = [f for f in got if f["type"] == "reaction"]
    errors = [f for f in got if f["type"] == "error"]
    assert len(reactions) == 60
    first = reactions[0]["seq"]
    assert [f["seq"] for f in reactions] == list(range(first, first + 60))
    assert [f["code"] for f in errors] == ["bad_frame"] * 20


async def test_an_anonymous_viewer_and_a_batch_frame_round_trip_as_json(
    tmp_path: Path, clock: ManualClock
) -> None:
    async with single_node(tmp_path, clock, **LONG_TICK) as n:
        stage = await make_stage(n.api)
        async with viewer(n.url, stage.show_id) as ws:
            await post_chat(n.api, stage, stage.owner, "one")
            await next_raw_frame(ws)
            await post_chat(n.api, stage, stage.owner, 'two "quoted" \\ and ✓')
            await n.api.client.post(f"{stage.url}/end", headers=stage.owner.headers)
            batch = await asyncio.wait_for(ws.recv(), FRAME_TIMEOUT_S)
    parsed = json.loads(batch)
    assert parsed["events"][0]["data"]["text"] == 'two "quoted" \\ and ✓'
    assert parsed["events"][-1]["type"] == "show.ended"


async def _frames_of(conn: Connection) -> list[Frame]:
    frames = []
    while conn.queued_bytes:
        frame = await conn.next_frame()
        assert frame is not None
        frames.append(frame)
    return frames


async def test_a_frame_is_built_once_and_shared_by_every_socket_of_an_audience() -> None:
    broker = MemoryBroker()
    hub = RealtimeHub(broker, ManualClock())
    conns = [hub.join("s1", staff=i == 0, user_id=f"u{i}") for i in range(1200)]  # 3 chunks
    await broker.publish(show_topic("s1"), {"type": "reaction", "data": {"kind": "wow"}})
    feed = hub.feed("s1")
    assert feed is not None
    while not all(c.queued_bytes for c in conns):  # noqa: ASYNC110 (a chunk per loop turn)
        await asyncio.sleep(0)
    frames = [(await _frames_of(c))[0] for c in conns]
    assert len({id(f) for f in frames}) == 1  # nothing sampled: staff and viewers share it
    assert feed.frames_built == 1
    for conn in conns:
        await hub.leave(conn)


async def test_an_urgent_event_takes_over_a_round_still_being_written() -> None:
    # Given 5,000 sockets (ten chunks of writes) and a round of one reaction under way
    broker = MemoryBroker()
    hub = RealtimeHub(broker, ManualClock())
    conns = [hub.join("s1") for _ in range(5000)]
    feed = hub.feed("s1")
    assert feed is not None
    await broker.publish(show_topic("s1"), {"type": "reaction", "data": {"kind": "wow"}})
    while not feed.writing:  # noqa: ASYNC110
        await asyncio.sleep(0)
    # When a drop starts before the round is done
    await broker.publish(show_topic("s1"), {"type": "drop.started", "data": {}})
    while feed.writing or not all(c.sent == 2 for c in conns):  # noqa: ASYNC110
        await asyncio.sleep(0)
    # Then the sockets not yet written got both events in one frame, the others the reaction
    # then the drop: each event once, in order, and the drop never waited for the round
    shapes = []
    for conn in conns:
        frames = [json.loads(f.payload) for f in await _frames_of(conn)]
        reach = [f.get("last_seq", f.get("seq")) for f in frames]
        assert reach in ([1, 2], [2]), reach
        events = [e for f in frames for e in f.get("events", [f])]
        assert [e["seq"] for e in events] == [1, 2]
        shapes.append(len(frames))
    assert set(shapes) == {1, 2}  # some sockets were written twice, the rest caught up at once
    for conn in conns:
        await hub.leave(conn)
