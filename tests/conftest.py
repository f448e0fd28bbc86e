"""Shared fixtures: a real database per test (SQLite, or PostgreSQL when
LIVEBAZAAR_TEST_DATABASE_URL is set: tests/databases.py), the real app, a real HTTP client.

Nothing here is a mock: `container` is what bootstrap builds (with a ManualClock so tests move
time instead of sleeping), `client` speaks HTTP to the ASGI app, `live_server` runs uvicorn on
a free port for WebSocket tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from livebazaar.bootstrap import Container, all_metadata, build_container
from livebazaar.cli.server import uvicorn_ws_options
from livebazaar.kernel.clock import ManualClock
from livebazaar.settings import Settings
from livebazaar.web.app import create_app
from tests.databases import database_url, drop_template_and_orphans, drop_test_databases
from tests.support import Api


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Fast, isolated settings under tmp_path; video tests turn RTMP on with `overrides`."""
    values: dict[str, Any] = {
        "database_url": overrides.pop("database_url", None) or database_url(tmp_path, schema=True),
        "sqlite_synchronous": "NORMAL",
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "media_dir": tmp_path / "media",
        # Test mode: the test provider's cards pay. Its webhook secret given, as an operator
        # may (tests/payments/test_deployment_secrets.py makes one in the database).
        "test_payments": True,
        "test_payments_webhook_secret": secrets.token_urlsafe(24),
        "test_payments_settle_delay_s": 0.0,
        "rtmp_enabled": False,
        # Python's own collector in the test process (tests/web/test_gc_policy.py runs ours).
        "gc_full_interval_s": 0,
        # Tests make many accounts from one address; tests/web/test_sign_up.py sets them low.
        "register_rate_per_hour": 1_000_000,
        "sign_in_rate_per_10min": 1_000_000,
        "sign_in_account_rate_per_15min": 1_000_000,
    }
    return Settings(**{**values, **overrides})


@pytest.fixture(autouse=True, scope="session")
def _database_server() -> Iterator[None]:
    yield
    drop_template_and_orphans()


@pytest.fixture(autouse=True)
def _test_databases() -> Iterator[None]:
    """Drops the test's PostgreSQL databases after everything else it used has closed."""
    yield
    drop_test_databases()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def container(settings: Settings, clock: ManualClock) -> AsyncIterator[Container]:
    container = build_container(settings, clock=clock)
    async with container.db.engine.begin() as conn:
        await conn.run_sync(all_metadata().create_all)
    yield container
    await container.close()


@pytest.fixture
async def app(container: Container) -> AsyncIterator[FastAPI]:
    app = create_app(container, background=False)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def api(client: httpx.AsyncClient, container: Container) -> Api:
    return Api(client, container)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def serving(app: FastAPI, port: int, *, stock_ws: bool = False) -> AsyncIterator[str]:
    """`app` served by uvicorn on 127.0.0.1:`port` (its lifespan is the caller's); its URL.
    WebSockets run as `livebazaar serve` runs them (frames written straight to the transport),
    or with `stock_ws` on uvicorn's own protocol (frames sent through ASGI)."""
    options = {"ws": "websockets-sansio"} if stock_ws else uvicorn_ws_options()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", **options
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=10)


@pytest.fixture
async def live_server(app: FastAPI) -> AsyncIterator[str]:
    """The same app served by uvicorn on 127.0.0.1:<free port>; yields its base URL."""
    async with serving(app, free_port()) as url:
        yield url
