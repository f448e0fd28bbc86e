"""Per-key rate limits (chat, reactions, claims).

`RateLimiter` is the seam: the in-process sliding window below serves one process;
`ratelimit_redis.RedisRateLimiter` (a sorted set per key) serves several nodes sharing one
Redis. `hit` is async because the shared one asks Redis; the in-process one never awaits.
The composition root picks one (`Container.limiter`).
"""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import Protocol

from livebazaar.kernel.errors import RateLimited


class RateLimiter(Protocol):
    async def hit(self, key: str, now: datetime) -> None:
        """Count one attempt for `key`, or raise RateLimited (retry_after_s set) if over."""
        ...


class SlidingWindowLimiter:
    """At most `limit` hits per key in any rolling `window_s`. Memory stays bounded: keys
    whose hits all left the window are swept once the table grows past `max_keys`."""

    def __init__(self, limit: int, window_s: float = 10.0, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    async def hit(self, key: str, now: datetime) -> None:
        t = now.timestamp()
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self._max_keys:
                self._sweep(t)
            hits = self._hits[key] = deque()
        while hits and hits[0] <= t - self.window_s:
            hits.popleft()
        if len(hits) >= self.limit:
            raise RateLimited(retry_after_s=max(hits[0] + self.window_s - t, 0.001))
        hits.append(t)

    def _sweep(self, t: float) -> None:
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= t - self.window_s]:
            del self._hits[key]
