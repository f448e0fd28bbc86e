"""Two app nodes (two containers, one database): the claim rate limit holds across them when
they count in one Redis (settings.ratelimit_url), and is each node's own when they do not;
with that Redis unreachable, claims are refused with 503 rather than let through unlimited.

The single-node version is test_claims.py::test_claims_are_rate_limited_per_buyer.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from redis.asyncio import Redis

from livebazaar.bootstrap import all_metadata, build_container
from livebazaar.kernel.clock import ManualClock
from livebazaar.settings import Settings
from livebazaar.web.app import create_app
from tests.brokers import forget_redis, redis_url, unique_prefix
from tests.checkout.stage import claim, get_drop, make_buyers, set_stage, start_drop
from tests.conftest import free_port, make_settings
from tests.databases import database_url
from tests.support import Account, Api, assert_problem


@contextlib.asynccontextmanager
async def node(settings: Settings, clock: ManualClock) -> AsyncIterator[Api]:
    """One app process: its own container (pools, caches, limiters) and HTTP client."""
    container = build_container(settings, clock=clock)
    app = create_app(container, background=False)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
                yield Api(client, container)
    finally:
        await container.close()


@contextlib.asynccontextmanager
async def two_nodes(
    tmp_path: Path, clock: ManualClock, **shared: Any
) -> AsyncIterator[tuple[Api, Api]]:
    settings = make_settings(tmp_path, database_url=database_url(tmp_path, schema=True), **shared)
    async with node(settings, clock) as a, node(settings, clock) as b:
        async with a.container.db.engine.begin() as conn:
            await conn.run_sync(all_metadata().create_all)
        yield a, b


async def _claims_up_to_the_limit(a: Api, b: Api) -> tuple[str, list[Account]]:
    """Given a drop (one unit per buyer) and two buyers, the first buyer's `limit` claims,
    alternately through node A and node B: one is taken, the rest refused by the per-buyer
    limit, and every one counts toward the rate limit."""
    limit = a.container.settings.claim_rate_per_10s
    stage = await set_stage(a)
    drop = await start_drop(a.client, stage, quantity=100, per_buyer_limit=1)
    buyers = await make_buyers(a.container, 2)
    codes = [
        (await claim((a, b)[i % 2].client, buyers[0], drop["id"])).status_code for i in range(limit)
    ]
    assert codes == [201] + [422] * (limit - 1)
    return drop["id"], buyers


async def test_a_buyer_over_the_claim_limit_on_one_node_is_refused_on_the_other(
    tmp_path: Path, clock: ManualClock
) -> None:
    url, prefix = redis_url(), unique_prefix()
    shared = {"ratelimit_url": url, "broker_prefix": prefix, "claim_rate_per_10s": 4}
    client = Redis.from_url(url)
    try:
        async with two_nodes(tmp_path, clock, **shared) as (a, b):
            drop_id, (buyer, other) = await _claims_up_to_the_limit(a, b)

            for n in (a, b):
                refused = await claim(n.client, buyer, drop_id)
                assert_problem(refused, 429, "rate_limited")
                assert int(refused.headers["retry-after"]) >= 1
            assert (await claim(b.client, other, drop_id)).status_code == 201
            clock.advance(10.1)
            assert_problem(await claim(b.client, buyer, drop_id), 422, "per_buyer_limit_exceeded")

        # Namespaced by installation and limiter, one key per buyer (the sign-ups that made
        # the accounts were counted under the register limiter's own keys).
        keys = [k async for k in client.scan_iter(match=f"{prefix}:ratelimit:claim:*")]
        assert sorted(keys) == sorted(
            f"{prefix}:ratelimit:claim:{u.user_id}".encode() for u in (buyer, other)
        )
    finally:
        await client.aclose()
        await forget_redis(url, prefix)


async def test_without_a_shared_store_each_node_counts_its_own_claims(
    tmp_path: Path, clock: ManualClock
) -> None:
    async with two_nodes(tmp_path, clock, claim_rate_per_10s=4) as (a, b):
        drop_id, (buyer, _) = await _claims_up_to_the_limit(a, b)

        # Each node has seen half of the buyer's claims: neither refuses the next one.
        assert_problem(await claim(a.client, buyer, drop_id), 422, "per_buyer_limit_exceeded")
        assert_problem(await claim(b.client, buyer, drop_id), 422, "per_buyer_limit_exceeded")


async def test_claims_answer_503_while_the_shared_limits_are_unreachable(
    tmp_path: Path, clock: ManualClock
) -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # a port nothing listens on
    async with two_nodes(tmp_path, clock) as (a, _):
        # (the stage is set through a node whose limits answer: signing up is limited too)
        stage = await set_stage(a)
        drop = await start_drop(a.client, stage, quantity=10)
        [buyer] = await make_buyers(a.container, 1)
        cut_off = a.container.settings.model_copy(update={"ratelimit_url": nobody})
        async with node(cut_off, clock) as c:
            r = await claim(c.client, buyer, drop["id"])

            assert_problem(r, 503, "unavailable")
            assert int(r.headers["retry-after"]) >= 1
            assert (await get_drop(c.client, drop["id"]))["reserved"] == 0
