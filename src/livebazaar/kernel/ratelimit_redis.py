"""Rate limits shared by every node: the sliding window of `ratelimit.SlidingWindowLimiter`,
kept in Redis so hits through any app process add up.

One sorted set per key (`<prefix>:<key>`), one member per accepted hit scored by its time in
integer microseconds (exact in a double up to 2**53, i.e. until the year 2255). One Lua script
checks a batch of hits atomically, in order, so two nodes hitting the same key at once cannot
both take the last place: per hit, drop the hits that left the window, count the rest, then
either record this hit and push the key's expiry out by one window (a quiet key vanishes by
itself) or answer the oldest hit's time, from which `retry_after_s` is exact. The hits that
arrive while a batch is in flight form the next one: one round trip per batch, not per hit.

The time is the app's clock (`now`, as for the in-process limiter), not Redis `TIME`: the two
limiters then behave the same and tests drive both with a ManualClock. The price is that the
nodes' clocks must agree (NTP-synced): a node running ahead counts others' hits as older than
they are. Key expiry is Redis's own real time, which only decides when an idle key's memory is
freed: its hits have all left the window by then.

Redis unreachable, a hit fails closed with 503 `unavailable` (Retry-After): letting claims
through unlimited while the server is away would be the flood the limit exists for.
"""

from __future__ import annotations

import asyncio
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from livebazaar.kernel.errors import RateLimited, Unavailable

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# One call checks a batch of hits, in order. KEYS: each hit's sorted set. ARGV: the window in
# ms, the limit, then per hit three values: the cutoff (hits at or before it have left the
# window), now, and the hit's unique member. Scores travel as strings, computed by the caller:
# Lua would print large numbers in exponent form and lose digits. Answers, per hit, -1 when it
# is recorded, else the oldest hit's score (a string).
_HITS = """
local window, limit = ARGV[1], tonumber(ARGV[2])
local answers = {}
for i, key in ipairs(KEYS) do
  local a = 3 * i
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[a])
  if redis.call('ZCARD', key) < limit then
    redis.call('ZADD', key, ARGV[a + 1], ARGV[a + 2])
    redis.call('PEXPIRE', key, window)
    answers[i] = -1
  else
    answers[i] = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]
  end
end
return answers
"""
MAX_BATCH = 1000


def _micros(now: datetime) -> int:
    """`now` in whole microseconds since the epoch (naive means UTC, as the database gives)."""
    aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return (aware - _EPOCH) // _MICROSECOND


@dataclass
class _Hit:
    key: str
    t: int  # microseconds
    answer: asyncio.Future[int | bytes]


class RedisRateLimiter:
    """At most `limit` hits per key in any rolling `window_s`, counted across every node that
    shares `client` and `prefix` (the prefix names the limiter: `livebazaar:ratelimit:claim`).
    Hits arriving together (a flash sale's claims) go to Redis in one script call, so a burst
    costs one round trip, not one per request. The client is the caller's to close."""

    def __init__(self, client: Redis, prefix: str, limit: int, window_s: float = 10.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self.prefix = prefix
        self._window_us = round(window_s * 1_000_000)
        self._expire_ms = max(math.ceil(window_s * 1000), 1)
        self._script = client.register_script(_HITS)
        self._waiting: list[_Hit] = []
        self._sender: asyncio.Task[None] | None = None

    async def hit(self, key: str, now: datetime) -> None:
        hit = _Hit(f"{self.prefix}:{key}", _micros(now), asyncio.get_running_loop().create_future())
        self._waiting.append(hit)
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send_waiting())
        try:
            oldest = await hit.answer
        except (RedisConnectionError, RedisTimeoutError) as exc:
            raise Unavailable("Rate limits cannot be checked; try again") from exc
        if oldest == -1:  # an integer reply; a score comes back as a (bulk) string
            return
        retry_us = round(float(oldest)) + self._window_us - hit.t
        raise RateLimited(retry_after_s=max(retry_us / 1_000_000, 0.001))

    async def _send_waiting(self) -> None:
        """Send what waits in batches until nothing does (hits coming meanwhile join the next)."""
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            args: list[int | str] = [self._expire_ms, self.limit]
            for hit in batch:  # two hits in one microsecond stay two hits
                args += [hit.t - self._window_us, hit.t, f"{hit.t}:{secrets.token_hex(6)}"]
            try:
                answers = await self._script(keys=[h.key for h in batch], args=args)
            except Exception as exc:  # each waiting hit raises it
                for hit in batch:
                    if not hit.answer.done():
                        hit.answer.set_exception(exc)
                continue
            for hit, answer in zip(batch, answers, strict=True):
                if not hit.answer.done():
                    hit.answer.set_result(answer)
