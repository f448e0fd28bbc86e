"""Counting a show's viewers across app nodes: the `ViewerTally` port and its two adapters.

Each node knows only its own WebSockets (the realtime hub's `viewer_count`). Every
`viewer_count_interval_s` the hub reports them here and learns the show's total, its peak, and
whether it is the node that should publish the new total as "viewers.count".

- `InProcessViewerTally`: one node. The total is this process's count (the memory broker's
  world, and NATS deployments without `viewers_url`: each node then publishes its own count).
- `RedisViewerTally`: one hash per show, `<prefix>:viewers:{<show_id>}`, one field per node
  (`<node id>` = "count:unix_ms"). One Lua script writes this node's field, sums the fresh
  ones and deletes the stale ones (a node that died stops counting after `stale_after_s`,
  three intervals), keeps the peak, and, when asked to, compares the total with the last
  one published: only the first node to see a change publishes it. A second hash,
  `<prefix>:viewers:{<show_id>}:totals` (same hash tag: one Redis Cluster slot), holds `peak`
  and `sent`. Both keys' TTL is refreshed on every write.

Times are the app's clock (`now`, as for the rate limits), so nodes must be NTP-synced and
tests drive staleness with a ManualClock instead of sleeping. The peak is the highest total a
report saw (every interval, and each time the host's panel asks) or any node's own peak (the
total was at least that then): a spike shorter than an interval on several nodes at once can
go unrecorded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit

from redis.asyncio import BlockingConnectionPool, Redis

STALE_INTERVALS = 3  # a node's count is dropped once it is this many intervals old

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


@dataclass(frozen=True, slots=True)
class ViewerTotals:
    total: int  # viewers of the show across the nodes
    peak: int  # the most `total` has been (at least each node's own peak)
    publish: bool  # this node is the one to publish `total` (it changed since the last one)


class ViewerTally(Protocol):
    node_id: str

    async def report(
        self, show_id: str, count: int, now: datetime, *, peak: int = 0, claim: bool = False
    ) -> ViewerTotals:
        """Record that this node has `count` viewers of the show (and has seen up to `peak`);
        the totals across nodes. With `claim`, `publish` is True for the one report that
        first sees a total differing from the last one claimed (none yet counts as 0): that
        node publishes it. Without, `publish` is False and nothing is claimed."""
        ...

    def estimate(self, show_id: str, count: int, now: datetime) -> int:
        """The total without I/O: the other nodes' share as of this node's last report (if it
        is still fresh), plus `count`, this node's viewers now."""
        ...

    async def close(self) -> None: ...


class InProcessViewerTally:
    """One node: the total is this process's count, the peak the most it has seen."""

    def __init__(self, node_id: str | None = None) -> None:
        self.node_id = node_id or uuid.uuid4().hex
        self._sent: dict[str, int] = {}  # only shows whose last published count was not 0
        self._peaks: dict[str, int] = {}  # one int per show ever watched here: small

    async def report(
        self, show_id: str, count: int, now: datetime, *, peak: int = 0, claim: bool = False
    ) -> ViewerTotals:
        top = self._peaks[show_id] = max(self._peaks.get(show_id, 0), count, peak)
        publish = claim and self._sent.get(show_id, 0) != count
        if publish:
            if count:
                self._sent[show_id] = count
            else:
                self._sent.pop(show_id, None)
        return ViewerTotals(count, top, publish)

    def estimate(self, show_id: str, count: int, now: datetime) -> int:
        return count

    async def close(self) -> None:
        return None


# KEYS: 1 the nodes' hash, 2 the totals hash (peak, sent). ARGV: 1 node id, 2 its count,
# 3 now (ms), 4 the staleness cutoff (ms: fields at or before it are deleted), 5 the node's
# own peak, 6 the keys' TTL (ms), 7 "1" to claim the publication. Times travel as strings the
# caller formatted: Lua would print large numbers in exponent form. A malformed field (not
# written by this script) is deleted like a stale one. Answers {total, peak, publish 0/1}.
_REPORT = """
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
local cutoff = tonumber(ARGV[4])
local total = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local value = fields[i + 1]
  local sep = string.find(value, ':', 1, true)
  local count = sep and tonumber(string.sub(value, 1, sep - 1))
  local at = sep and tonumber(string.sub(value, sep + 1))
  if count and at and at > cutoff then
    total = total + count
  else
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
local peak = math.max(tonumber(redis.call('HGET', KEYS[2], 'peak') or 0), total,
                      tonumber(ARGV[5]))
redis.call('HSET', KEYS[2], 'peak', peak)
local publish = 0
if ARGV[7] == '1' and tonumber(redis.call('HGET', KEYS[2], 'sent') or 0) ~= total then
  redis.call('HSET', KEYS[2], 'sent', total)
  publish = 1
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return {total, peak, publish}
"""


def _millis(now: datetime) -> int:
    """`now` in whole milliseconds since the epoch (naive means UTC, as the database gives)."""
    aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return (aware - _EPOCH) // _MILLISECOND


class RedisViewerTally:
    """Every node that shares the Redis server and `prefix` adds up to one total per show.
    Connects on first use; `close` releases the connections."""

    def __init__(
        self,
        url: str,
        prefix: str,
        *,
        stale_after_s: float,
        node_id: str | None = None,
        ttl_s: int = 24 * 3600,
    ) -> None:
        self.node_id = node_id or uuid.uuid4().hex
        self.prefix = prefix
        self._stale_ms = max(round(stale_after_s * 1000), 1)
        # A day after the last report the peak is forgotten with the rest (shows end sooner).
        self._ttl_ms = ttl_s * 1000
        pool = BlockingConnectionPool.from_url(
            url, max_connections=16, timeout=5, socket_connect_timeout=5, socket_timeout=10
        )
        self._redis: Redis = Redis.from_pool(pool)
        self._script = self._redis.register_script(_REPORT)
        # show id -> (the other nodes' share, when this node learnt it, in ms): for estimate.
        self._others: dict[str, tuple[int, int]] = {}

    def key(self, show_id: str) -> str:
        return f"{self.prefix}:viewers:{{{show_id}}}"

    async def report(
        self, show_id: str, count: int, now: datetime, *, peak: int = 0, claim: bool = False
    ) -> ViewerTotals:
        ms = _millis(now)
        key = self.key(show_id)
        args = (self.node_id, max(count, 0), ms, ms - self._stale_ms, peak, self._ttl_ms,
                "1" if claim else "0")  # fmt: skip
        total, top, publish = await self._script(keys=[key, f"{key}:totals"], args=args)
        self._others[show_id] = (int(total) - max(count, 0), ms)
        return ViewerTotals(int(total), int(top), publish == 1)

    def estimate(self, show_id: str, count: int, now: datetime) -> int:
        others, at = self._others.get(show_id, (0, 0))
        fresh = _millis(now) - at < self._stale_ms
        return count + others if fresh else count

    async def close(self) -> None:
        await self._redis.aclose()


def viewer_tally_from_url(url: str, *, prefix: str, interval_s: float) -> ViewerTally:
    """Redis at a `redis://`/`rediss://` URL; any other (memory://, nats://): in process."""
    if urlsplit(url).scheme.lower() in ("redis", "rediss"):
        return RedisViewerTally(url, prefix, stale_after_s=STALE_INTERVALS * interval_s)
    return InProcessViewerTally()
