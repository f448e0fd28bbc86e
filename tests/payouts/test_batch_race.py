"""Two payout batches of one shop asked for at the same moment through two app nodes (two
containers, each with its own connection pool, one database): no party is ever paid more
than was available. On PostgreSQL (LIVEBAZAAR_TEST_DATABASE_URL) the nodes' transactions
really overlap, and the shop's advisory lock (ledger_seam.lock_shop_payouts) is what stops
the second batch reading the balances the first is paying; on SQLite one writer at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from livebazaar.bootstrap import all_metadata, build_container
from livebazaar.kernel.clock import ManualClock
from livebazaar.payouts import Party
from livebazaar.settings import Settings
from livebazaar.web.app import create_app
from tests.conftest import make_settings
from tests.databases import database_url
from tests.payouts.ledger_fake import available, earn, install
from tests.payouts.stage import FARMER_IBAN, SHOP_IBAN, Stage, bank, set_stage
from tests.support import Api

ROUNDS = 6
AT_ONCE = 4  # requests per round, alternating between the two nodes


@contextlib.asynccontextmanager
async def node(settings: Settings, clock: ManualClock) -> AsyncIterator[Api]:
    container = build_container(settings, clock=clock)
    app = create_app(container, background=False)
    try:
        async with app.router.lifespan_context(app):
            await install(container)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
                yield Api(client, container)
    finally:
        await container.close()


async def _earn_round(stage: Stage, parties: list[Party], n: int) -> None:
    for i, party in enumerate(parties):
        await earn(stage.api.container, stage.shop_id, party, 10_000 + 100 * n + i, "EUR")


async def test_two_batches_at_once_through_two_nodes_never_pay_more_than_available(
    tmp_path: Path, clock: ManualClock
) -> None:
    settings = make_settings(tmp_path, database_url=database_url(tmp_path, schema=True))
    async with node(settings, clock) as a, node(settings, clock) as b:
        async with a.container.db.engine.begin() as conn:
            await conn.run_sync(all_metadata().create_all)
        # Given a shop and a producer with payout methods
        stage = await set_stage(a)
        await stage.put(
            f"/api/v1/shops/{stage.shop_id}/payout-method", bank(SHOP_IBAN), stage.owner
        )
        await stage.put(
            f"/api/v1/producers/{stage.producer_id}/payout-method", bank(FARMER_IBAN), stage.owner
        )
        parties = [stage.shop, stage.producer]
        earned = dict.fromkeys(parties, 0)
        paid = dict.fromkeys(parties, 0)
        path = f"/api/v1/shops/{stage.shop_id}/payout-batches"
        for n in range(ROUNDS):
            # And new money available to each
            await _earn_round(stage, parties, n)
            for i, party in enumerate(parties):
                earned[party] += 10_000 + 100 * n + i
            # When several batches are asked for at once, through both nodes
            answers = await asyncio.gather(
                *(
                    (a, b)[k % 2].client.post(path, headers=stage.owner.headers)
                    for k in range(AT_ONCE)
                )
            )
            # Then exactly one pays, the others find nothing left
            codes = sorted(r.status_code for r in answers)
            assert codes == [201] + [409] * (AT_ONCE - 1), [r.text for r in answers]
            assert {r.json()["code"] for r in answers if r.status_code == 409} == {
                "nothing_to_pay_out"
            }
            [made] = [r.json() for r in answers if r.status_code == 201]
            for payout in made["payouts"]:
                party = next(p for p in parties if p.id == payout["party"]["id"])
                paid[party] += payout["amount"]["amount_minor"]
        # And over every round each party was paid exactly what it earned, once
        assert paid == earned
        for party in parties:
            assert await available(a.container, stage.shop_id, party) == 0
        batches = await stage.get(f"{path}?limit=100", stage.owner)
        assert len(batches) == ROUNDS
