"""In-process broker: the embedded default. One process, no network, same contract."""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from typing import Any

from livebazaar.broker.port import Message


class _MemorySubscription:
    def __init__(self, broker: MemoryBroker, topic: str) -> None:
        self._broker = broker
        self._topic = topic
        self._queue: asyncio.Queue[Message | None] = asyncio.Queue()
        broker._subscribers.setdefault(topic, set()).add(self)

    def _deliver(self, message: Message | None) -> None:
        self._queue.put_nowait(message)

    async def __aiter__(self) -> AsyncIterator[Message]:
        while True:
            message = await self._queue.get()
            if message is None:
                return
            yield message

    async def ready(self) -> None:
        """Always: publishing reaches every subscription as soon as it exists."""

    async def close(self) -> None:
        subs = self._broker._subscribers.get(self._topic)
        if subs is not None:
            subs.discard(self)
            if not subs:
                del self._broker._subscribers[self._topic]
        self._deliver(None)


class MemoryBroker:
    def __init__(self, buffer_size: int = 1000, max_topics: int = 10_000) -> None:
        self._buffer_size = buffer_size
        self._max_topics = max_topics
        self._seq: dict[str, int] = {}
        # Least recently published first: when there are too many topics, the stalest one
        # without subscribers is forgotten (a client resuming it is told to resync).
        self._buffers: OrderedDict[str, deque[Message]] = OrderedDict()
        self._subscribers: dict[str, set[_MemorySubscription]] = {}

    async def publish(self, topic: str, envelope: dict[str, Any]) -> Message:
        seq = self._seq.get(topic, 0) + 1
        self._seq[topic] = seq
        body = json.dumps({"seq": seq, **envelope}, separators=(",", ":")).encode()
        message = Message(topic, seq, body)
        buffer = self._buffers.get(topic)
        if buffer is None:
            buffer = self._buffers[topic] = deque(maxlen=self._buffer_size)
            self._evict_stale_topics()
        self._buffers.move_to_end(topic)
        buffer.append(message)
        for sub in tuple(self._subscribers.get(topic, ())):
            sub._deliver(message)
        return message

    def _evict_stale_topics(self) -> None:
        for topic in list(self._buffers):
            if len(self._buffers) <= self._max_topics:
                return
            if topic not in self._subscribers:
                del self._buffers[topic]
                self._seq.pop(topic, None)

    async def replay(self, topic: str, after_seq: int) -> list[Message] | None:
        last = self._seq.get(topic, 0)
        if after_seq > last:
            return None  # the client saw a history this broker no longer has (a restart)
        if after_seq == last:
            return []
        buffer = self._buffers.get(topic, deque())
        if not buffer or buffer[0].seq > after_seq + 1:
            return None
        return [m for m in buffer if m.seq > after_seq]

    async def last_seq(self, topic: str) -> int:
        return self._seq.get(topic, 0)

    def subscribe(self, topic: str) -> _MemorySubscription:
        return _MemorySubscription(self, topic)

    async def close(self) -> None:
        for subs in list(self._subscribers.values()):
            for sub in list(subs):
                await sub.close()
