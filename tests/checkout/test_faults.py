"""Faults in the middle of a drop, on real processes (PostgreSQL, Redis, `livebazaar serve`):

- the node is killed with SIGKILL and started again: no unit sold twice, every claim answered
  201 and every payment answered 200 is still there, and the holds nobody paid expire and
  their units come back;
- Redis (the HotStock's, the broker's and the rate limits') restarts and forgets everything:
  claims answer 503 meanwhile, never 500, and the drop resumes with the right counts.

Buyers claim one unit at a time, as fast as answers come, until the drop is sold out; a
buyer whose connection fails waits a little and goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from livebazaar.bootstrap import Container, build_container
from livebazaar.checkout.models import Drop, DropBuyer, Order, OrderStatus
from livebazaar.inventory.models import StockPool
from livebazaar.payments.test_provider import CARD_APPROVE
from tests.brokers import forget_redis, redis_url, unique_prefix
from tests.checkout.stage import get_drop, make_buyers, set_stage, start_drop
from tests.conftest import make_settings
from tests.databases import database_url, on_postgres
from tests.servers import AppServer, RedisServer
from tests.support import SHIP_TO, Account, Api

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not on_postgres(), reason="a node of a scaled-out deployment: needs PostgreSQL (CI has it)"
    ),
]

UNITS = 120
BUYERS = 24
LIMIT = 10
HOLD_S = 30  # the shortest hold a drop allows: the test waits it out once


@dataclass
class Sale:
    """What the buyers were told."""

    held: list[str] = field(default_factory=list)  # order ids answered 201
    paid: list[str] = field(default_factory=list)  # order ids answered 200 to a payment
    answers: Counter[str] = field(default_factory=Counter)
    cut_off: int = 0  # requests that got no answer (the node was dead)

    def note(self, response: httpx.Response) -> None:
        code = "" if response.status_code < 400 else f" {response.json().get('code')}"
        self.answers[f"{response.status_code}{code}"] += 1


async def _buyer(base: str, drop_id: str, buyer: Account, sale: Sale, pays: bool) -> None:
    async with httpx.AsyncClient(base_url=base, headers=buyer.headers, timeout=30) as client:
        while True:
            try:
                r = await client.post(f"/api/v1/drops/{drop_id}/claims", json={"quantity": 1})
            except httpx.TransportError:
                sale.cut_off += 1
                await asyncio.sleep(0.1)
                continue
            sale.note(r)
            if r.status_code == 201:
                sale.held.append(r.json()["order_id"])
                if pays and len(sale.held) % 3 == 0:
                    await _pay(client, r.json()["order_id"], sale)
            elif r.status_code in (409, 422):  # sold out, or this buyer's limit
                return
            elif r.status_code == 503:
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"unexpected answer {r.status_code}: {r.text}")


async def _pay(client: httpx.AsyncClient, order_id: str, sale: Sale) -> None:
    with contextlib.suppress(httpx.TransportError):
        r = await client.post(
            f"/api/v1/orders/{order_id}/pay", json={"card_number": CARD_APPROVE, "ship_to": SHIP_TO}
        )
        sale.note(r)
        if r.status_code == 200:
            sale.paid.append(order_id)


@dataclass
class World:
    container: Container  # the test's own view of the shared database
    api: Api
    drop_id: str
    buyers: list[Account]


@contextlib.asynccontextmanager
async def _drop(tmp_path: Path, server: AppServer) -> AsyncIterator[World]:
    settings = make_settings(tmp_path, database_url=server.env["LIVEBAZAAR_DATABASE_URL"])
    container = build_container(settings)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            api = Api(client, container)
            stage = await set_stage(api, stock=UNITS)
            drop = await start_drop(
                client, stage, quantity=UNITS, per_buyer_limit=LIMIT, hold_s=HOLD_S,
                duration_s=3600,
            )  # fmt: skip
            yield World(container, api, drop["id"], await make_buyers(container, BUYERS))
    finally:
        await container.close()


def _env(tmp_path: Path, redis: str, prefix: str) -> dict[str, str]:
    return {
        **os.environ,
        "LIVEBAZAAR_DATABASE_URL": database_url(tmp_path, "faults"),  # serve migrates it
        "LIVEBAZAAR_BROKER_URL": redis,  # the broker, the HotStock and the rate limits
        "LIVEBAZAAR_BROKER_PREFIX": prefix,
        "LIVEBAZAAR_HOTSTOCK_RECOVERY_IDLE_S": "1",
        "LIVEBAZAAR_CLAIM_RATE_PER_10S": "10000",
        "LIVEBAZAAR_ARGON2_TIME_COST": "1",
        "LIVEBAZAAR_ARGON2_MEMORY_KIB": "64",
        "LIVEBAZAAR_MEDIA_DIR": str(tmp_path / "media"),
        "LIVEBAZAAR_RTMP_ENABLED": "false",
        "LIVEBAZAAR_TEST_PAYMENTS": "true",  # its buyers pay with the test cards
    }


async def _sell_out(world: World, base: str, fault: Callable[[Sale], Awaitable[None]]) -> Sale:
    """Every buyer claims (a third of them pay now and then) until sold out; `fault` runs
    meanwhile, given what the buyers have been told so far."""
    sale = Sale()
    buyers = [
        asyncio.create_task(_buyer(base, world.drop_id, b, sale, pays=i % 3 == 0))
        for i, b in enumerate(world.buyers)
    ]
    await fault(sale)
    await asyncio.gather(*buyers)
    return sale


async def _when(condition: Callable[[], bool]) -> None:
    for _ in range(3000):  # a safety net against hanging, not a speed assertion
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never came")


async def _database_says(c: Container, drop_id: str) -> tuple[StockPool, dict[str, OrderStatus]]:
    async with c.db.read() as session:
        drop = await session.get(Drop, drop_id)
        assert drop is not None
        pool = await session.get(StockPool, drop.pool_id)
        assert pool is not None
        rows = await session.execute(select(Order.id, Order.status).where(Order.drop_id == drop_id))
        return pool, dict(rows.all())


async def _assert_exact(world: World, sale: Sale) -> dict[str, OrderStatus]:
    """No 500, no unit sold twice, every 201 and every paid answer kept."""
    assert not [a for a in sale.answers if a.startswith("5") and not a.startswith("503")]
    pool, orders = await _database_says(world.container, world.drop_id)
    assert pool.reserved + pool.sold == UNITS  # sold out, and not one unit more
    assert Counter(orders.values()) == {
        OrderStatus.RESERVED: pool.reserved,
        OrderStatus.PAID: pool.sold,
    }
    assert set(sale.held) <= set(orders)  # no answered hold lost
    assert all(orders[o] is OrderStatus.PAID for o in sale.paid)  # no paid order lost
    async with world.container.db.read() as session:
        most = await session.scalar(
            select(func.max(DropBuyer.units)).where(DropBuyer.drop_id == world.drop_id)
        )
    assert most is not None
    assert most <= LIMIT
    return orders


async def test_a_node_killed_in_the_middle_of_a_drop_loses_nothing(tmp_path: Path) -> None:
    redis, prefix = redis_url(), unique_prefix()
    server = AppServer(_env(tmp_path, redis, prefix))
    await server.start()
    try:
        async with _drop(tmp_path, server) as world:

            async def kill_and_restart(sale: Sale) -> None:
                await _when(lambda: len(sale.held) >= UNITS // 3 and len(sale.paid) >= 3)
                await server.kill()
                await server.start()

            sale = await _sell_out(world, server.url, kill_and_restart)
            await _assert_exact(world, sale)

            # The holds nobody paid expire, and their units can be claimed again; a payment the
            # kill cut short stays pending (its webhook settles it, or the hour's grace ends).
            await asyncio.sleep(HOLD_S + 1)
            pending = await _pending_units(world)
            await _when_swept(world, pending)
            counts = await get_drop(world.api.client, world.drop_id)
            pool, _ = await _database_says(world.container, world.drop_id)
            assert counts["reserved"] == pending
            assert counts["remaining"] == UNITS - pool.sold - pending
            late = world.buyers[-1]
            r = await world.api.client.post(
                f"/api/v1/drops/{world.drop_id}/claims", json={"quantity": 1}, headers=late.headers
            )
            assert r.status_code == 201, r.text
    finally:
        await server.stop()
        await forget_redis(redis, prefix)


async def _pending_units(world: World) -> int:
    """Units of holds whose payment was in flight when the node died: they wait for it."""
    async with world.container.db.read() as session:
        units = await session.scalar(
            select(func.coalesce(func.sum(Order.quantity), 0)).where(
                Order.drop_id == world.drop_id,
                Order.status == OrderStatus.RESERVED,
                Order.payment_pending.is_(True),
            )
        )
    return int(units or 0)


async def _when_swept(world: World, pending: int) -> None:
    for _ in range(300):  # the sweeper's beat is 1 s
        pool, _ = await _database_says(world.container, world.drop_id)
        if pool.reserved == pending:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the expired holds were never swept")


async def test_a_drop_resumes_with_the_right_counts_after_redis_restarts(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path)
    await redis.start()
    server = AppServer(_env(tmp_path, redis.url, unique_prefix()))
    await server.start()
    try:
        async with _drop(tmp_path, server) as world:

            async def restart_redis(sale: Sale) -> None:
                await _when(lambda: len(sale.held) >= UNITS // 3)
                await redis.stop()  # everything in it is gone
                await _when(lambda: sale.answers["503 unavailable"] >= 5)
                await redis.start()

            sale = await _sell_out(world, server.url, restart_redis)
            await _assert_exact(world, sale)
            assert sale.answers["503 unavailable"] >= 5  # refused while Redis was away
            counts = await get_drop(world.api.client, world.drop_id)
            assert (counts["remaining"], counts["reserved"] + counts["sold"]) == (0, UNITS)
    finally:
        await server.stop()
        await redis.stop()
