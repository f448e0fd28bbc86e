"""The test provider is on only in test mode: on a real deployment its cards would make orders
paid with no money moving. Nothing secret has a default: its webhook secret is made per
deployment, kept in the database, and the same for every node and across restarts."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from livebazaar.bootstrap import Container, build_container
from livebazaar.settings import Settings
from livebazaar.web.app import create_app
from tests.checkout.stage import set_stage
from tests.conftest import make_settings
from tests.payments.test_pay import held, pay
from tests.support import Api, assert_problem


def test_settings_turn_the_test_provider_off_and_publish_no_secret() -> None:
    settings = Settings()

    assert settings.test_payments is False
    assert settings.test_payments_webhook_secret is None
    assert build_container(settings).payment_providers == {}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Not in test mode, as a deployment is unless told."""
    return make_settings(tmp_path, test_payments=False)


async def test_without_a_provider_paying_is_503_and_changes_nothing(
    client: httpx.AsyncClient, container: Container, api: Api
) -> None:
    stage = await set_stage(api)
    buyer, _drop_id, order_id = await held(client, container, stage)

    r = await pay(client, buyer, order_id)

    assert_problem(r, 503, "no_payment_provider")
    order = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)).json()
    assert (order["status"], order["payment_pending"]) == ("reserved", False)


async def test_the_server_warns_at_start_up_that_no_provider_is_on(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(container)
    with caplog.at_level(logging.WARNING, logger="livebazaar.web.app"):
        async with app.router.lifespan_context(app):
            pass
    assert "No payment provider is on" in caplog.text
