"""The ViewerTally port (live/audience.py): a show's viewers added up across app nodes.

The Redis tests need LIVEBAZAAR_TEST_REDIS_URL (tests/brokers.py) and skip without it; each
takes a prefix of its own and deletes its keys afterwards. Time is passed in (`now`): staleness
is driven by moving it, never by sleeping.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis

from livebazaar.bootstrap import build_container
from livebazaar.live import (
    InProcessViewerTally,
    RedisViewerTally,
    ViewerTally,
    ViewerTotals,
    viewer_tally_from_url,
)
from tests.brokers import forget_redis, redis_url, unique_prefix
from tests.conftest import make_settings

STALE_S = 6.0  # three 2 s intervals, as viewer_tally_from_url makes it
T0 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
SHOW = "show-1"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@dataclass
class Nodes:
    """Redis tallies ("nodes") sharing one server and a prefix of their own."""

    url: str
    prefix: str = field(default_factory=unique_prefix)
    made: list[RedisViewerTally] = field(default_factory=list)

    def node(self, node_id: str) -> RedisViewerTally:
        tally = RedisViewerTally(self.url, self.prefix, stale_after_s=STALE_S, node_id=node_id)
        self.made.append(tally)
        return tally

    async def fields(self, show_id: str) -> list[bytes]:
        client = Redis.from_url(self.url)
        try:
            keys = await client.hkeys(f"{self.prefix}:viewers:{{{show_id}}}")
            return sorted(k for k in keys if isinstance(k, bytes))  # no decode_responses
        finally:
            await client.aclose()


@contextlib.asynccontextmanager
async def redis_nodes() -> AsyncIterator[Nodes]:
    made = Nodes(redis_url())
    try:
        yield made
    finally:
        for tally in made.made:
            await tally.close()
        await forget_redis(made.url, made.prefix)


@pytest.fixture
async def nodes() -> AsyncIterator[Nodes]:
    async with redis_nodes() as made:
        yield made


@pytest.fixture(params=["in_process", "redis"])
async def one_node(request: pytest.FixtureRequest) -> AsyncIterator[ViewerTally]:
    """One node's tally, of either kind: alone, both behave the same."""
    if request.param == "in_process":
        yield InProcessViewerTally()
        return
    async with redis_nodes() as made:
        yield made.node("only")


async def test_one_node_publishes_each_change_once_and_keeps_the_peak(
    one_node: ViewerTally,
) -> None:
    t = one_node
    assert await t.report(SHOW, 2, T0, claim=True) == ViewerTotals(2, 2, publish=True)
    assert await t.report(SHOW, 2, at(1), claim=True) == ViewerTotals(2, 2, publish=False)
    # A report without a claim (the host's panel) does not use up the change
    assert await t.report(SHOW, 3, at(2)) == ViewerTotals(3, 3, publish=False)
    assert await t.report(SHOW, 3, at(3), claim=True) == ViewerTotals(3, 3, publish=True)
    assert await t.report(SHOW, 1, at(4), claim=True) == ViewerTotals(1, 3, publish=True)
    # Down to nobody: the 0 is published once
    assert await t.report(SHOW, 0, at(5), claim=True) == ViewerTotals(0, 3, publish=True)
    assert await t.report(SHOW, 0, at(6), claim=True) == ViewerTotals(0, 3, publish=False)
    # The node's own peak (seen between two reports) raises the show's
    assert (await t.report(SHOW, 1, at(7), peak=5)).peak == 5
    assert t.estimate(SHOW, 4, at(7)) == 4
    # Another show is counted on its own
    assert await t.report("show-2", 0, at(8), claim=True) == ViewerTotals(0, 0, publish=False)


async def test_two_nodes_add_up(nodes: Nodes) -> None:
    a, b = nodes.node("a"), nodes.node("b")
    assert (await a.report(SHOW, 3, T0)).total == 3
    assert (await b.report(SHOW, 4, at(0.5))).total == 7
    assert (await a.report(SHOW, 3, at(1))).total == 7
    assert (await b.report("show-2", 1, at(1))).total == 1
    # Without I/O each node adds the others' share, as of its last report, to its own now
    assert a.estimate(SHOW, 5, at(1)) == 9
    assert b.estimate(SHOW, 4, at(1)) == 7
    assert a.estimate(SHOW, 5, at(1 + STALE_S)) == 5  # too old to trust


async def test_a_node_that_stops_reporting_drops_out_after_three_intervals(
    nodes: Nodes,
) -> None:
    a, b = nodes.node("a"), nodes.node("b")
    await a.report(SHOW, 3, T0)
    await b.report(SHOW, 4, T0)
    # Node A dies. Its count stands until it is STALE_S old, then is deleted
    assert (await b.report(SHOW, 4, at(STALE_S - 0.001))).total == 7
    assert await nodes.fields(SHOW) == [b"a", b"b"]
    assert (await b.report(SHOW, 4, at(STALE_S))).total == 4
    assert await nodes.fields(SHOW) == [b"b"]
    # A node back up (or a new one) counts again from its first report
    assert (await a.report(SHOW, 2, at(STALE_S + 1))).total == 6


async def test_a_node_without_viewers_leaves_no_field(nodes: Nodes) -> None:
    a, b = nodes.node("a"), nodes.node("b")
    await a.report(SHOW, 3, T0)
    await b.report(SHOW, 4, T0)
    assert (await a.report(SHOW, 0, at(1))).total == 4
    assert await nodes.fields(SHOW) == [b"b"]


async def test_the_peak_is_the_most_the_total_has_been(nodes: Nodes) -> None:
    a, b = nodes.node("a"), nodes.node("b")
    await a.report(SHOW, 3, T0)
    assert (await b.report(SHOW, 4, T0)).peak == 7
    assert await a.report(SHOW, 0, at(1)) == ViewerTotals(4, 7, publish=False)
    assert (await b.report(SHOW, 4, at(2), peak=9)).peak == 9  # B once had 9 on its own
    assert (await a.report(SHOW, 1, at(20))).peak == 9  # outlives the nodes' counts


async def test_only_the_first_node_to_see_a_change_publishes_it(nodes: Nodes) -> None:
    a, b = nodes.node("a"), nodes.node("b")

    async def tick(seconds: float, count_a: int, count_b: int) -> list[tuple[str, int]]:
        """Both nodes' periodic job: who publishes, and which total."""
        sent = []
        for node, count in ((a, count_a), (b, count_b)):
            totals = await node.report(SHOW, count, at(seconds), claim=True)
            if totals.publish:
                sent.append((node.node_id, totals.total))
        return sent

    assert await tick(0, 3, 4) == [("a", 3), ("b", 7)]  # A reported before B did
    assert await tick(2, 3, 4) == []
    assert await tick(4, 2, 4) == [("a", 6)]
    assert await tick(6, 2, 5) == [("b", 7)]
    assert await tick(8, 0, 0) == [("a", 5), ("b", 0)]


async def test_keys_are_namespaced_and_expire(nodes: Nodes) -> None:
    a = nodes.node("a")
    await a.report(SHOW, 3, T0, claim=True)
    client = Redis.from_url(nodes.url)
    try:
        keys = sorted([k async for k in client.scan_iter(match=f"{nodes.prefix}:*")])
        base = f"{nodes.prefix}:viewers:{{{SHOW}}}"
        assert keys == [base.encode(), f"{base}:totals".encode()]
        for key in keys:
            assert 0 < await client.pttl(key) <= 24 * 3600 * 1000
        assert await client.hget(base, "a") == f"3:{int(T0.timestamp() * 1000)}".encode()
    finally:
        await client.aclose()


async def test_selection_follows_viewers_url_then_a_redis_broker(tmp_path: Path) -> None:
    url = "redis://127.0.0.1:6379/0"  # never connected to: tallies connect on first use
    assert isinstance(viewer_tally_from_url(url, prefix="p", interval_s=2), RedisViewerTally)
    for other in ("memory://", "nats://127.0.0.1:4222"):
        made = viewer_tally_from_url(other, prefix="p", interval_s=2)
        assert isinstance(made, InProcessViewerTally)
    assert InProcessViewerTally().node_id != InProcessViewerTally().node_id  # random per node
    cases = [({}, InProcessViewerTally), ({"viewers_url": url}, RedisViewerTally)]
    for overrides, kind in cases:
        container = build_container(make_settings(tmp_path, **overrides))
        try:
            assert isinstance(container.viewers, kind)
        finally:
            await container.close()
