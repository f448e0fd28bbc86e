"""Every checkout test runs twice: with drop claims admitted in the database (the HoldQueue,
the default) and in Redis (the RedisHotStock, at LIVEBAZAAR_TEST_REDIS_URL; skipped, saying
so, without it). Live purchases take the HoldQueue in both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from livebazaar.settings import Settings
from tests.brokers import forget_redis, redis_url, unique_prefix
from tests.checkout.stage import Stage, set_stage
from tests.conftest import make_settings
from tests.support import Api


@pytest.fixture(params=["database", "redis"], ids=["hotstock=database", "hotstock=redis"])
async def settings(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Settings]:
    if request.param == "database":
        yield make_settings(tmp_path)
        return
    url, prefix = redis_url(), unique_prefix()
    yield make_settings(tmp_path, hotstock_url=url, broker_prefix=prefix)
    await forget_redis(url, prefix)


@pytest.fixture
async def stage(api: Api) -> Stage:
    return await set_stage(api)
