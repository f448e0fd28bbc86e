"""PostgreSQL unreachable in the middle of a drop: claims answer 503 problem+json, nothing is
half-written, and they succeed again once the database is back. With claims admitted in the
database (the HoldQueue) and in Redis (whose admissions are undone when the database does not
take them: Redis is left counting what it counted before).

The app reaches PostgreSQL through a TCP relay this test owns: cutting the relay (closing its
port and every connection through it) is what a network partition or a database restart looks
like from the app, without touching the server other tests share.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from livebazaar.bootstrap import Container, build_container
from livebazaar.checkout.models import Order
from livebazaar.kernel.clock import ManualClock
from livebazaar.settings import Settings
from tests.brokers import forget_redis, redis_url, unique_prefix
from tests.checkout.stage import claim, make_buyers, set_stage, start_drop
from tests.conftest import free_port, make_settings
from tests.databases import database_url, on_postgres
from tests.support import Api, assert_problem

pytestmark = pytest.mark.skipif(
    not on_postgres(),
    reason="needs PostgreSQL: set LIVEBAZAAR_TEST_DATABASE_URL (CI does; SQLite is a file, "
    "it cannot become unreachable)",
)


class Relay:
    """A TCP relay from 127.0.0.1:<port> to the database server, that can be cut and mended."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._writers |= {writer, up_writer}

        async def copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))
        self._writers -= {writer, up_writer}


@pytest.fixture
async def outage(tmp_path: Path) -> AsyncIterator[tuple[Relay, str]]:
    direct = database_url(tmp_path, "outage", schema=True)
    url = make_url(direct)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    await relay.start()
    yield relay, direct
    await relay.cut()


@pytest.fixture(params=["database", "redis"], ids=["hotstock=database", "hotstock=redis"])
async def settings(
    request: pytest.FixtureRequest, tmp_path: Path, outage: tuple[Relay, str]
) -> AsyncIterator[Settings]:
    relay, direct = outage
    through_relay = make_url(direct).set(host="127.0.0.1", port=relay.port)
    url = through_relay.render_as_string(hide_password=False)
    if request.param == "database":
        yield make_settings(tmp_path, database_url=url)
        return
    redis, prefix = redis_url(), unique_prefix()
    yield make_settings(tmp_path, database_url=url, hotstock_url=redis, broker_prefix=prefix)
    await forget_redis(redis, prefix)


async def _redis_available(settings: Settings, drop_id: str) -> int | None:
    """What the Redis HotStock may still admit for the drop (None without one)."""
    if settings.hotstock_url is None:
        return None
    client = Redis.from_url(settings.hotstock_url)
    try:
        key = f"{settings.broker_prefix}:hot:{{{drop_id}}}:state"
        return int(await client.hget(key, "available") or -1)
    finally:
        await client.aclose()


@pytest.fixture
async def container(settings: Settings, clock: ManualClock) -> AsyncIterator[Container]:
    container = build_container(settings, clock=clock)
    yield container
    await container.close()


async def _orders(direct_url: str) -> int:
    engine = create_async_engine(direct_url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(Order))).scalar_one())
    finally:
        await engine.dispose()


async def test_claims_answer_503_while_the_database_is_away_and_work_when_it_is_back(
    app: FastAPI, client: httpx.AsyncClient, api: Api, outage: tuple[Relay, str],
    settings: Settings,
) -> None:  # fmt: skip
    relay, direct = outage
    stage = await set_stage(api)
    drop = await start_drop(client, stage, quantity=50)
    buyers = await make_buyers(api.container, 4)
    first = await claim(client, buyers[0], drop["id"])
    assert first.status_code == 201, first.text
    # buyers[1] is known to this node (its token is cached), so its claim reaches the hold
    # queue's writer; buyers[2] is not, so its claim fails at the actor lookup.
    assert (await client.get("/api/v1/me", headers=buyers[1].headers)).status_code == 200

    await relay.cut()
    # Every kind of request that needs the database: a claim (through the hold queue), a
    # read, and a buyer whose token this node has not seen yet (the actor lookup).
    refused = [
        await claim(client, buyers[1], drop["id"], key="during-outage"),
        await client.get(f"/api/v1/drops/{drop['id']}"),
        await claim(client, buyers[2], drop["id"]),
    ]
    codes = ["unavailable", "database_unavailable", "database_unavailable"]
    for response, code in zip(refused, codes, strict=True):
        assert_problem(response, 503, code)
        assert int(response.headers["Retry-After"]) >= 1
    assert await _orders(direct) == 1  # nothing half-written
    assert await _redis_available(settings, drop["id"]) in (None, 49)  # the admission undone

    await relay.start()
    again = await claim(client, buyers[1], drop["id"], key="during-outage")
    assert again.status_code == 201, again.text
    assert (await claim(client, buyers[3], drop["id"])).status_code == 201
    counts = (await client.get(f"/api/v1/drops/{drop['id']}")).json()
    assert (counts["remaining"], counts["reserved"]) == (47, 3)
    assert await _orders(direct) == 3
    assert await _redis_available(settings, drop["id"]) in (None, 47)
