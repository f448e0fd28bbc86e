"""The RateLimiter contract, held by the in-process limiter and by the Redis one alike; then
what only the Redis one promises: nodes sharing a server share the limit, keys expire.

Time is a ManualClock moved by hand, never the wall clock: both limiters take `now` from the
app's clock. Redis tests skip unless LIVEBAZAAR_TEST_REDIS_URL is set (tests/brokers.py); each
writes under a prefix of its own and deletes its keys afterwards.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from livebazaar.kernel.clock import ManualClock
from livebazaar.kernel.errors import RateLimited
from livebazaar.kernel.ratelimit import RateLimiter, SlidingWindowLimiter
from livebazaar.kernel.ratelimit_redis import RedisRateLimiter
from tests.brokers import forget_redis, redis_url, unique_prefix

MakeLimiter = Callable[[int, float], RateLimiter]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 5, 1, 12, 0, 0, 123456, tzinfo=UTC))


@pytest.fixture
async def namespace() -> AsyncIterator[tuple[Redis, str]]:
    """A client on the test server and a key prefix of this test's own."""
    url, prefix = redis_url(), unique_prefix()
    client = Redis.from_url(url)
    try:
        yield client, prefix
    finally:
        await client.aclose()
        await forget_redis(url, prefix)


@pytest.fixture(params=["memory", "redis"])
def make_limiter(request: pytest.FixtureRequest) -> MakeLimiter:
    """Makes limiters of one kind; Redis ones each under a prefix of their own."""
    if request.param == "memory":
        return lambda limit, window_s: SlidingWindowLimiter(limit, window_s=window_s)
    client, prefix = request.getfixturevalue("namespace")
    n = itertools.count()
    return lambda limit, window_s: RedisRateLimiter(
        client, f"{prefix}:l{next(n)}", limit, window_s=window_s
    )


async def refused_for(limiter: RateLimiter, key: str, clock: ManualClock) -> float:
    """Hit once more, expecting a refusal; its retry_after_s."""
    with pytest.raises(RateLimited) as refused:
        await limiter.hit(key, clock.now())
    return refused.value.retry_after_s


async def test_at_most_limit_hits_per_window(make_limiter: MakeLimiter, clock: ManualClock) -> None:
    limiter = make_limiter(3, 10.0)
    for _ in range(3):
        await limiter.hit("buyer", clock.now())
        clock.advance(1)

    await refused_for(limiter, "buyer", clock)
    await refused_for(limiter, "buyer", clock)


async def test_retry_after_is_when_the_oldest_hit_leaves_the_window(
    make_limiter: MakeLimiter, clock: ManualClock
) -> None:
    limiter = make_limiter(3, 10.0)
    for step in (0, 2.5, 1.5):  # hits at 0, 2.5 and 4 s
        clock.advance(step)
        await limiter.hit("buyer", clock.now())

    clock.advance(2)  # t = 6: the hit at 0 leaves at 10
    assert await refused_for(limiter, "buyer", clock) == pytest.approx(4.0, abs=1e-6)
    clock.advance(3.75)  # t = 9.75
    assert await refused_for(limiter, "buyer", clock) == pytest.approx(0.25, abs=1e-6)
    clock.advance(0.25)  # t = 10: the hit at 0 is out (a hit leaves exactly window_s later)
    await limiter.hit("buyer", clock.now())
    assert await refused_for(limiter, "buyer", clock) == pytest.approx(2.5, abs=1e-6)


async def test_keys_are_independent(make_limiter: MakeLimiter, clock: ManualClock) -> None:
    limiter = make_limiter(2, 10.0)
    await limiter.hit("a", clock.now())
    await limiter.hit("a", clock.now())
    await refused_for(limiter, "a", clock)

    await limiter.hit("b", clock.now())
    await limiter.hit("b", clock.now())
    await refused_for(limiter, "b", clock)


async def test_the_window_slides_and_refusals_do_not_count(
    make_limiter: MakeLimiter, clock: ManualClock
) -> None:
    limiter = make_limiter(2, 10.0)
    await limiter.hit("k", clock.now())  # t = 0
    clock.advance(6)
    await limiter.hit("k", clock.now())  # t = 6
    clock.advance(2)
    assert await refused_for(limiter, "k", clock) == pytest.approx(2.0, abs=1e-6)  # t = 8
    clock.advance(2)
    await limiter.hit("k", clock.now())  # t = 10: the refusal at 8 took no place
    clock.advance(2)
    assert await refused_for(limiter, "k", clock) == pytest.approx(4.0, abs=1e-6)  # t = 12
    clock.advance(4)
    await limiter.hit("k", clock.now())  # t = 16
    clock.advance(60)
    await limiter.hit("k", clock.now())
    await limiter.hit("k", clock.now())


async def test_nodes_sharing_redis_share_the_limit(
    namespace: tuple[Redis, str], clock: ManualClock
) -> None:
    _, prefix = namespace
    node_a, node_b = Redis.from_url(redis_url()), Redis.from_url(redis_url())
    try:
        a = RedisRateLimiter(node_a, f"{prefix}:claim", 3, window_s=10.0)
        b = RedisRateLimiter(node_b, f"{prefix}:claim", 3, window_s=10.0)
        await a.hit("buyer", clock.now())  # t = 0
        clock.advance(1)
        await b.hit("buyer", clock.now())
        await a.hit("buyer", clock.now())

        assert await refused_for(b, "buyer", clock) == pytest.approx(9.0, abs=1e-6)
        assert await refused_for(a, "buyer", clock) == pytest.approx(9.0, abs=1e-6)
        await b.hit("someone else", clock.now())
        clock.advance(9)  # t = 10: A's first hit leaves, for both nodes
        await b.hit("buyer", clock.now())
        await refused_for(a, "buyer", clock)
    finally:
        await node_a.aclose()
        await node_b.aclose()


async def test_concurrent_hits_from_two_nodes_never_exceed_the_limit(
    namespace: tuple[Redis, str], clock: ManualClock
) -> None:
    _, prefix = namespace
    node_a, node_b = Redis.from_url(redis_url()), Redis.from_url(redis_url())
    try:
        limiters = [RedisRateLimiter(c, f"{prefix}:claim", 5) for c in (node_a, node_b)]

        async def attempt(limiter: RateLimiter) -> bool:
            try:
                await limiter.hit("buyer", clock.now())
            except RateLimited:
                return False
            return True

        accepted = await asyncio.gather(*(attempt(limiters[i % 2]) for i in range(40)))
        assert sum(accepted) == 5
    finally:
        await node_a.aclose()
        await node_b.aclose()


async def test_redis_keys_are_namespaced_and_expire_after_a_window(
    namespace: tuple[Redis, str], clock: ManualClock
) -> None:
    client, prefix = namespace
    limiter = RedisRateLimiter(client, f"{prefix}:chat", 2, window_s=10.0)
    await limiter.hit("chat:u1", clock.now())
    await limiter.hit("chat:u1", clock.now())
    await refused_for(limiter, "chat:u1", clock)

    assert [k async for k in client.scan_iter(match=f"{prefix}:*")] == [
        f"{prefix}:chat:chat:u1".encode()
    ]
    ttl_ms = await client.pttl(f"{prefix}:chat:chat:u1")
    assert 0 < ttl_ms <= 10_000
    assert await client.zcard(f"{prefix}:chat:chat:u1") == 2
