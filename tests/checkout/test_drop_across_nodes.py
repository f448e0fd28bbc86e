"""A flash drop served by two app nodes (one database, one Redis broker): the drop the host
starts through node A reaches a viewer on node B, and claims hammered through both nodes at
once never oversell; the viewer on B hears the drop sell out.

On PostgreSQL (CI's second pass) the nodes' hold queues write to one server concurrently; on
SQLite they are two writers on one file. Needs LIVEBAZAAR_TEST_REDIS_URL (tests/brokers.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from websockets.asyncio.client import ClientConnection

from livebazaar.bootstrap import all_metadata
from livebazaar.checkout.models import Order
from livebazaar.kernel.clock import ManualClock
from tests.brokers import forget_redis, redis_url, unique_prefix
from tests.checkout.stage import claim, get_drop, make_buyers, set_stage, start_drop
from tests.conftest import make_settings
from tests.databases import database_url
from tests.live.stage import next_frame, viewer
from tests.nodes import node

UNITS = 30
BUYERS = 90


async def _frame_of(ws: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        frame = await next_frame(ws)
        if frame.get("type") == kind:
            return frame


async def test_claims_through_two_nodes_never_oversell_and_events_cross(
    tmp_path: Path, clock: ManualClock
) -> None:
    url, prefix = redis_url(), unique_prefix()
    settings = make_settings(
        tmp_path, database_url=database_url(tmp_path, schema=True), broker_url=url,
        broker_prefix=prefix, claim_rate_per_10s=1000,
    )  # fmt: skip
    try:
        async with node(settings, clock) as a, node(settings, clock) as b:
            async with a.api.container.db.engine.begin() as conn:
                await conn.run_sync(all_metadata().create_all)
            stage = await set_stage(a.api, stock=UNITS)
            async with viewer(b.url, stage.show_id) as on_b:
                drop = await start_drop(a.api.client, stage, quantity=UNITS, per_buyer_limit=1)
                started = await _frame_of(on_b, "drop.started")
                assert started["data"]["drop"]["id"] == drop["id"]

                buyers = await make_buyers(a.api.container, BUYERS)
                answers = await asyncio.gather(
                    *(
                        claim((a, b)[i % 2].api.client, buyer, drop["id"])
                        for i, buyer in enumerate(buyers)
                    )
                )
                codes = [r.status_code for r in answers]
                assert codes.count(201) == UNITS, sorted(set(codes))
                assert {r.json()["code"] for r in answers if r.status_code != 201} == {"sold_out"}
                sold_out = await _frame_of(on_b, "drop.sold_out")
                assert sold_out["data"]["drop_id"] == drop["id"]

            for n in (a, b):
                counts = await get_drop(n.api.client, drop["id"])
                assert (counts["remaining"], counts["reserved"]) == (0, UNITS)
            async with a.api.container.db.read() as session:
                orders = await session.scalar(
                    select(func.count()).select_from(Order).where(Order.drop_id == drop["id"])
                )
            assert orders == UNITS
    finally:
        await forget_redis(url, prefix)
