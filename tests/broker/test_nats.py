"""The NATS broker on a real server: its stream, its subjects, both ways replay reads a
topic, and what its subscribers get when the stream forgets a topic."""

from __future__ import annotations

import json

import nats
import pytest
from nats.errors import NoRespondersError
from nats.js.api import StorageType

from livebazaar.broker.nats import NatsBroker, subject_token
from tests.broker.conftest import Nodes
from tests.broker.reading import drain, ready, take
from tests.broker.relay import Relay


def test_a_topic_becomes_one_subject_token_reversibly() -> None:
    assert subject_token("show.0190a1b2-c3d4") == "show~2E0190a1b2-c3d4"
    assert subject_token("a b*>~é") == "a~20b~2A~3E~7E~C3~A9"
    assert subject_token("") == "~"
    assert subject_token("show~2E") != subject_token("show.")


async def test_the_stream_keeps_buffer_size_per_topic_on_file(nats_nodes: Nodes) -> None:
    broker = nats_nodes.nats(buffer_size=10)
    await broker.publish("show.a", {})
    nc = await nats.connect(nats_nodes.url)
    info = await nc.jetstream().stream_info(broker.stream)
    await nc.close()
    config = info.config
    assert config.subjects == [f"{nats_nodes.prefix}.topic.>"]
    assert config.max_msgs_per_subject == 10
    assert config.storage == StorageType.FILE
    assert config.allow_direct
    assert config.republish is not None
    assert config.republish.dest == f"{nats_nodes.prefix}.live.>"


async def test_a_topic_name_of_any_characters_round_trips(nats_nodes: Nodes) -> None:
    broker = nats_nodes.nats()
    topic = "show:ünïcode *> and.dots~"
    sub = broker.subscribe(topic)
    await ready(sub)
    sent = await broker.publish(topic, {"type": "x"})
    (got,) = await take(sub, 1)
    assert (got.topic, got.body) == (topic, sent.body)
    assert [m.seq for m in await broker.replay(topic, 0) or []] == [1]
    assert await broker.last_seq("show:ünïcode *> and") == 0


@pytest.mark.parametrize("after", [0, 31, 60, 68, 90, 99])
async def test_long_and_short_replays_return_the_same_messages(
    nats_nodes: Nodes, after: int
) -> None:
    broker = nats_nodes.nats(buffer_size=1000)
    sent = [await broker.publish("t", {"i": i}) for i in range(100)]
    await broker.publish("other", {})  # interleaved stream sequences
    replayed = await broker.replay("t", after)  # > 32 behind: a consumer; else the chain
    assert replayed == sent[after:]


@pytest.mark.parametrize("after", [10, 50, 84, 89])
async def test_replays_reaching_past_the_buffer_are_none(nats_nodes: Nodes, after: int) -> None:
    broker = nats_nodes.nats(buffer_size=10)
    for i in range(100):
        await broker.publish("t", {"i": i})
    assert await broker.replay("t", after) is None
    assert [m.seq for m in await broker.replay("t", 90) or []] == list(range(91, 101))


async def test_a_publisher_that_lost_a_race_reads_the_tail_again(nats_nodes: Nodes) -> None:
    a, b = nats_nodes.nats(), nats_nodes.nats()
    assert (await a.publish("t", {})).seq == 1  # a remembers the tail: seq 1
    for _ in range(3):
        await b.publish("t", {})
    message = await a.publish("t", {"from": "a"})
    assert message.seq == 5
    assert json.loads(message.body) == {"seq": 5, "from": "a"}


async def test_the_last_subscriber_leaving_ends_the_core_subscription(
    nats_nodes: Nodes,
) -> None:
    broker = nats_nodes.nats()
    subs = [broker.subscribe("t"), broker.subscribe("t")]
    await ready(subs[0])
    await broker.publish("t", {})
    assert [len(await take(sub, 1)) for sub in subs] == [1, 1]
    for sub in subs:
        await sub.close()
    nc = await nats.connect(nats_nodes.url)
    with pytest.raises(NoRespondersError):  # nobody listens on the topic's live subject
        await nc.request(broker.subject("t", "live"), b"", timeout=5)
    await nc.close()


async def test_a_topic_that_started_again_from_one_ends_its_subscriptions_as_lost(
    nats_nodes: Nodes,
) -> None:
    broker, other = nats_nodes.nats(), nats_nodes.nats()
    sub = broker.subscribe("show.x")
    await ready(sub)
    for _ in range(3):
        await other.publish("show.x", {})
    assert len(await take(sub, 3)) == 3
    nc = await nats.connect(nats_nodes.url)
    await nc.jetstream().purge_stream(broker.stream, subject=broker.subject("show.x"))  # expiry
    await nc.close()
    assert (await other.publish("show.x", {})).seq == 1  # its stale tail is refused, re-read
    assert await drain(sub) == []
    assert sub.lost


async def test_a_dropped_connection_delivers_what_was_published_meanwhile(
    nats_nodes: Nodes,
) -> None:
    relay = Relay(nats_nodes.url)
    publisher = nats_nodes.nats()
    listener = NatsBroker(await relay.start(), nats_nodes.prefix)
    nats_nodes.made.append(listener)
    try:
        sub = listener.subscribe("show.x")
        await ready(sub)
        for i in range(5):
            await publisher.publish("show.x", {"i": i})
        assert [m.seq for m in await take(sub, 5)] == [1, 2, 3, 4, 5]
        relay.cut()
        for i in range(5, 20):  # while the listener reconnects: its subscription misses these
            await publisher.publish("show.x", {"i": i})
        assert [m.seq for m in await take(sub, 15)] == list(range(6, 21))
        assert relay.connections >= 2
        await publisher.publish("show.x", {})
        assert [m.seq for m in await take(sub, 1)] == [21]
    finally:
        await listener.close()
        await relay.close()
