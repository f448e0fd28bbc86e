"""Every broker keeps the Broker contract: seq from 1 without gaps per topic, the body is the
envelope with its seq first, replay returns exactly what followed or None, subscribers get
every message in order. Run on memory, Redis and NATS (the last two when their URLs are set);
the tests about two nodes run where nodes share a server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from livebazaar.broker.port import Message
from tests.broker.conftest import Nodes
from tests.broker.reading import drain, ready, take


def seqs(messages: Sequence[Message] | None) -> list[int]:
    assert messages is not None
    return [m.seq for m in messages]


async def test_seq_counts_from_one_per_topic_without_gaps(nodes: Nodes) -> None:
    broker = nodes.make()
    a = [await broker.publish("show.a", {"i": i}) for i in range(3)]
    b = [await broker.publish("show.b", {"i": i}) for i in range(2)]
    assert [m.seq for m in a] == [1, 2, 3]
    assert [m.seq for m in b] == [1, 2]
    assert await broker.last_seq("show.a") == 3
    assert await broker.last_seq("never") == 0


async def test_body_is_the_envelope_with_its_seq_first(nodes: Nodes) -> None:
    broker = nodes.make()
    envelope = {"type": "chat.posted", "data": {"text": 'héllo "you"'}, "v": 1}
    message = await broker.publish("show.a", envelope)
    assert message.body.startswith(b'{"seq":1,"type":')
    assert json.loads(message.body) == {"seq": 1, **envelope}
    empty = await broker.publish("show.a", {})
    assert empty.body == b'{"seq":2}'
    assert seqs(await broker.replay("show.a", 0)) == [1, 2]
    assert [m.body for m in await broker.replay("show.a", 0) or []] == [message.body, empty.body]


async def test_replay_returns_exactly_what_followed(nodes: Nodes) -> None:
    broker = nodes.make(buffer_size=50)
    for i in range(20):
        await broker.publish("t", {"i": i})
    assert seqs(await broker.replay("t", 0)) == list(range(1, 21))
    assert seqs(await broker.replay("t", 7)) == list(range(8, 21))
    assert seqs(await broker.replay("t", 19)) == [20]
    assert await broker.replay("t", 20) == []
    assert await broker.replay("never", 0) == []


async def test_replay_after_a_seq_the_buffer_dropped_is_none(nodes: Nodes) -> None:
    broker = nodes.make(buffer_size=10)
    for i in range(300):  # Redis trims whole stream nodes (100 entries): go well past one
        await broker.publish("t", {"i": i})
    assert await broker.replay("t", 0) is None
    assert await broker.replay("t", 100) is None
    assert seqs(await broker.replay("t", 295)) == [296, 297, 298, 299, 300]


async def test_replay_after_a_seq_never_published_is_none(nodes: Nodes) -> None:
    broker = nodes.make()
    await broker.publish("t", {})
    assert await broker.replay("t", 2) is None  # the client saw a history this broker lacks
    assert await broker.replay("never", 1) is None


async def test_a_subscriber_gets_every_message_in_order(nodes: Nodes) -> None:
    broker = nodes.make()
    sub = broker.subscribe("t")
    other = broker.subscribe("other topic")
    await ready(sub)
    for i in range(50):
        await broker.publish("t", {"i": i})
    got = await take(sub, 50)
    assert seqs(got) == list(range(1, 51))
    assert [json.loads(m.body)["i"] for m in got] == list(range(50))
    await other.close()
    assert await drain(other) == []


async def test_closing_a_subscription_ends_its_iterator(nodes: Nodes) -> None:
    broker = nodes.make()
    sub, stays = broker.subscribe("t"), broker.subscribe("t")
    await ready(sub)
    reader = asyncio.create_task(drain(sub))
    await broker.publish("t", {})
    await broker.publish("t", {})
    assert seqs(await take(stays, 2)) == [1, 2]
    await sub.close()
    assert seqs(await reader) == [1, 2]
    await broker.publish("t", {})
    assert seqs(await take(stays, 1)) == [3]  # the topic's other subscriber stays


async def test_closing_the_broker_ends_every_subscription(nodes: Nodes) -> None:
    broker = nodes.make()
    subs = [broker.subscribe("a"), broker.subscribe("a"), broker.subscribe("b")]
    for sub in subs:
        await ready(sub)
    await broker.close()
    assert [await drain(sub) for sub in subs] == [[], [], []]


async def test_a_message_published_on_one_node_reaches_subscribers_on_another(
    shared_nodes: Nodes,
) -> None:
    a, b = shared_nodes.make(), shared_nodes.make()
    sub = b.subscribe("show.x")
    await ready(sub)
    sent = await a.publish("show.x", {"type": "chat"})
    (got,) = await take(sub, 1)
    assert (got.topic, got.seq, got.body) == ("show.x", 1, sent.body)
    assert await b.last_seq("show.x") == 1
    assert seqs(await b.replay("show.x", 0)) == [1]


async def test_two_nodes_racing_on_one_topic_share_one_gapless_seq(shared_nodes: Nodes) -> None:
    a, b = shared_nodes.make(buffer_size=1000), shared_nodes.make(buffer_size=1000)
    watcher = b.subscribe("show.drop")
    await ready(watcher)

    async def burst(node_name: str) -> list[int]:
        node = a if node_name == "a" else b
        sent = await asyncio.gather(
            *(node.publish("show.drop", {"node": node_name, "i": i}) for i in range(200))
        )
        return [m.seq for m in sent]

    from_a, from_b = await asyncio.gather(burst("a"), burst("b"))
    assert sorted(from_a + from_b) == list(range(1, 401))
    delivered = await take(watcher, 400)
    assert seqs(delivered) == list(range(1, 401))
    replayed = await a.replay("show.drop", 0)
    assert replayed is not None
    assert [m.body for m in replayed] == [m.body for m in delivered]
    bodies = [json.loads(m.body) for m in delivered]
    assert sorted((x["node"], x["i"]) for x in bodies) == sorted(
        [("a", i) for i in range(200)] + [("b", i) for i in range(200)]
    )


async def test_a_subscriber_that_falls_behind_is_cut_off_not_buffered(shared_nodes: Nodes) -> None:
    broker = shared_nodes.make(queue_size=5)
    slow, fast = broker.subscribe("t"), broker.subscribe("t")
    await ready(slow)
    fast_reader = asyncio.create_task(take(fast, 50))
    for i in range(50):
        await broker.publish("t", {"i": i})
        await asyncio.sleep(0)  # the fast reader keeps up; the slow one never reads
    assert seqs(await fast_reader) == list(range(1, 51))
    assert seqs(await drain(slow)) == [1, 2, 3, 4, 5]  # what it held, then the end
    assert getattr(slow, "lost", None) is True
    assert getattr(fast, "lost", None) is False
