"""A viewer away longer than the replay buffer reaches is told to refetch, not fed a gap."""

from __future__ import annotations

import pytest

from livebazaar.settings import Settings
from tests.live.stage import make_stage, next_frame, post_chat, viewer
from tests.support import Api


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"event_buffer_size": 10, "chat_rate_per_10s": 100})


async def test_after_a_seq_older_than_the_buffer_gets_resync(api: Api, live_server: str) -> None:
    stage = await make_stage(api)
    seen = (await api.client.get(stage.url)).json()["last_seq"]
    for i in range(12):
        await post_chat(api, stage, stage.owner, f"message {i}")
    async with viewer(live_server, stage.show_id, after=seen) as ws:
        resync = await next_frame(ws)
        await post_chat(api, stage, stage.owner, "after the resync")
        live = await next_frame(ws)
    assert resync == {"type": "resync", "last_seq": seen + 12}
    fresh = (await api.client.get(stage.url)).json()
    assert fresh["last_seq"] == live["seq"] == seen + 13
    # A seq the broker never issued (it restarted) gets the same answer
    async with viewer(live_server, stage.show_id, after=10_000) as ws:
        assert await next_frame(ws) == {"type": "resync", "last_seq": seen + 13}
