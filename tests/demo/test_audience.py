"""The simulated audience: bots chat, react and buy through the API without breaking anything."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
from sqlalchemy import select

from livebazaar.checkout import Order, OrderStatus
from livebazaar.cli.demo import Demo
from livebazaar.demo.audience import CHAT_LINES, Audience
from tests.conftest import free_port, serving


async def test_bots_chat_and_buy_from_the_drop(demo: Demo, http: httpx.AsyncClient) -> None:
    # Given the seeded demo with its live coffee show and drop
    live = demo.info.live_show
    assert live is not None
    # When three bot viewers take sixty actions between them
    audience = Audience("http://demo", live.id, viewers=3, pause_s=0, seed=7, max_actions=60)
    await audience.run(http)
    # Then the room has their chat lines, and the drop sold bags to them without overselling
    state = (await http.get(f"/api/v1/shows/{live.id}")).json()
    assert any(m["text"] in CHAT_LINES for m in state["recent_chat"])
    drop = (await http.get(f"/api/v1/drops/{live.drop_id}")).json()
    assert drop["sold"] > 0
    assert drop["sold"] + drop["reserved"] + drop["remaining"] == 3000
    # ... and every paid order ships to an address
    async with demo.container.db.read() as session:
        paid = list(await session.scalars(select(Order).where(Order.status == OrderStatus.PAID)))
    assert paid
    assert all(o.ship_to is not None and o.ship_to["city"] for o in paid)


async def test_seated_bots_count_as_viewers_of_the_room(demo: Demo) -> None:
    # Given the demo served on a real port, and its live show
    live = demo.info.live_show
    assert live is not None
    port = free_port()
    async with serving(demo.app, port) as base, httpx.AsyncClient(base_url=base) as http:
        # When four bots take their seats, watching as the demo's do
        audience = Audience(base, live.id, viewers=4, pause_s=1.0, seed=3, watch=True)
        bots = asyncio.create_task(audience.run())
        try:
            # Then the room counts them, as it counts any viewer's page
            count = -1
            for _ in range(200):  # a safety net against hanging, not a speed assertion
                count = (await http.get(f"/api/v1/shows/{live.id}")).json()["viewer_count"]
                if count == 4:
                    break
                await asyncio.sleep(0.05)
            assert count == 4
            assert audience.watching == 4
        finally:
            bots.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await bots
    assert audience.watching == 0
