"""Two app nodes (two containers, one database, one Redis broker), each serving WebSockets:
the viewer count every viewer sees and the host's panel both say the total across the nodes.

Needs LIVEBAZAAR_TEST_REDIS_URL (tests/brokers.py). The single-node versions are
test_realtime.py::test_viewer_count_is_published_when_it_changes and
tests/web/test_show_stats.py::test_viewers_now_and_their_peak.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

from livebazaar.bootstrap import all_metadata
from livebazaar.broker import Message
from livebazaar.kernel.clock import ManualClock
from livebazaar.web.channel.realtime import RealtimeHub
from tests.brokers import forget_redis, redis_url, unique_prefix
from tests.conftest import make_settings
from tests.databases import database_url
from tests.live.stage import FRAME_TIMEOUT_S, make_stage, next_frame, viewer
from tests.nodes import node


def counts(sent: list[Message]) -> list[Any]:
    return [json.loads(m.body)["data"]["count"] for m in sent]


async def test_viewer_counts_add_up_across_nodes(tmp_path: Path, clock: ManualClock) -> None:
    url, prefix = redis_url(), unique_prefix()
    settings = make_settings(
        tmp_path, database_url=database_url(tmp_path, schema=True), broker_url=url,
        broker_prefix=prefix,
    )  # fmt: skip
    try:
        async with node(settings, clock) as a, node(settings, clock) as b:
            async with a.api.container.db.engine.begin() as conn:
                await conn.run_sync(all_metadata().create_all)
            stage = await make_stage(a.api)
            show = stage.show_id
            async with contextlib.AsyncExitStack() as on_b, viewer(a.url, show) as on_a:
                for _ in range(2):
                    await on_b.enter_async_context(viewer(b.url, show))
                # Each node's job reports its share; the first to see a new total publishes it
                assert counts(await a.hub.publish_viewer_counts()) == [1]
                assert counts(await b.hub.publish_viewer_counts()) == [3]
                assert await a.hub.publish_viewer_counts() == []  # no change: nobody repeats
                assert await b.hub.publish_viewer_counts() == []
                # A viewer on A hears B's total through the shared broker
                assert [(await next_frame(on_a))["data"]["count"] for _ in range(2)] == [1, 3]
                for n in (a, b):
                    assert await n.stats(show, stage.owner) == (3, 3)
                    assert await n.viewer_count(show) == 3
                # When B's two viewers leave, B publishes what remains
                await on_b.aclose()
                await asyncio.wait_for(_until_no_viewers(b.hub, show), FRAME_TIMEOUT_S)
                assert counts(await b.hub.publish_viewer_counts()) == [1]
                assert await a.hub.publish_viewer_counts() == []
                assert (await next_frame(on_a))["data"]["count"] == 1
                for n in (a, b):
                    assert await n.stats(show, stage.owner) == (1, 3)
    finally:
        await forget_redis(url, prefix)


async def _until_no_viewers(hub: RealtimeHub, show_id: str) -> None:
    # The server notices a closed socket on its own schedule; wait for it (bounded by caller).
    while hub.viewer_count(show_id):  # noqa: ASYNC110
        await asyncio.sleep(0.01)
