"""The Redis broker on a real server: its keys, its one pub/sub connection, and what its
subscribers get when that connection drops or the server forgets a topic."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from livebazaar.broker.redis import RedisBroker
from tests.broker.conftest import Nodes
from tests.broker.reading import drain, ready, take


async def _numsub(client: Redis, broker: RedisBroker, topic: str) -> int:
    channel = broker._key(topic, "live")
    ((_, count),) = await client.pubsub_numsub(channel)
    return int(count)


async def _pubsub_clients(client: Redis, prefix: str) -> list[dict[str, str]]:
    return [c for c in await client.client_list() if c.get("name") == f"{prefix}.pubsub"]


async def test_a_topic_has_two_keys_under_the_prefix_that_expire(redis_nodes: Nodes) -> None:
    broker = redis_nodes.redis()
    await broker.publish("show.a", {"type": "x"})
    client = Redis.from_url(redis_nodes.url)
    keys = sorted([k async for k in client.scan_iter(match=f"{redis_nodes.prefix}:*")])
    assert keys == [
        f"{redis_nodes.prefix}:{{show.a}}:log".encode(),
        f"{redis_nodes.prefix}:{{show.a}}:seq".encode(),
    ]
    for key in keys:
        assert 0 < await client.ttl(key) <= 24 * 3600
    assert await client.xlen(keys[0]) == 1
    await client.aclose()


async def test_one_connection_one_channel_per_topic_released_by_the_last(
    redis_nodes: Nodes,
) -> None:
    broker = redis_nodes.redis()
    client = Redis.from_url(redis_nodes.url)
    subs = {topic: [broker.subscribe(topic), broker.subscribe(topic)] for topic in "abcde"}
    for pair in subs.values():
        await ready(pair[0])
    (conn,) = await _pubsub_clients(client, redis_nodes.prefix)
    assert conn["sub"] == "5"
    assert await _numsub(client, broker, "a") == 1  # one per process, not one per subscriber
    await subs["a"][0].close()
    assert await _numsub(client, broker, "a") == 1
    await subs["a"][1].close()
    assert await _numsub(client, broker, "a") == 0
    assert await _numsub(client, broker, "b") == 1
    await client.aclose()


async def test_a_dropped_connection_delivers_what_was_published_meanwhile(
    redis_nodes: Nodes,
) -> None:
    a, b = redis_nodes.redis(), redis_nodes.redis()
    client = Redis.from_url(redis_nodes.url)
    sub = b.subscribe("show.x")
    await ready(sub)
    for i in range(5):
        await a.publish("show.x", {"i": i})
    assert [m.seq for m in await take(sub, 5)] == [1, 2, 3, 4, 5]
    for conn in await _pubsub_clients(client, redis_nodes.prefix):
        await client.client_kill_filter(_id=conn["id"])
    for i in range(5, 20):  # while b reconnects: its pub/sub misses these
        await a.publish("show.x", {"i": i})
    assert [m.seq for m in await take(sub, 15)] == list(range(6, 21))
    assert b.reconnects >= 1
    await a.publish("show.x", {})
    assert [m.seq for m in await take(sub, 1)] == [21]  # and it listens again
    await client.aclose()


async def test_a_topic_forgotten_while_disconnected_ends_its_subscriptions_as_lost(
    redis_nodes: Nodes,
) -> None:
    broker = redis_nodes.redis()
    client = Redis.from_url(redis_nodes.url)
    sub = broker.subscribe("show.x")
    await ready(sub)
    for _ in range(3):
        await broker.publish("show.x", {})
    assert len(await take(sub, 3)) == 3
    await client.delete(broker._key("show.x", "seq"), broker._key("show.x", "log"))
    for conn in await _pubsub_clients(client, redis_nodes.prefix):
        await client.client_kill_filter(_id=conn["id"])
    assert await drain(sub) == []  # the catch-up finds seq 3 is gone: the subscriber learns
    assert sub.lost
    await client.aclose()


async def test_a_topic_that_started_again_from_one_ends_its_subscriptions_as_lost(
    redis_nodes: Nodes,
) -> None:
    broker = redis_nodes.redis()
    client = Redis.from_url(redis_nodes.url)
    sub = broker.subscribe("show.x")
    await ready(sub)
    for _ in range(3):
        await broker.publish("show.x", {})
    assert len(await take(sub, 3)) == 3
    await client.delete(broker._key("show.x", "seq"), broker._key("show.x", "log"))  # expiry
    assert (await broker.publish("show.x", {})).seq == 1
    assert await drain(sub) == []
    assert sub.lost
    await client.aclose()


async def test_subscribing_again_while_the_last_one_leaves_keeps_the_topic(
    redis_nodes: Nodes,
) -> None:
    broker = redis_nodes.redis()
    first = broker.subscribe("t")
    await ready(first)
    closing = asyncio.create_task(first.close())
    second = broker.subscribe("t")
    await closing
    await ready(second)
    await broker.publish("t", {})
    assert [m.seq for m in await take(second, 1)] == [1]
