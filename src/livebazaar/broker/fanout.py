"""One topic's subscribers in one process, fed from one server subscription.

The networked adapters hold one server subscription per topic per process (never one per
WebSocket) and hand each message to a `TopicFanout`, which keeps the subscribers' seq
contiguous: it remembers the highest seq it handed out (`floor`), drops duplicates, and
fills any gap (a message the server subscription missed: a reconnect, a dropped slow-consumer
message, the window before the subscription was active) from the broker's replay buffer. When
the buffer no longer holds the gap, every subscriber ends with `lost` set: they learn it,
nothing is skipped in silence.

Each subscriber has a bounded queue (`QueueSubscription`): one that falls `maxsize` messages
behind is cut off the same way, so a stuck consumer never grows the process's memory.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable

from livebazaar.broker.frames import seq_of
from livebazaar.broker.port import Message

Replay = Callable[[str, int], Awaitable[list[Message] | None]]
LastSeq = Callable[[str], Awaitable[int]]


class QueueSubscription:
    """A Subscription holding at most `maxsize` undelivered messages.

    Its iterator ends after `close()` (once the queued messages are read), or when the
    subscriber fell behind or the broker lost part of the topic's history: then `lost` is True
    and the consumer should start again from the replay buffer (or tell its clients to resync).
    """

    def __init__(
        self,
        fanout: TopicFanout,
        maxsize: int,
        detach: Callable[[QueueSubscription], Awaitable[None]],
    ) -> None:
        self.topic = fanout.topic
        self.lost = False
        self._active = fanout.active
        self._maxsize = maxsize
        self._items: deque[Message] = deque()
        self._wake = asyncio.Event()
        self._ended = False
        self._detach = detach

    @property
    def ended(self) -> bool:
        return self._ended

    def offer(self, message: Message) -> bool:
        """Queue `message`; False when this subscription takes no more (ended or full)."""
        if self._ended:
            return False
        if len(self._items) >= self._maxsize:
            self.end(lost=True)
            return False
        self._items.append(message)
        self._wake.set()
        return True

    def end(self, *, lost: bool) -> None:
        """No more messages: the iterator yields what is queued, then stops."""
        self.lost = self.lost or lost
        self._ended = True
        self._wake.set()

    async def __aiter__(self) -> AsyncIterator[Message]:
        while True:
            if self._items:
                yield self._items.popleft()
            elif self._ended:
                return
            else:
                self._wake.clear()
                await self._wake.wait()

    async def ready(self) -> None:
        """Wait until the server subscription is active: every message published from now
        on reaches this subscription (or ends it with `lost`). Before that, messages
        published between `subscribe()` and the broker reading the topic's seq may be
        missing: `subscribe()` returns before the server is asked anything."""
        await self._active.wait()

    async def close(self) -> None:
        if not self._ended:
            self.end(lost=False)
        await self._detach(self)


class TopicFanout:
    """The subscribers of one topic in this process and the seq they are up to."""

    def __init__(
        self,
        topic: str,
        replay: Replay,
        last_seq: LastSeq,
        on_empty: Callable[[TopicFanout], None],
    ) -> None:
        self.topic = topic
        self.subscriptions: set[QueueSubscription] = set()
        # The highest seq handed to the subscribers, or the topic's last seq when the server
        # subscription was requested; None until one of them is known.
        self.floor: int | None = None
        self._replay = replay
        self._last_seq = last_seq
        self._on_empty = on_empty
        self._lock = asyncio.Lock()
        self.active = asyncio.Event()  # set once the first catch-up is done

    def add(self, sub: QueueSubscription) -> None:
        self.subscriptions.add(sub)

    def remove(self, sub: QueueSubscription) -> bool:
        """Forget `sub`; True when the topic has no subscriber left."""
        self.subscriptions.discard(sub)
        return not self.subscriptions

    async def receive(self, body: bytes) -> None:
        """A message from the server subscription, in whatever order it came."""
        seq = seq_of(body)
        async with self._lock:
            floor = self.floor
            if floor is None or seq == floor + 1:
                self._deliver(Message(self.topic, seq, body))
            elif seq > floor + 1:
                await self._catch_up()  # the buffer holds the gap and this message
            elif seq == 1 and await self._last_seq(self.topic) < floor:
                self._lose()  # the topic expired and started again from 1

    async def catch_up(self) -> None:
        """Deliver what was published after `floor` (after a (re)subscription)."""
        async with self._lock:
            await self._catch_up()

    async def _catch_up(self) -> None:
        if self.floor is None:
            return
        missed = await self._replay(self.topic, self.floor)
        self.active.set()
        if missed is None:
            self._lose()
            return
        for message in missed:
            self._deliver(message)

    def _deliver(self, message: Message) -> None:
        self.floor = message.seq
        dropped = [sub for sub in self.subscriptions if not sub.offer(message)]
        if dropped:
            self.subscriptions.difference_update(dropped)
            if not self.subscriptions:
                self._on_empty(self)

    def _lose(self) -> None:
        for sub in self.subscriptions:
            sub.end(lost=True)
        self.subscriptions.clear()
        self.floor = None
        self._on_empty(self)

    def end_all(self) -> None:
        """The broker is closing: every subscriber's iterator ends (not lost)."""
        for sub in self.subscriptions:
            sub.end(lost=False)
        self.subscriptions.clear()
        self.active.set()
