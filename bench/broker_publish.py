"""Broker publish rate: how many show events one app process can sequence and send per second
through each broker, beside the in-process memory broker measured in the same run.

Every publish is what a chat line or a drop's stock change costs the broker: assign the
topic's next seq, keep the body for replay, deliver it. Three shapes: one at a time (a
single show's events in order), 64 in flight over 50 topics (a node serving many shows), and
64 in flight on one topic (one hot show, where seqs must stay gapless).

    .venv/bin/python bench/broker_publish.py [--events 3000]
        [--redis redis://127.0.0.1:6379/0] [--nats nats://127.0.0.1:4222]

Each run uses a fresh key prefix / stream and deletes it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from livebazaar.broker import Broker
from livebazaar.broker.memory import MemoryBroker
from livebazaar.broker.nats import NatsBroker
from livebazaar.broker.redis import RedisBroker

IN_FLIGHT = 64
TOPICS = 50
ENVELOPE: dict[str, Any] = {
    "type": "chat.message",
    "v": 1,
    "ts": "2026-11-23T01:00:00+00:00",
    "media_time": "2026-11-23T01:00:00+00:00",
    "show_id": str(uuid.uuid4()),
    "data": {"text": "How much is the pearl necklace with the gold clasp?", "name": "Aline"},
}


async def _rate(n: int, work: Callable[[int], Awaitable[Any]], in_flight: int) -> float:
    gate = asyncio.Semaphore(in_flight)

    async def one(i: int) -> None:
        async with gate:
            await work(i)

    start = time.perf_counter()
    if in_flight == 1:
        for i in range(n):
            await work(i)
    else:
        await asyncio.gather(*(one(i) for i in range(n)))
    return n / (time.perf_counter() - start)


async def measure(name: str, broker: Broker, n: int) -> None:
    alone = await _rate(n, lambda _: broker.publish("show.alone", ENVELOPE), 1)
    many = await _rate(n, lambda i: broker.publish(f"show.{i % TOPICS}", ENVELOPE), IN_FLIGHT)
    hot = await _rate(n, lambda _: broker.publish("show.hot", ENVELOPE), IN_FLIGHT)
    print(f"| {name} | {alone:,.0f} | {many:,.0f} | {hot:,.0f} |", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    args = parser.parse_args()
    print(f"{args.events} events per shape; events/s")
    print("| broker | one at a time | 64 in flight, 50 topics | 64 in flight, one topic |")
    print("|---|---|---|---|")
    await measure("memory (peer: no network)", MemoryBroker(), args.events)
    prefix = f"lbbench{uuid.uuid4().hex[:8]}"
    redis = RedisBroker(args.redis, prefix, 1000)
    try:
        await measure("redis", redis, args.events)
    finally:
        await redis.close()
        await _forget_redis(args.redis, prefix)
    nats = NatsBroker(args.nats, prefix, 1000)
    try:
        await measure("nats", nats, args.events)
    finally:
        await nats.close()
        await _forget_nats(args.nats, nats.stream)


async def _forget_redis(url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def _forget_nats(url: str, stream: str) -> None:
    import nats

    connection = await nats.connect(url)
    try:
        await connection.jetstream().delete_stream(stream)
    finally:
        await connection.close()


if __name__ == "__main__":
    asyncio.run(main())
