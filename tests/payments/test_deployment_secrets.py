"""The test provider's webhook secret, not given in the settings, is made on the deployment's
first start and kept in its database: the same after a restart and for every node on it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from livebazaar.bootstrap import Container, all_metadata, build_container
from livebazaar.kernel.clock import ManualClock
from livebazaar.payments import ChargeOutcome
from livebazaar.payments.test_provider import CARD_SETTLE_LATER, sign
from livebazaar.settings import Settings
from tests.checkout.stage import Stage, set_stage
from tests.conftest import make_settings
from tests.databases import database_url
from tests.payments.providers import builtin_provider
from tests.payments.test_pay import held, pay
from tests.payments.test_webhooks import post_webhook, provider_ref
from tests.support import Api, assert_problem


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """conftest's, but with the secret left for the deployment to make."""
    return make_settings(tmp_path, test_payments_webhook_secret=None)


def _settings(tmp_path: Path, url: str) -> Settings:
    return make_settings(tmp_path, database_url=url, test_payments_webhook_secret=None)


async def _started(settings: Settings) -> Container:
    container = build_container(settings, clock=ManualClock())
    await container.start()
    return container


async def test_the_secret_is_made_once_and_shared_by_every_node(tmp_path: Path) -> None:
    url = database_url(tmp_path, "secrets", schema=True)
    first = build_container(_settings(tmp_path, url), clock=ManualClock())
    async with first.db.engine.begin() as conn:
        await conn.run_sync(all_metadata().create_all)
    await first.start()
    second = await _started(_settings(tmp_path, url))  # another node, or after a restart
    try:
        made = builtin_provider(first).webhook_secret
        assert len(made) >= 32
        assert builtin_provider(second).webhook_secret == made
    finally:
        await first.close()
        await second.close()
    other = database_url(tmp_path, "another", schema=True)  # another deployment
    third = build_container(_settings(tmp_path, other), clock=ManualClock())
    async with third.db.engine.begin() as conn:
        await conn.run_sync(all_metadata().create_all)
    await third.start()
    try:
        assert builtin_provider(third).webhook_secret != made
    finally:
        await third.close()


async def test_webhooks_verify_with_the_made_secret_and_not_the_old_published_one(
    tmp_path: Path, api: Api, client: httpx.AsyncClient, container: Container
) -> None:
    stage: Stage = await set_stage(api)
    buyer, _drop_id, order_id = await held(client, container, stage)
    await pay(client, buyer, order_id, CARD_SETTLE_LATER)
    test_provider = builtin_provider(container)
    ref = await provider_ref(container, order_id)
    body, headers = test_provider.settlement_webhook(ref, ChargeOutcome.SUCCEEDED)
    published = "whsec_livebazaar_test_provider"  # the default settings.py had until now
    forged = {"livebazaar-signature": sign(published, body)}

    assert_problem(await post_webhook(client, body, forged), 400, "invalid_webhook_signature")
    assert (await post_webhook(client, body, headers)).status_code == 200
    order = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)).json()
    assert order["status"] == "paid"
