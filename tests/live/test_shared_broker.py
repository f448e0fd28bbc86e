"""The show WebSocket over a broker that several nodes share (Redis): a viewer misses nothing
between joining and the server subscription going live, and when this node's subscription is
lost for good (here: the show's history vanished from Redis, as after a Redis restart without
persistence) the viewers are cut off with 1013, reconnect with `after`, and are told to
resync instead of being left silent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from livebazaar.settings import Settings
from tests.brokers import forget_redis, redis_url, unique_prefix
from tests.live.stage import make_stage, next_frame, post_chat, viewer
from tests.support import Api

SLOW_CONSUMER_CLOSE = 1013


async def _close_code(ws: ClientConnection) -> int | None:
    """Read until the server closes the socket; the code it closed with."""
    try:
        while True:
            await next_frame(ws)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else None


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    url, name = redis_url(), unique_prefix()
    yield name
    await forget_redis(url, name)


@pytest.fixture
def settings(settings: Settings, prefix: str) -> Settings:
    return settings.model_copy(
        update={"broker_url": redis_url(), "broker_prefix": prefix, "chat_rate_per_10s": 100}
    )


async def test_a_viewer_gets_frames_at_once_and_is_reconnected_when_history_is_lost(
    api: Api, live_server: str, prefix: str
) -> None:
    stage = await make_stage(api)
    async with viewer(live_server, stage.show_id) as ws:
        # Posted right after the socket opened: the subscription was live before the accept.
        await post_chat(api, stage, stage.owner, "first")
        got = await next_frame(ws)
        assert (got["type"], got["data"]["text"]) == ("chat.message", "first")

        redis = Redis.from_url(redis_url())
        try:
            topic = f"show.{stage.show_id}"
            assert await redis.delete(f"{prefix}:{{{topic}}}:seq", f"{prefix}:{{{topic}}}:log") == 2
        finally:
            await redis.aclose()
        await post_chat(api, stage, stage.owner, "after the loss")  # the topic restarts at 1
        assert await _close_code(ws) == SLOW_CONSUMER_CLOSE

    async with viewer(live_server, stage.show_id, after=got["seq"]) as ws:
        assert await next_frame(ws) == {"type": "resync", "last_seq": 1}
        await post_chat(api, stage, stage.owner, "live again")
        again = await next_frame(ws)
        assert (again["type"], again["seq"]) == ("chat.message", 2)
