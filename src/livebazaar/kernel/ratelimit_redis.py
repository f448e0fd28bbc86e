"""Rate limits shared by every node: the sliding window of `ratelimit.SlidingWindowLimiter`,
kept in Redis so hits through any app process add up.

One sorted set per key (`<prefix>:<key>`), one member per accepted hit scored by its time in
integer microseconds (exact in a double up to 2**53, i.e. until the year 2255). One Lua script
does the whole check atomically, so two nodes hitting the same key at once cannot both take
the last place: drop the hits that left the window, count the rest, then either record this
hit and push the key's expiry out by one window (a quiet key vanishes by itself) or answer the
oldest hit's time, from which `retry_after_s` is exact.

The time is the app's clock (`now`, as for the in-process limiter), not Redis `TIME`: the two
limiters then behave the same and tests drive both with a ManualClock. The price is that the
nodes' clocks must agree (NTP-synced): a node running ahead counts others' hits as older than
they are. Key expiry is Redis's own real time, which only decides when an idle key's memory is
freed: its hits have all left the window by then.

Redis unreachable, a hit fails closed with 503 `unavailable` (Retry-After): letting claims
through unlimited while the server is away would be the flood the limit exists for.
"""

from __future__ import annotations

import math
import secrets
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from livebazaar.kernel.errors import RateLimited, Unavailable

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# KEYS[1]: the key's sorted set. ARGV: 1 the cutoff (hits at or before it have left the window),
# 2 now, 3 the limit, 4 this hit's unique member, 5 the window in ms. Scores travel as strings,
# computed by the caller: Lua would print large numbers in exponent form and lose digits.
# Answers -1 when the hit is recorded, else the oldest hit's score.
_HIT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return -1
end
return redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
"""


def _micros(now: datetime) -> int:
    """`now` in whole microseconds since the epoch (naive means UTC, as the database gives)."""
    aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return (aware - _EPOCH) // _MICROSECOND


class RedisRateLimiter:
    """At most `limit` hits per key in any rolling `window_s`, counted across every node that
    shares `client` and `prefix` (the prefix names the limiter: `livebazaar:ratelimit:claim`).
    The client is the caller's to close."""

    def __init__(self, client: Redis, prefix: str, limit: int, window_s: float = 10.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self.prefix = prefix
        self._window_us = round(window_s * 1_000_000)
        self._expire_ms = max(math.ceil(window_s * 1000), 1)
        self._script = client.register_script(_HIT)

    async def hit(self, key: str, now: datetime) -> None:
        t = _micros(now)
        member = f"{t}:{secrets.token_hex(6)}"  # two hits in one microsecond stay two hits
        args = (t - self._window_us, t, self.limit, member, self._expire_ms)
        try:
            oldest = await self._script(keys=[f"{self.prefix}:{key}"], args=args)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            raise Unavailable("Rate limits cannot be checked; try again") from exc
        if oldest == -1:  # an integer reply; a score comes back as a (bulk) string
            return
        retry_us = round(float(oldest)) + self._window_us - t
        raise RateLimited(retry_after_s=max(retry_us / 1_000_000, 0.001))
