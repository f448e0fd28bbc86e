"""Brokers for the broker tests: `nodes` makes broker instances ("nodes") of one kind that
share a server and a prefix of their own, closes them and deletes what they left on the server.
`nodes` runs each test on memory, Redis and NATS; `redis_nodes`/`nats_nodes` on one engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from livebazaar.broker.memory import MemoryBroker
from livebazaar.broker.nats import NatsBroker
from livebazaar.broker.port import Broker
from livebazaar.broker.redis import RedisBroker
from tests.brokers import forget_nats, forget_redis, nats_url, redis_url, unique_prefix


@dataclass
class Nodes:
    kind: str
    url: str
    prefix: str = field(default_factory=unique_prefix)
    made: list[Broker] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        """Whether two nodes see each other (memory brokers never do)."""
        return self.kind != "memory"

    def make(self, *, buffer_size: int = 100, queue_size: int = 1000) -> Broker:
        broker: Broker
        if self.kind == "redis":
            broker = RedisBroker(self.url, self.prefix, buffer_size, queue_size=queue_size)
        elif self.kind == "nats":
            broker = NatsBroker(self.url, self.prefix, buffer_size, queue_size=queue_size)
        else:
            broker = MemoryBroker(buffer_size=buffer_size)
        self.made.append(broker)
        return broker

    def redis(self, **kwargs: int) -> RedisBroker:
        broker = self.make(**kwargs)
        assert isinstance(broker, RedisBroker)
        return broker

    def nats(self, **kwargs: int) -> NatsBroker:
        broker = self.make(**kwargs)
        assert isinstance(broker, NatsBroker)
        return broker

    async def close(self) -> None:
        for broker in self.made:
            await broker.close()
        if self.kind == "redis":
            await forget_redis(self.url, self.prefix)
        elif self.kind == "nats":
            await forget_nats(self.url, NatsBroker(self.url, self.prefix).stream)


async def _nodes(kind: str) -> AsyncIterator[Nodes]:
    url = {"redis": redis_url, "nats": nats_url}.get(kind, lambda: "memory://")()
    nodes = Nodes(kind, url)
    try:
        yield nodes
    finally:
        await nodes.close()


@pytest.fixture(params=["memory", "redis", "nats"])
async def nodes(request: pytest.FixtureRequest) -> AsyncIterator[Nodes]:
    async for made in _nodes(request.param):
        yield made


@pytest.fixture(params=["redis", "nats"])
async def shared_nodes(request: pytest.FixtureRequest) -> AsyncIterator[Nodes]:
    """Brokers that several nodes share (the memory broker lives in one process)."""
    async for made in _nodes(request.param):
        yield made


@pytest.fixture
async def redis_nodes() -> AsyncIterator[Nodes]:
    async for made in _nodes("redis"):
        yield made


@pytest.fixture
async def nats_nodes() -> AsyncIterator[Nodes]:
    async for made in _nodes("nats"):
        yield made
