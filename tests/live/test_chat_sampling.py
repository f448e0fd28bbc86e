"""Chat faster than anyone reads: viewers get a sample, the show's staff every message, and an
author always their own; nothing but chat is sampled, and every frame says which seqs it
covers, so a client can tell a message left out from one lost.

The test's clock stands still (ManualClock), so every message counts as arriving at once and
which ones are sampled is decided by the counts alone: over 2 messages/s across a 1 s window
with 0.5 a second sampled, of 25 messages viewers get the 1st, 2nd, 3rd and 19th.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from livebazaar.accounts import Role
from livebazaar.kernel.clock import ManualClock
from livebazaar.live import apply_frame
from tests.factories import grant
from tests.live.stage import make_stage, next_raw_frame, post_chat, viewer
from tests.nodes import Node, single_node

SAMPLING: dict[str, Any] = {
    "chat_sample_above_per_s": 2.0,
    "chat_sample_window_s": 1.0,
    "chat_sample_per_s": 0.5,
    "chat_rate_per_10s": 1000,
}
SAMPLED_IN = [1, 2, 3, 19]  # of 25 messages at once, what viewers get (see the docstring)


@pytest.fixture
async def served(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Node]:
    async with single_node(tmp_path, clock, **SAMPLING) as n:
        yield n


async def frames_until(ws: ClientConnection, seq: int) -> list[dict[str, Any]]:
    """Frames until one reaches `seq`, each checked to start where the last one ended (no
    gap) and to hold only seqs of its range, in order."""
    got: list[dict[str, Any]] = []
    up_to = None
    while up_to is None or up_to < seq:
        frame = await next_raw_frame(ws)
        first, last = (
            (frame["first_seq"], frame["last_seq"])
            if frame["type"] == "batch"
            else (frame["seq"], frame["seq"])
        )
        assert up_to is None or first <= up_to + 1, (up_to, frame)
        events = frame["events"] if frame["type"] == "batch" else [frame]
        assert all(first <= e["seq"] <= last for e in events)
        got.append(frame)
        up_to = last
    return got


def events_of(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for f in frames for e in (f["events"] if f["type"] == "batch" else [f])]


def texts(frames: list[dict[str, Any]]) -> list[str]:
    return [e["data"]["text"] for e in events_of(frames) if e["type"] == "chat.message"]


async def test_viewers_get_a_sample_staff_everything_and_authors_their_own(
    served: Node,
) -> None:
    n = served
    stage = await make_stage(n.api)
    fan, moderator = await n.api.account("Fan"), await n.api.account("Mod")
    await grant(n.api.container, stage.shop_id, moderator, Role.MODERATOR)
    show = stage.show_id
    async with (
        viewer(n.url, show, token=stage.owner.token) as host,
        viewer(n.url, show, token=moderator.token) as mod,
        viewer(n.url, show) as anonymous,
        viewer(n.url, show, token=fan.token) as author,
    ):
        # When 25 messages arrive at once, the 13th from the fan, then a pin
        for i in range(1, 26):
            who = fan if i == 13 else stage.owner
            await post_chat(n.api, stage, who, f"m{i}")
        pin = {"product_id": stage.products[0].id}
        r = await n.api.client.post(f"{stage.url}/pin", json=pin, headers=stage.owner.headers)
        assert r.status_code == 200
        last = (await n.api.client.get(stage.url)).json()["last_seq"]
        got = {
            name: await frames_until(ws, last)
            for name, ws in [("host", host), ("mod", mod), ("anon", anonymous), ("fan", author)]
        }
    everything = [f"m{i}" for i in range(1, 26)]
    sample = [f"m{i}" for i in SAMPLED_IN]
    assert texts(got["host"]) == texts(got["mod"]) == everything
    assert texts(got["anon"]) == sample
    assert texts(got["fan"]) == sorted([*sample, "m13"], key=lambda t: int(t[1:]))
    for frames in got.values():  # nothing but chat is sampled: the pin reaches everyone
        assert events_of(frames)[-1]["type"] == "product.pinned"
        assert frames[-1].get("last_seq", frames[-1].get("seq")) == last


async def test_a_viewer_replayed_a_gap_gets_its_recent_chat_and_its_own(served: Node) -> None:
    n = served
    stage = await make_stage(n.api)
    fan = await n.api.account("Fan")
    stale = (await n.api.client.get(stage.url)).json()
    for i in range(1, 61):  # nobody watching: the broker keeps them for replay
        await post_chat(n.api, stage, fan if i == 5 else stage.owner, f"m{i}")
    fresh = (await n.api.client.get(stage.url)).json()
    after = stale["last_seq"]
    replays = {}
    for name, token in [("host", stage.owner.token), ("anon", None), ("fan", fan.token)]:
        params = {"after": after, **({"token": token} if token else {})}
        async with viewer(n.url, stage.show_id, **params) as ws:
            replays[name] = await frames_until(ws, fresh["last_seq"])
    assert texts(replays["host"]) == [f"m{i}" for i in range(1, 61)]
    assert texts(replays["anon"]) == [f"m{i}" for i in range(11, 61)]  # the newest 50
    assert texts(replays["fan"]) == ["m5"] + [f"m{i}" for i in range(11, 61)]
    # A viewer's replayed state is what a fresh GET shows (its recent chat: the newest 50)
    state = stale
    for frame in replays["anon"]:
        state = apply_frame(state, frame)
    assert state["recent_chat"] == fresh["recent_chat"]
    assert state["last_seq"] == fresh["last_seq"]
