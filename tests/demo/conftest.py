"""The seeded demo, built as `livebazaar demo` builds it, in a temp dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from livebazaar.cli.demo import Demo, build_demo
from livebazaar.settings import Settings
from tests.databases import database_url


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Demo]:
    settings = Settings(
        database_url=database_url(tmp_path, "demo"),
        sqlite_synchronous="NORMAL",
        argon2_time_cost=1,
        argon2_memory_kib=64,
        media_dir=tmp_path / "media",
        # as cli/demo.py's DemoSettings: the seed registers everyone from one address
        register_rate_per_hour=1_000_000,
        sign_in_rate_per_10min=1_000_000,
        test_payments=True,  # as DemoSettings: the demo's buyers pay with test cards
    )
    demo = await build_demo(settings)
    yield demo
    await demo.container.close()


@pytest.fixture
async def http(demo: Demo) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=demo.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        yield client
