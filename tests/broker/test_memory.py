"""The memory broker honours the Broker contract: gapless seq, replay or None, fan-out."""

from __future__ import annotations

import asyncio
import json

from livebazaar.broker.memory import MemoryBroker


async def test_seq_is_per_topic_and_gapless() -> None:
    broker = MemoryBroker(buffer_size=10)
    a1 = await broker.publish("show.a", {"type": "x"})
    b1 = await broker.publish("show.b", {"type": "x"})
    a2 = await broker.publish("show.a", {"type": "y"})
    assert (a1.seq, a2.seq, b1.seq) == (1, 2, 1)
    assert json.loads(a2.body) == {"seq": 2, "type": "y"}
    assert await broker.last_seq("show.a") == 2
    assert await broker.last_seq("never") == 0


async def test_replay_returns_missed_messages_or_none_when_gone() -> None:
    broker = MemoryBroker(buffer_size=3)
    for i in range(5):
        await broker.publish("t", {"i": i})
    assert [m.seq for m in (await broker.replay("t", 2)) or []] == [3, 4, 5]
    assert await broker.replay("t", 5) == []
    assert await broker.replay("t", 1) is None  # seq 2 left the buffer
    assert await broker.replay("t", 9) is None  # a future the broker never had (restart)


async def test_subscribers_each_get_every_message_until_closed() -> None:
    broker = MemoryBroker()
    subs = [broker.subscribe("t") for _ in range(3)]
    got: list[list[int]] = [[] for _ in subs]

    async def read(i: int) -> None:
        async for message in subs[i]:
            got[i].append(message.seq)

    readers = [asyncio.create_task(read(i)) for i in range(3)]
    for _ in range(4):
        await broker.publish("t", {})
    await subs[1].close()
    await broker.publish("t", {})
    await broker.close()
    await asyncio.gather(*readers)
    assert got == [[1, 2, 3, 4, 5], [1, 2, 3, 4], [1, 2, 3, 4, 5]]


async def test_stale_topics_are_forgotten_and_their_clients_told_to_resync() -> None:
    broker = MemoryBroker(buffer_size=5, max_topics=2)
    watched = broker.subscribe("show.watched")
    for topic in ("show.watched", "show.old", "show.new"):
        await broker.publish(topic, {})
    # "show.old" was the stalest topic nobody listens to: gone, with its numbering
    assert await broker.last_seq("show.old") == 0
    assert await broker.replay("show.old", 1) is None
    assert await broker.last_seq("show.watched") == 1  # kept: it has a subscriber
    assert await broker.last_seq("show.new") == 1
    await watched.close()
