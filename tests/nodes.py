"""App nodes for tests of what several nodes share: each its own container (hub, caches,
limiters, broker connections) and app, served on a port of its own, all on the settings given
(the same database and broker make them one deployment)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from livebazaar.bootstrap import all_metadata, build_container
from livebazaar.kernel.clock import ManualClock
from livebazaar.settings import Settings
from livebazaar.web.app import create_app
from livebazaar.web.channel.realtime import RealtimeHub, hub_for
from tests.conftest import free_port, make_settings, serving
from tests.support import Account, Api


@dataclass(frozen=True)
class Node:
    api: Api
    app: FastAPI
    url: str  # where its WebSockets are served

    @property
    def hub(self) -> RealtimeHub:
        return hub_for(self.app)

    async def stats(self, show_id: str, who: Account) -> tuple[int, int]:
        r = await self.api.client.get(f"/api/v1/shows/{show_id}/stats", headers=who.headers)
        assert r.status_code == 200, r.text
        return r.json()["viewers_now"], r.json()["viewers_peak"]

    async def viewer_count(self, show_id: str) -> int:
        r = await self.api.client.get(f"/api/v1/shows/{show_id}")
        assert r.status_code == 200, r.text
        count: int = r.json()["viewer_count"]
        return count


@contextlib.asynccontextmanager
async def node(
    settings: Settings, clock: ManualClock, *, stock_ws: bool = False
) -> AsyncIterator[Node]:
    """One app process: its own container (hub, tally, broker connections), served on a port
    (WebSockets as `livebazaar serve` runs them, or on uvicorn's own protocol: `stock_ws`)."""
    container = build_container(settings, clock=clock)
    app = create_app(container, background=False)
    try:
        async with (
            app.router.lifespan_context(app),
            serving(app, free_port(), stock_ws=stock_ws) as url,
        ):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
                yield Node(Api(client, container), app, url)
    finally:
        await container.close()


@contextlib.asynccontextmanager
async def single_node(
    tmp_path: Path, clock: ManualClock, *, stock_ws: bool = False, **overrides: Any
) -> AsyncIterator[Node]:
    """One node on settings of its own (`overrides`, e.g. a long fan-out tick), its tables made."""
    async with node(make_settings(tmp_path, **overrides), clock, stock_ws=stock_ws) as one:
        async with one.api.container.db.engine.begin() as conn:
            await conn.run_sync(all_metadata().create_all)
        yield one
