"""A flash sale over real HTTP: hundreds of buyers claim at once; nothing is oversold.

uvicorn serves the app on a loopback port; 300 buyers send 3 claims each, all at once, against
a drop of 120 units with a limit of 2 per buyer, while the sweeper runs beside them and 30 due
holds of earlier buyers wait to be returned. Exactly 120 units must be admitted.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import aiohttp
import pytest

from livebazaar.bootstrap import Container
from livebazaar.checkout import sweep_expired_holds
from livebazaar.checkout.models import OrderStatus
from livebazaar.kernel.clock import ManualClock
from tests.checkout.stage import (
    buyer_units,
    claim,
    drop_pool_id,
    make_buyers,
    pool,
    set_stage,
    start_drop,
    units_by_status,
)
from tests.support import Account, Api

QUANTITY = 120
LIMIT = 2
BUYERS = 300
TRIES = 3
EARLY = 30


async def _sweep_until(c: Container, done: asyncio.Event) -> int:
    swept = 0
    while not done.is_set():
        swept += await sweep_expired_holds(c.db, c.broker, c.clock)
        await asyncio.sleep(0.005)
    return swept


async def _claim(http: aiohttp.ClientSession, buyer: Account, drop_id: str) -> tuple[str, str]:
    """(buyer, "admitted" or the refusal's code)."""
    url = f"/api/v1/drops/{drop_id}/claims"
    async with http.post(url, json={"quantity": 1}, headers=buyer.headers) as r:
        body = await r.json(content_type=None)
        return buyer.user_id, "admitted" if r.status == 201 else str(body["code"])


@pytest.mark.slow
async def test_concurrent_claims_over_http_admit_exactly_the_quantity(
    live_server: str, api: Api, container: Container, clock: ManualClock
) -> None:
    stage = await set_stage(api, stock=1000)
    drop = await start_drop(api.client, stage, quantity=QUANTITY, per_buyer_limit=LIMIT, hold_s=60)
    early = await make_buyers(container, EARLY)
    for buyer in early:  # holds that will be due when the storm starts
        assert (await claim(api.client, buyer, drop["id"])).status_code == 201
    clock.advance(61)
    buyers = await make_buyers(container, BUYERS)
    done = asyncio.Event()
    sweeper = asyncio.create_task(_sweep_until(container, done))

    connector = aiohttp.TCPConnector(limit=BUYERS)
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(live_server, connector=connector, timeout=timeout) as http:
        attempts = [_claim(http, b, drop["id"]) for b in buyers for _ in range(TRIES)]
        outcomes = await asyncio.gather(*attempts)
    done.set()
    await sweeper

    codes = Counter(code for _buyer, code in outcomes)
    assert set(codes) <= {"admitted", "sold_out", "per_buyer_limit_exceeded"}, codes
    assert codes["admitted"] == QUANTITY
    admitted_by = Counter(buyer for buyer, code in outcomes if code == "admitted")
    assert max(admitted_by.values()) <= LIMIT
    await _assert_rows_agree(api, container, drop["id"], admitted_by)


async def _assert_rows_agree(
    api: Api, c: Container, drop_id: str, admitted_by: Counter[str]
) -> None:
    drop_pool = await pool(c, await drop_pool_id(c, drop_id))
    assert (drop_pool.quantity, drop_pool.reserved, drop_pool.sold) == (QUANTITY, QUANTITY, 0)
    by_status = await units_by_status(c, drop_pool.id)
    assert by_status == {OrderStatus.RESERVED: QUANTITY, OrderStatus.EXPIRED: EARLY}
    units = {buyer: n for buyer, n in (await buyer_units(c, drop_id)).items() if n}
    assert units == dict(admitted_by)
    counts = (await api.client.get(f"/api/v1/drops/{drop_id}")).json()
    assert (counts["remaining"], counts["reserved"], counts["status"]) == (0, QUANTITY, "sold_out")
