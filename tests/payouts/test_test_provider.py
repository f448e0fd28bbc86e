"""The test payout provider: payouts settle the moment the batch is made, failed for the
accounts the settings list, paid otherwise; only in test mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from livebazaar.bootstrap import payout_providers
from livebazaar.settings import Settings
from tests.conftest import make_settings
from tests.payouts.ledger_fake import available, balance, earn
from tests.payouts.stage import FARMER_IBAN, SHOP_IBAN, Stage, bank, momo
from tests.support import assert_problem


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The co-host's number fails, typed with spaces: it matches as E.164.
    return make_settings(tmp_path, test_payouts_fail_accounts=("+250 788 123 456",))


async def test_the_test_provider_settles_at_once_and_fails_the_listed_account(
    stage: Stage,
) -> None:
    c = stage.api.container
    await stage.put(f"/api/v1/shops/{stage.shop_id}/payout-method", bank(SHOP_IBAN), stage.owner)
    await stage.put(
        f"/api/v1/producers/{stage.producer_id}/payout-method", bank(FARMER_IBAN), stage.owner
    )
    await stage.put("/api/v1/me/payout-method", momo("+250788123456"), stage.cohost)
    await earn(c, stage.shop_id, stage.producer, 120_000, "EUR")
    await earn(c, stage.shop_id, stage.cohost_party, 3_000, "EUR")
    # When the owner makes a batch through the test provider
    r = await stage.api.client.post(
        f"/api/v1/shops/{stage.shop_id}/payout-batches",
        json={"provider": "test"},
        headers=stage.owner.headers,
    )
    assert r.status_code == 201, r.text
    batch = r.json()
    # Then the farmer's payout is paid with the provider's reference, the co-host's failed
    outcome = {
        p["party"]["type"]: (p["status"], p["reference"], p["failure_reason"])
        for p in batch["payouts"]
    }
    farmer = next(p for p in batch["payouts"] if p["party"]["type"] == "producer")
    assert outcome == {
        "producer": ("paid", "test_" + farmer["id"].replace("-", ""), None),
        "user": ("failed", None, "test_account_refused"),
    }
    # And the batch is closed; the co-host's money is available again, the farmer's paid out
    assert (batch["status"], batch["provider"]) == ("closed", "test")
    assert await available(c, stage.shop_id, stage.cohost_party) == 3_000
    assert await balance(c, stage.shop_id, stage.producer, "paid") == 120_000
    # And nothing is left to mark
    r = await stage.api.client.post(
        f"/api/v1/payouts/{farmer['id']}/failed", json={"reason": "x"}, headers=stage.owner.headers
    )
    assert_problem(r, 409, "payout_not_pending")


def test_the_test_provider_exists_only_in_test_mode(tmp_path: Path) -> None:
    assert set(payout_providers(make_settings(tmp_path))) == {"manual", "test"}
    assert set(payout_providers(make_settings(tmp_path, test_payments=False))) == {"manual"}
