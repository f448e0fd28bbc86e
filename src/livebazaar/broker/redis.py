"""Redis broker: the seq, the replay buffer and the fan-out live on one Redis server.

Per topic, three names share a hash tag (so a Redis Cluster keeps them in one slot):
`<prefix>:{<topic>}:seq` (the counter), `<prefix>:{<topic>}:log` (the replay stream, entry id
`<seq>-0`, field `b` the body) and the channel `<prefix>:{<topic>}:live`. Publishing is one
Lua script: INCR the counter, splice `{"seq":N,` before the envelope Python serialised, XADD
it with MAXLEN ~ buffer_size, refresh both keys' TTL, PUBLISH it. The server runs scripts one
at a time, so seqs are unique and contiguous across every node and the channel carries them
in order.

Each broker (one per process) has one pub/sub connection for all its topics: SUBSCRIBE when a
topic gets its first subscriber, UNSUBSCRIBE when its last one leaves. Before subscribing it
reads the topic's counter; on every subscribe confirmation (the first one, and each one after
a reconnect) the topic's `TopicFanout` replays from the last seq it delivered, so messages
published while the connection was down arrive late but in order, or, when the stream no
longer holds them, the subscriptions end with `lost` set (broker/fanout.py). A reader that
hears nothing for `heartbeat_s` pings; no answer for another `heartbeat_s`, it reconnects
(backoff from 0.1 s to 5 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from livebazaar.broker.fanout import QueueSubscription, TopicFanout
from livebazaar.broker.frames import rest_of, with_seq
from livebazaar.broker.port import Message

log = logging.getLogger(__name__)

_CONNECTION_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
_BACKOFF_MIN_S = 0.1
_BACKOFF_MAX_S = 5.0

# KEYS: counter, stream. ARGV: the envelope's rest (after its "{"), MAXLEN, TTL s, channel.
_PUBLISH = """
local seq = redis.call('INCR', KEYS[1])
local sep = ','
if ARGV[1] == '}' then sep = '' end
local body = '{"seq":' .. seq .. sep .. ARGV[1]
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], seq .. '-0', 'b', body)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], body)
return seq
"""


class RedisBroker:
    def __init__(
        self,
        url: str,
        prefix: str = "livebazaar",
        buffer_size: int = 1000,
        *,
        queue_size: int = 1000,
        ttl_s: int = 24 * 3600,
        heartbeat_s: float = 15.0,
        max_connections: int = 32,
    ) -> None:
        self._prefix = prefix
        self._buffer_size = buffer_size
        self._queue_size = queue_size
        self._ttl_s = ttl_s
        self._heartbeat_s = heartbeat_s
        # Publishers beyond `max_connections` wait for a connection instead of failing.
        pool = BlockingConnectionPool.from_url(
            url, max_connections=max_connections, socket_connect_timeout=5, socket_timeout=10
        )
        self._redis: Redis = Redis.from_pool(pool)
        # Pub/sub errors surface at once: the reader reconnects and catches up itself.
        self._pubsub_client: Redis = Redis.from_url(
            url,
            retry=Retry(NoBackoff(), 0),
            client_name=f"{prefix}.pubsub",
            socket_connect_timeout=5,
        )
        self._publish = self._redis.register_script(_PUBLISH)
        self._fanouts: dict[str, TopicFanout] = {}
        self._on_server: set[str] = set()  # topics the current pub/sub connection holds
        self._leaving: dict[str, list[asyncio.Event]] = {}  # UNSUBSCRIBEs not yet confirmed
        self._pubsub: PubSub | None = None
        self._sync_lock = asyncio.Lock()
        self._wanted = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.reconnects = 0  # pub/sub connections lost and made again

    def _key(self, topic: str, kind: str) -> str:
        return f"{self._prefix}:{{{topic}}}:{kind}"

    async def publish(self, topic: str, envelope: dict[str, Any]) -> Message:
        rest = rest_of(envelope)
        keys = [self._key(topic, "seq"), self._key(topic, "log")]
        args: list[bytes | int | str] = [
            rest,
            self._buffer_size,
            self._ttl_s,
            self._key(topic, "live"),
        ]
        seq = int(await self._publish(keys=keys, args=args))
        return Message(topic, seq, with_seq(seq, rest))

    async def replay(self, topic: str, after_seq: int) -> list[Message] | None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(self._key(topic, "seq"))
            pipe.xrange(self._key(topic, "log"), min=f"{after_seq + 1}-0")
            raw_last, entries = await pipe.execute()
        last = int(raw_last or 0)
        if after_seq > last:
            return None  # a history this server no longer has (expired or flushed)
        if last - after_seq > self._buffer_size:
            return None  # MAXLEN ~ may keep more; the contract is the last buffer_size
        messages = [Message(topic, int(eid.split(b"-")[0]), f[b"b"]) for eid, f in entries]
        if after_seq < last and (not messages or messages[0].seq != after_seq + 1):
            return None  # trimmed
        return messages

    async def last_seq(self, topic: str) -> int:
        return int(await self._redis.get(self._key(topic, "seq")) or 0)

    def subscribe(self, topic: str) -> QueueSubscription:
        fanout = self._fanouts.get(topic)
        if fanout is None:
            fanout = TopicFanout(topic, self.replay, self.last_seq, self._emptied)
            self._fanouts[topic] = fanout
            self._wanted.set()
            if self._reader is None:
                self._reader = asyncio.create_task(self._read_forever())
            self._spawn(self._sync_quietly())
        sub = QueueSubscription(fanout, self._queue_size, self._detach)
        fanout.add(sub)
        return sub

    async def _detach(self, sub: QueueSubscription) -> None:
        fanout = self._fanouts.get(sub.topic)
        if fanout is not None and fanout.remove(sub):
            await self._drop(fanout)

    def _emptied(self, fanout: TopicFanout) -> None:
        self._spawn(self._drop(fanout))

    async def _drop(self, fanout: TopicFanout) -> None:
        """UNSUBSCRIBE a topic left without subscribers (unless one came back meanwhile);
        return once the server confirmed it (or the connection is gone)."""
        left = asyncio.Event()
        async with self._sync_lock:
            if fanout.subscriptions or self._fanouts.get(fanout.topic) is not fanout:
                return
            del self._fanouts[fanout.topic]
            fanout.active.set()  # nobody waits for it any more
            if not self._fanouts:
                self._wanted.clear()
            if fanout.topic not in self._on_server or self._pubsub is None:
                return
            self._on_server.discard(fanout.topic)
            self._leaving.setdefault(fanout.topic, []).append(left)
            try:
                await self._pubsub.unsubscribe(self._key(fanout.topic, "live"))
            except _CONNECTION_ERRORS:
                return  # the reader reconnects without this topic
        await left.wait()

    def _left(self, topic: str) -> None:
        waiting = self._leaving.get(topic)
        if waiting:
            waiting.pop(0).set()
            if not waiting:
                del self._leaving[topic]

    async def _sync(self) -> None:
        """SUBSCRIBE the topics that have subscribers and are not on the connection yet,
        after reading their counters (the seq each one's subscribers start after)."""
        async with self._sync_lock:
            pubsub = self._pubsub
            new = [t for t in self._fanouts if t not in self._on_server]
            if pubsub is None or not new:
                return
            fresh = [t for t in new if self._fanouts[t].floor is None]
            if fresh:
                counters = await self._redis.mget([self._key(t, "seq") for t in fresh])
                for topic, raw in zip(fresh, counters, strict=True):
                    self._fanouts[topic].floor = int(raw or 0)
            await pubsub.subscribe(*(self._key(t, "live") for t in new))
            self._on_server.update(new)

    async def _sync_quietly(self) -> None:
        with contextlib.suppress(*_CONNECTION_ERRORS):
            await self._sync()  # on failure the reader reconnects and syncs everything

    async def _read_forever(self) -> None:
        delay = _BACKOFF_MIN_S
        while True:
            await self._wanted.wait()
            pubsub = self._pubsub_client.pubsub()
            try:
                async with self._sync_lock:
                    self._pubsub = pubsub
                    self._on_server.clear()
                await self._sync()
                await self._read(pubsub)
                delay = _BACKOFF_MIN_S
                continue  # nothing left to listen to: the connection is closed below
            except _CONNECTION_ERRORS as exc:
                log.warning("redis pub/sub connection lost (%r); again in %.1f s", exc, delay)
            except Exception:
                log.exception("redis pub/sub reader failed; reconnecting in %.1f s", delay)
            finally:
                async with self._sync_lock:
                    self._pubsub = None
                    self._on_server.clear()
                    for waiting in self._leaving.values():
                        for left in waiting:
                            left.set()
                    self._leaving.clear()
                with contextlib.suppress(*_CONNECTION_ERRORS):
                    await pubsub.aclose()  # type: ignore[no-untyped-call, unused-ignore]
            self.reconnects += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, _BACKOFF_MAX_S)

    async def _read(self, pubsub: PubSub) -> None:
        """Dispatch messages until no topic is wanted; raise when the connection is gone."""
        unanswered = 0
        while self._fanouts or self._on_server:
            message = await pubsub.get_message(timeout=self._heartbeat_s)
            if message is None:
                if unanswered:
                    raise RedisConnectionError("the pub/sub connection stopped answering")
                unanswered += 1
                await pubsub.ping()
                continue
            unanswered = 0
            kind = message["type"]
            if kind not in ("message", "subscribe", "unsubscribe"):
                continue
            topic = self._topic_of(message["channel"])
            if kind == "unsubscribe":
                self._left(topic)
                continue
            fanout = self._fanouts.get(topic)
            if fanout is None:
                continue
            if kind == "subscribe":
                await fanout.catch_up()
            else:
                try:
                    await fanout.receive(message["data"])
                except ValueError:
                    log.warning("ignored a foreign message on %r", message["channel"])

    def _topic_of(self, channel: bytes) -> str:
        return channel.decode()[len(self._prefix) + 2 : -len("}:live")]

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for fanout in list(self._fanouts.values()):
            fanout.end_all()
        self._fanouts.clear()
        tasks = [*self._tasks, *([self._reader] if self._reader else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._reader = None
        await self._pubsub_client.aclose()
        await self._redis.aclose()
