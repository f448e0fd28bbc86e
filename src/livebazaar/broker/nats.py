"""NATS broker: JetStream keeps the replay buffer and orders each topic; core NATS fans out.

One stream per prefix holds the subjects `<prefix>.topic.<token>` (a topic is one subject
token: characters outside `[A-Za-z0-9_-]` become `~XX` per UTF-8 byte), at most
`buffer_size` messages each, for at most `max_age_s` after they were published, on file so
a NATS restart keeps the seqs: a memory stream would start every show again at seq 1, and
clients ignore frames whose seq is not above the one they hold.

The per-topic seq is a compare-and-set on the subject: a publisher reads the subject's last
message (its seq k, its stream sequence n), publishes seq k+1 with
`Nats-Expected-Last-Subject-Sequence: n`, and on "wrong last sequence" (another node came
first) reads again and retries. Each message so carries the stream sequence of the one
before it: `replay` walks that chain back from the last message with direct gets (short
gaps, the usual reconnect), or reads the subject with an ordered consumer (longer ones).
Within one process a topic's publishes take turns and remember the tail, so a lone node
pays one round trip per publish and reads only after losing a race.

Subscribers never listen on the stream's subjects: a rejected publish reaches core
subscribers there too. The stream republishes what it stored to `<prefix>.live.<token>`,
in stream order, and each process holds one core subscription per topic there, feeding a
`TopicFanout` that fills gaps (a reconnect, a dropped slow-consumer message) from `replay`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import string
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from weakref import WeakValueDictionary

import nats
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription as NatsSubscription
from nats.js import JetStreamContext
from nats.js.api import (
    DeliverPolicy,
    DiscardPolicy,
    RawStreamMsg,
    RePublish,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError, NotFoundError

from livebazaar.broker.fanout import QueueSubscription, TopicFanout
from livebazaar.broker.frames import rest_of, seq_of, with_seq
from livebazaar.broker.port import Message

log = logging.getLogger(__name__)

EXPECTED_LAST = "Nats-Expected-Last-Subject-Sequence"
_WRONG_LAST_SEQUENCE = 10071  # JetStream's error code for a failed compare-and-set
_STREAM_IN_USE = 10058  # "stream name already in use with a different configuration"
_MAX_ATTEMPTS = 1000  # each failed attempt means another publisher succeeded
_WALK_LIMIT = 32  # longer replays read the subject with a consumer
_TAILS_KEPT = 10_000
_SAFE = frozenset(string.ascii_letters + string.digits + "_-")
_BACKOFF_MIN_S = 0.1
_BACKOFF_MAX_S = 5.0


def subject_token(topic: str) -> str:
    """`topic` as one subject token, reversibly (`show.0190…` → `show~2E0190…`)."""
    token = "".join(
        ch if ch in _SAFE else "".join(f"~{b:02X}" for b in ch.encode()) for ch in topic
    )
    return token or "~"


@dataclass(eq=False)
class _Feed:
    """One topic's core subscription in this process, and the fan-out behind it."""

    fanout: TopicFanout
    core: NatsSubscription | None = None
    dropped: bool = False


class NatsBroker:
    def __init__(
        self,
        url: str,
        prefix: str = "livebazaar",
        buffer_size: int = 1000,
        *,
        queue_size: int = 1000,
        max_age_s: float = 24 * 3600,
    ) -> None:
        self._url = url
        self._prefix = prefix
        self._buffer_size = buffer_size
        self._queue_size = queue_size
        self._max_age_s = max_age_s
        self.stream = re.sub(r"[^A-Za-z0-9_-]", "_", prefix)
        self._nc: NatsClient | None = None
        self._js: JetStreamContext | None = None
        self._connect_lock = asyncio.Lock()
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()
        # topic -> (seq, stream sequence) of its last message, as this process last saw it
        self._tails: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._feeds: dict[str, _Feed] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def subject(self, topic: str, kind: str = "topic") -> str:
        return f"{self._prefix}.{kind}.{subject_token(topic)}"

    async def _connect(self) -> tuple[NatsClient, JetStreamContext]:
        async with self._connect_lock:
            if self._nc is None or self._js is None:
                nc = await nats.connect(
                    self._url,
                    name=f"{self._prefix}.broker",
                    reconnected_cb=self._reconnected,
                    error_cb=self._error,
                    max_reconnect_attempts=-1,
                )
                js = nc.jetstream()
                await self._ensure_stream(js)
                self._nc, self._js = nc, js
            return self._nc, self._js

    async def _ensure_stream(self, js: JetStreamContext) -> None:
        config = StreamConfig(
            name=self.stream,
            subjects=[f"{self._prefix}.topic.>"],
            max_msgs_per_subject=self._buffer_size,
            max_age=self._max_age_s,
            discard=DiscardPolicy.OLD,
            storage=StorageType.FILE,
            allow_direct=True,
            republish=RePublish(src=f"{self._prefix}.topic.>", dest=f"{self._prefix}.live.>"),
        )
        try:
            await js.add_stream(config)
        except BadRequestError as exc:
            if exc.err_code != _STREAM_IN_USE:
                raise
            await js.update_stream(config)

    async def publish(self, topic: str, envelope: dict[str, Any]) -> Message:
        _, js = await self._connect()
        subject = self.subject(topic)
        rest = rest_of(envelope)
        lock = self._locks.get(topic)
        if lock is None:
            lock = self._locks[topic] = asyncio.Lock()  # lives while a publish holds it
        async with lock:
            tail = self._tails.get(topic)
            for _ in range(_MAX_ATTEMPTS):
                if tail is None:
                    tail = await self._tail(js, subject)
                seq, stream_seq = tail[0] + 1, tail[1]
                body = with_seq(seq, rest)
                try:
                    ack = await js.publish(subject, body, headers={EXPECTED_LAST: str(stream_seq)})
                except BadRequestError as exc:
                    if exc.err_code != _WRONG_LAST_SEQUENCE:
                        raise
                    tail = None  # another node published first: read the tail again
                    continue
                self._remember(topic, (seq, ack.seq))
                return Message(topic, seq, body)
        raise RuntimeError(f"{_MAX_ATTEMPTS} publishers on {topic!r} came first; gave up")

    def _remember(self, topic: str, tail: tuple[int, int]) -> None:
        self._tails[topic] = tail
        self._tails.move_to_end(topic)
        if len(self._tails) > _TAILS_KEPT:
            self._tails.popitem(last=False)

    async def _last_msg(self, js: JetStreamContext, subject: str) -> RawStreamMsg | None:
        try:
            return await js.get_last_msg(self.stream, subject, direct=True)
        except NotFoundError:
            return None

    async def _tail(self, js: JetStreamContext, subject: str) -> tuple[int, int]:
        last = await self._last_msg(js, subject)
        if last is None or last.seq is None:
            return 0, 0
        return seq_of(last.data or b""), last.seq

    async def last_seq(self, topic: str) -> int:
        _, js = await self._connect()
        return (await self._tail(js, self.subject(topic)))[0]

    async def replay(self, topic: str, after_seq: int) -> list[Message] | None:
        _, js = await self._connect()
        subject = self.subject(topic)
        last = await self._last_msg(js, subject)
        last_seq = 0 if last is None else seq_of(last.data or b"")
        if after_seq > last_seq:
            return None  # a history the stream no longer has (expired, or deleted)
        if last is None or after_seq == last_seq:
            return []
        if last_seq - after_seq <= _WALK_LIMIT:
            found = await self._walk_back(js, subject, last, after_seq)
        else:
            found = await self._scan(js, subject, after_seq)
        if found is None or not found or seq_of(found[0]) != after_seq + 1:
            return None  # trimmed
        return [Message(topic, seq_of(body), body) for body in found]

    async def _walk_back(
        self, js: JetStreamContext, subject: str, last: RawStreamMsg, after_seq: int
    ) -> list[bytes] | None:
        """Bodies after `after_seq`, following each message's pointer to its predecessor."""
        chain = [last]
        while (seq := seq_of(chain[-1].data or b"")) > after_seq + 1:
            previous = int((chain[-1].headers or {}).get(EXPECTED_LAST, 0))
            if previous <= 0:
                return None
            try:
                msg = await js.get_msg(self.stream, seq=previous, direct=True)
            except NotFoundError:
                return None  # trimmed
            if msg.subject != subject or seq_of(msg.data or b"") != seq - 1:
                return None
            chain.append(msg)
        return [msg.data or b"" for msg in reversed(chain)]

    async def _scan(self, js: JetStreamContext, subject: str, after_seq: int) -> list[bytes]:
        """Bodies after `after_seq`, read with an ordered consumer over the whole subject."""
        sub = await js.subscribe(
            subject, stream=self.stream, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
        )
        found: list[bytes] = []
        try:
            while True:
                msg = await sub.next_msg(timeout=5.0)
                if seq_of(msg.data) > after_seq:
                    found.append(msg.data)
                if msg.metadata.num_pending == 0:
                    return found
        finally:
            await sub.unsubscribe()

    def subscribe(self, topic: str) -> QueueSubscription:
        feed = self._feeds.get(topic)
        if feed is None:
            feed = _Feed(TopicFanout(topic, self.replay, self.last_seq, self._emptied))
            self._feeds[topic] = feed
            self._spawn(self._start(feed))
        sub = QueueSubscription(feed.fanout, self._queue_size, self._detach)
        feed.fanout.add(sub)
        return sub

    async def _start(self, feed: _Feed) -> None:
        """Read the topic's last seq, subscribe, then deliver what came in between."""
        delay = _BACKOFF_MIN_S
        while not feed.dropped:
            try:
                nc, _ = await self._connect()
                fanout = feed.fanout
                if fanout.floor is None:
                    fanout.floor = await self.last_seq(fanout.topic)
                if feed.core is None:
                    feed.core = await nc.subscribe(
                        self.subject(fanout.topic, "live"),
                        cb=self._receiver(fanout),
                        pending_msgs_limit=self._queue_size,
                    )
                if feed.dropped:
                    break
                await nc.flush()
                await fanout.catch_up()
                return
            except Exception:
                log.exception(
                    "could not subscribe to %r; again in %.1f s", feed.fanout.topic, delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, _BACKOFF_MAX_S)
        await self._unsubscribe(feed)

    def _receiver(self, fanout: TopicFanout) -> Callable[[Msg], Awaitable[None]]:
        async def receive(msg: Msg) -> None:
            try:
                await fanout.receive(msg.data)
            except ValueError:
                log.warning("ignored a foreign message on %r", msg.subject)
            except Exception:  # the next message, or the next reconnect, fills the gap
                log.exception("could not deliver a message of %r", fanout.topic)

        return receive

    async def _detach(self, sub: QueueSubscription) -> None:
        feed = self._feeds.get(sub.topic)
        if feed is not None and feed.fanout.remove(sub):
            await self._drop(feed)

    def _emptied(self, fanout: TopicFanout) -> None:
        feed = self._feeds.get(fanout.topic)
        if feed is not None and feed.fanout is fanout:
            self._spawn(self._drop(feed))

    async def _drop(self, feed: _Feed) -> None:
        if feed.fanout.subscriptions or self._feeds.get(feed.fanout.topic) is not feed:
            return
        del self._feeds[feed.fanout.topic]
        feed.dropped = True
        feed.fanout.active.set()  # nobody waits for it any more
        await self._unsubscribe(feed)

    async def _unsubscribe(self, feed: _Feed) -> None:
        core, feed.core = feed.core, None
        if core is None or self._nc is None:
            return
        with contextlib.suppress(nats.errors.Error):
            await core.unsubscribe()
            await self._nc.flush()

    async def _reconnected(self) -> None:
        """Core messages published while disconnected are gone: replay them per topic."""
        for feed in list(self._feeds.values()):
            self._spawn(self._catch_up(feed.fanout))

    async def _catch_up(self, fanout: TopicFanout) -> None:
        try:
            await fanout.catch_up()
        except Exception:  # the next message fills the gap
            log.exception("could not catch up %r after a reconnect", fanout.topic)

    async def _error(self, exc: Exception) -> None:
        log.warning("nats: %r", exc)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        feeds = list(self._feeds.values())
        self._feeds.clear()
        for feed in feeds:
            feed.dropped = True
            feed.fanout.end_all()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._nc is not None:
            await self._nc.close()
            self._nc = self._js = None
