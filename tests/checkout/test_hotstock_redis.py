"""What only the Redis HotStock can meet: Redis forgetting a drop in the middle of it, a node
dying between admitting claims and recording them, units stranded in the database, Redis
unreachable. (Everything else a claim does is tested against both HotStocks: conftest.py.)"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest
from redis.asyncio import Redis
from sqlalchemy import text

from livebazaar.bootstrap import Container, all_metadata
from livebazaar.checkout import RedisHotStock, sweep_expired_holds
from livebazaar.kernel.clock import ManualClock
from livebazaar.settings import Settings
from tests.brokers import forget_redis, redis_url, unique_prefix
from tests.checkout.stage import (
    claim,
    drop_pool_id,
    get_drop,
    make_buyers,
    pool,
    set_stage,
    start_drop,
)
from tests.checkout.test_claims_across_nodes import node
from tests.conftest import free_port, make_settings
from tests.databases import database_url, on_postgres
from tests.support import Api, assert_problem


@pytest.fixture
async def settings(tmp_path: Path) -> AsyncIterator[Settings]:
    """The Redis HotStock only (not conftest's two)."""
    url, prefix = redis_url(), unique_prefix()
    yield make_settings(tmp_path, hotstock_url=url, broker_prefix=prefix)
    await forget_redis(url, prefix)


def _state_key(settings: Settings, drop_id: str) -> str:
    return f"{settings.broker_prefix}:hot:{{{drop_id}}}:state"


async def _redis_state(settings: Settings, drop_id: str) -> dict[str, int]:
    assert settings.hotstock_url is not None
    client = Redis.from_url(settings.hotstock_url)
    try:
        key = _state_key(settings, drop_id)
        raw = cast(dict[bytes, bytes], await client.hgetall(key))
        return {k.decode(): int(v) for k, v in raw.items()}
    finally:
        await client.aclose()


async def _forget_everything(settings: Settings) -> None:
    """What a Redis restart without persistence leaves of our keys: nothing."""
    assert settings.hotstock_url is not None
    client = Redis.from_url(settings.hotstock_url)
    try:
        keys = [k async for k in client.scan_iter(match=f"{settings.broker_prefix}:*")]
        assert keys, "the drop was in Redis"
        await client.delete(*keys)
    finally:
        await client.aclose()


async def test_a_drop_survives_redis_forgetting_it(
    api: Api, container: Container, settings: Settings
) -> None:
    stage = await set_stage(api)
    drop = await start_drop(api.client, stage, quantity=12, per_buyer_limit=3)
    buyers = await make_buyers(container, 6)
    first = await claim(api.client, buyers[0], drop["id"], 3, key="before")
    assert first.status_code == 201
    assert (await claim(api.client, buyers[1], drop["id"], 2)).status_code == 201

    await _forget_everything(settings)

    # A retried key gets its first answer; a buyer's units before the loss still count.
    again = await claim(api.client, buyers[0], drop["id"], 3, key="before")
    assert again.status_code == 201
    assert again.json()["order_id"] == first.json()["order_id"]
    refused = await claim(api.client, buyers[0], drop["id"], 1)
    assert_problem(refused, 422, "per_buyer_limit_exceeded")
    assert refused.json()["may_take"] == 0
    answers = await asyncio.gather(
        *(claim(api.client, b, drop["id"], 1) for b in buyers[1:] for _ in range(3))
    )
    taken = sum(1 for r in answers if r.status_code == 201)
    assert taken == 12 - 5  # every unit sold once: 7 more, then sold out or the limit
    assert {r.json()["code"] for r in answers if r.status_code != 201} <= {
        "sold_out", "per_buyer_limit_exceeded",
    }  # fmt: skip
    counts = await get_drop(api.client, drop["id"])
    assert (counts["remaining"], counts["reserved"]) == (0, 12)
    assert (await _redis_state(settings, drop["id"]))["available"] == 0


async def test_units_stranded_in_the_database_come_back_to_redis(
    api: Api, container: Container, settings: Settings
) -> None:
    stage = await set_stage(api)
    drop = await start_drop(api.client, stage, quantity=5, per_buyer_limit=5)
    [buyer] = await make_buyers(container, 1)
    assert (await claim(api.client, buyer, drop["id"], 2)).status_code == 201
    client = Redis.from_url(settings.hotstock_url or "")
    try:  # as if a crash came between a hold's expiry and its units' return to Redis
        await client.hset(_state_key(settings, drop["id"]), "available", 1)
    finally:
        await client.aclose()

    await container.hotstock.maintain()

    assert (await _redis_state(settings, drop["id"]))["available"] == 3
    assert (await claim(api.client, buyer, drop["id"], 3)).status_code == 201


async def test_claims_answer_503_while_redis_is_unreachable(tmp_path: Path) -> None:
    closed_port = free_port()
    settings = make_settings(tmp_path, hotstock_url=f"redis://127.0.0.1:{closed_port}/0")
    async with node(settings, ManualClock()) as a:
        async with a.container.db.engine.begin() as conn:
            await conn.run_sync(all_metadata().create_all)
        stage = await set_stage(a)
        drop = await start_drop(a.client, stage, quantity=5)
        [buyer] = await make_buyers(a.container, 1)

        refused = await claim(a.client, buyer, drop["id"])

        assert_problem(refused, 503, "unavailable")
        assert (await get_drop(a.client, drop["id"]))["reserved"] == 0


@contextlib.asynccontextmanager
async def _pool_row_locked(container: Container, pool_id: str) -> AsyncIterator[None]:
    """Another transaction holds the drop pool's row lock (PostgreSQL)."""
    async with container.db.engine.connect() as conn, conn.begin():
        await conn.execute(
            text("SELECT id FROM stock_pools WHERE id = :id FOR UPDATE"), {"id": pool_id}
        )
        yield


@pytest.mark.skipif(not on_postgres(), reason="needs PostgreSQL (a row lock held meanwhile)")
async def test_claims_a_dead_node_admitted_are_recorded_by_another(
    tmp_path: Path, settings: Settings
) -> None:
    clock = ManualClock()
    shared: dict[str, Any] = {
        "database_url": database_url(tmp_path, schema=True),
        "hotstock_url": settings.hotstock_url, "broker_prefix": settings.broker_prefix,
        "hotstock_recovery_idle_s": 0.05,
    }  # fmt: skip
    async with node(make_settings(tmp_path, **shared), clock) as b:
        stage = await set_stage(b)
        drop = await start_drop(b.client, stage, quantity=4, per_buyer_limit=2, hold_s=60)
        buyers = await make_buyers(b.container, 2)
        pool_id = await drop_pool_id(b.container, drop["id"])
        async with (
            node(make_settings(tmp_path, **shared), clock) as a,
            _pool_row_locked(a.container, pool_id),
        ):
            pending = asyncio.create_task(claim(a.client, buyers[0], drop["id"], 2))
            for _ in range(500):  # admitted in Redis; its recording waits on the lock
                if (await _redis_state(settings, drop["id"])).get("inflight") == 2:
                    break
                await asyncio.sleep(0.01)
            assert (await _redis_state(settings, drop["id"]))["inflight"] == 2
            await a.container.hotstock.close()  # node A dies, its claim unanswered
            assert_problem(await pending, 503, "unavailable")
        await asyncio.sleep(0.1)  # past hotstock_recovery_idle_s

        await b.container.hotstock.maintain()

        assert (await pool(b.container, pool_id)).reserved == 2  # recorded by node B
        state = await _redis_state(settings, drop["id"])
        assert (state["available"], state["inflight"]) == (2, 0)
        assert isinstance(b.container.hotstock, RedisHotStock)
        # Nobody was told of that hold: unpaid, it expires, and its units come back.
        clock.advance(61)
        await sweep_expired_holds(b.container.db, b.container.broker, b.container.clock)
        assert (await _redis_state(settings, drop["id"]))["available"] == 4
        assert (await claim(b.client, buyers[1], drop["id"], 2)).status_code == 201


@pytest.mark.skipif(not on_postgres(), reason="needs PostgreSQL (a row lock held meanwhile)")
async def test_a_key_retried_while_its_claim_is_recorded_elsewhere_is_409(
    tmp_path: Path, settings: Settings
) -> None:
    """Two nodes: the first claim is admitted through node A and its recording waits; the
    same Idempotency-Key retried through node B meanwhile is 409 (the IETF draft's and
    Stripe's answer; not a 503 telling monitoring the server failed), then the first answer."""
    clock = ManualClock()
    shared: dict[str, Any] = {
        "database_url": database_url(tmp_path, schema=True),
        "hotstock_url": settings.hotstock_url, "broker_prefix": settings.broker_prefix,
    }  # fmt: skip
    async with (
        node(make_settings(tmp_path, **shared), clock) as a,
        node(make_settings(tmp_path, **shared), clock) as b,
    ):
        stage = await set_stage(a)
        drop = await start_drop(a.client, stage, quantity=4, per_buyer_limit=2)
        [buyer] = await make_buyers(a.container, 1)
        pool_id = await drop_pool_id(a.container, drop["id"])
        async with _pool_row_locked(a.container, pool_id):
            first = asyncio.create_task(claim(a.client, buyer, drop["id"], 2, key="k1"))
            for _ in range(500):  # admitted in Redis; its recording waits on the lock
                if (await _redis_state(settings, drop["id"])).get("inflight") == 2:
                    break
                await asyncio.sleep(0.01)

            retried = await claim(b.client, buyer, drop["id"], 2, key="k1")

            assert_problem(retried, 409, "idempotency_key_in_flight")
            assert retried.headers["retry-after"] == "1"
        assert (await first).status_code == 201
        again = await claim(b.client, buyer, drop["id"], 2, key="k1")
        assert again.status_code == 201
        assert again.json()["order_id"] == (await first).json()["order_id"]
        assert (await pool(a.container, pool_id)).reserved == 2
