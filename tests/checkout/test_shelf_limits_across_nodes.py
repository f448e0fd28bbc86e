"""Two app nodes (two containers, two hold queues, one PostgreSQL): one buyer's purchases
through both at once never pass the shelf's limits together. Each node decides its own batch
in its own transaction, so only the lock per buyer (an advisory lock taken before any pool's
row lock: checkout/shelf_limits.py) keeps the second from counting before the first commits.

The single-node version is test_shelf_limits.py."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from livebazaar.bootstrap import Container
from livebazaar.kernel.clock import ManualClock
from tests.checkout.stage import make_buyers, make_show, set_stage
from tests.checkout.test_claims_across_nodes import two_nodes
from tests.checkout.test_shelf_limits import buy, open_holds
from tests.databases import on_postgres
from tests.factories import make_product
from tests.support import Account, assert_problem

pytestmark = pytest.mark.skipif(
    not on_postgres(), reason="needs PostgreSQL: set LIVEBAZAAR_TEST_DATABASE_URL (CI does)"
)


@contextlib.asynccontextmanager
async def _rows_locked(c: Container, pool_ids: list[str]) -> AsyncIterator[None]:
    """Another transaction holds these pools' row locks until the block ends."""
    async with c.db.engine.connect() as conn, conn.begin():
        await conn.execute(
            text("SELECT id FROM stock_pools WHERE id = ANY(:ids) FOR UPDATE"), {"ids": pool_ids}
        )
        yield


async def _until_waiting(c: Container, sessions: int) -> None:
    """Until `sessions` transactions of this database wait on a lock (a row's, or a name's)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    waiting = 0
    for _ in range(1000):
        async with c.db.read() as session:
            waiting = int(await session.scalar(query) or 0)
        if waiting >= sessions:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{waiting} transactions wait on a lock, not {sessions}")


async def test_two_nodes_never_both_pass_the_cap_on_open_holds(tmp_path: Path) -> None:
    # Given a buyer who may have one hold open, two products, and both nodes' purchases
    # stopped at the products' row locks, after whatever each read before them
    async with two_nodes(tmp_path, ManualClock(), max_open_holds_per_buyer=1) as (a, b):
        stage = await set_stage(a)
        other = await make_product(a.container, stage.shop_id, title="Pearl ring")
        show_id = await make_show(
            a.container, stage.shop_id, stage.owner, [stage.product.id, other.id]
        )
        [buyer] = await make_buyers(a.container, 1)
        async with _rows_locked(a.container, [stage.product.shelf_pool_id, other.shelf_pool_id]):
            first = asyncio.create_task(buy(a.client, buyer, show_id, stage.product.id))
            second = asyncio.create_task(buy(b.client, buyer, show_id, other.id))
            await _until_waiting(a.container, 2)

        # When both go on at once
        answers = await asyncio.gather(first, second)

        # Then one holds, and the other, having waited for it, is refused
        assert sorted(r.status_code for r in answers) == [201, 429], [r.text for r in answers]
        refused = next(r for r in answers if r.status_code == 429)
        assert assert_problem(refused, 429, "too_many_open_holds")["open_holds"] == 1
        assert await open_holds(a.container, buyer) == [1]


async def _storm(
    nodes: tuple[httpx.AsyncClient, httpx.AsyncClient], buyer: Account, show_id: str,
    products: list[str], quantity: int, n: int,
) -> list[int]:  # fmt: skip
    """`n` purchases by one buyer at once, alternately through each node."""
    answers = await asyncio.gather(
        *(
            buy(nodes[i % 2], buyer, show_id, products[i % len(products)], quantity)
            for i in range(n)
        )
    )
    return sorted(r.status_code for r in answers)


async def test_a_storm_through_two_nodes_stays_within_both_limits(tmp_path: Path) -> None:
    async with two_nodes(tmp_path, ManualClock()) as (a, b):
        stage = await set_stage(a)
        other = await make_product(a.container, stage.shop_id, title="Pearl ring")
        products = [stage.product.id, other.id]
        show_id = await make_show(a.container, stage.shop_id, stage.owner, products)
        hoarder, piler = await make_buyers(a.container, 2)
        clients = (a.client, b.client)
        kwargs: dict[str, Any] = {"show_id": show_id}

        units = await _storm(clients, hoarder, products=products[:1], quantity=3, n=8, **kwargs)
        holds = await _storm(clients, piler, products=products, quantity=1, n=12, **kwargs)

        assert units == [201] * 3 + [422] * 5  # 3 x 3 units: one more would pass 10
        assert await open_holds(a.container, hoarder) == [3, 3, 3]
        assert holds == [201] * 5 + [429] * 7  # 5 holds open at once
        assert await open_holds(a.container, piler) == [1] * 5
