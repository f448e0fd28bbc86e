"""Payout batches: what a batch pays, what waits, and marking payouts paid or failed; each
refusal a problem that changes nothing. The balances come from the test ledger
(ledger_fake.py) behind payouts' seam."""

from __future__ import annotations

from typing import Any

import httpx

from livebazaar.payouts import Party, PartyType
from tests.payouts.ledger_fake import available, balance, earn
from tests.payouts.stage import FARMER_IBAN, SECOND_IBAN, SHOP_IBAN, Stage, bank, momo
from tests.support import Account, assert_problem


async def _methods(stage: Stage) -> None:
    """The shop and the first producer by bank, the co-host by mobile money; the second
    producer has none."""
    await stage.put(
        f"/api/v1/shops/{stage.shop_id}/payout-method", bank(SHOP_IBAN, "Kivu Coffee"), stage.owner
    )
    await stage.put(
        f"/api/v1/producers/{stage.producer_id}/payout-method", bank(FARMER_IBAN), stage.farmer
    )
    await stage.put("/api/v1/me/payout-method", momo(), stage.cohost)


async def _batch(stage: Stage, body: Any = None, status: int = 201) -> Any:
    r = await stage.api.client.post(
        f"/api/v1/shops/{stage.shop_id}/payout-batches", json=body, headers=stage.owner.headers
    )
    assert r.status_code == status, r.text
    return r.json()


async def _mark(
    stage: Stage, payout_id: str, how: str, body: Any, who: Account | None = None
) -> httpx.Response:
    return await stage.api.client.post(
        f"/api/v1/payouts/{payout_id}/{how}", json=body, headers=(who or stage.owner).headers
    )


def _paying(batch: Any) -> dict[tuple[str, str], int]:
    return {
        (p["party"]["type"], p["party"]["id"]): p["amount"]["amount_minor"]
        for p in batch["payouts"]
    }


async def test_a_batch_pays_what_is_available_and_leaves_the_rest(stage: Stage) -> None:
    c = stage.api.container
    await _methods(stage)
    # Given money available to the shop, both producers and the co-host; the first producer
    # has a small balance too, and the second producer has no payout method
    await earn(c, stage.shop_id, stage.shop, 50_000, "EUR")
    await earn(c, stage.shop_id, stage.producer, 120_000, "EUR")
    await earn(c, stage.shop_id, stage.second_producer, 40_000, "EUR")
    await earn(c, stage.shop_id, stage.cohost_party, 999, "EUR")  # under 10.00 EUR
    # When the owner asks for a batch
    batch = await _batch(stage)
    # Then the shop and the first producer are paid everything, pending the treasurer
    assert batch["status"] == "open"
    assert batch["provider"] == "manual"
    assert _paying(batch) == {
        ("shop", stage.shop_id): 50_000,
        ("producer", stage.producer_id): 120_000,
    }
    assert {p["status"] for p in batch["payouts"]} == {"pending"}
    assert batch["total"]["amount_minor"] == 170_000
    # And each payout copies its method, whole for the owner
    farmer = next(p for p in batch["payouts"] if p["party"]["type"] == "producer")
    assert (farmer["method"]["iban"], farmer["party_name"]) == (FARMER_IBAN, "Uwimana Clémentine")
    # And what waits is said, with why
    skipped = {
        (s["party"]["type"], s["reason"], s["amount"]["amount_minor"]) for s in batch["skipped"]
    }
    assert skipped == {("producer", "no_payout_method", 40_000), ("user", "below_minimum", 999)}
    # And the ledger no longer has the paid money available; the rest is untouched
    assert await available(c, stage.shop_id, stage.producer) == 0
    assert await available(c, stage.shop_id, stage.shop) == 0
    assert await available(c, stage.shop_id, stage.second_producer) == 40_000
    # And a second batch finds nothing more to pay, and makes nothing
    r = await stage.api.client.post(
        f"/api/v1/shops/{stage.shop_id}/payout-batches", headers=stage.owner.headers
    )
    assert_problem(r, 409, "nothing_to_pay_out")
    assert len(await stage.get(f"/api/v1/shops/{stage.shop_id}/payout-batches", stage.owner)) == 1


async def test_the_shop_s_minimum_decides_what_waits(stage: Stage) -> None:
    c = stage.api.container
    await _methods(stage)
    await earn(c, stage.shop_id, stage.shop, 50_000, "EUR")
    await earn(c, stage.shop_id, stage.producer, 120_000, "EUR")
    path = f"/api/v1/shops/{stage.shop_id}/payout-settings"
    assert (await stage.get(path, stage.host))["is_default"] is True
    # When the owner sets a minimum of 1,000.00 EUR
    out = await stage.put(
        path, {"minimum": {"amount_minor": 100_000, "currency": "EUR"}}, stage.owner
    )
    assert (out["minimum"]["amount_minor"], out["is_default"]) == (100_000, False)
    # Then the shop's 500.00 waits, the producer's 1,200.00 is paid
    batch = await _batch(stage)
    assert _paying(batch) == {("producer", stage.producer_id): 120_000}
    # And a minimum in another currency than the shop's is refused, the old one stands
    r = await stage.api.client.put(
        path,
        json={"minimum": {"amount_minor": 5, "currency": "USD"}},
        headers=stage.owner.headers,
    )
    assert_problem(r, 422, "minimum_currency_mismatch")
    assert (await stage.get(path, stage.owner))["minimum"]["amount_minor"] == 100_000
    # And a host may not change it
    r = await stage.api.client.put(
        path,
        json={"minimum": {"amount_minor": 0, "currency": "EUR"}},
        headers=stage.host.headers,
    )
    assert_problem(r, 403, "role_required")


async def test_a_payout_is_marked_paid_once_and_never_again(stage: Stage) -> None:
    c = stage.api.container
    await _methods(stage)
    await earn(c, stage.shop_id, stage.producer, 120_000, "EUR")
    [payout] = (await _batch(stage))["payouts"]
    # When the treasurer marks it paid with the bank's reference
    r = await _mark(stage, payout["id"], "paid", {"reference": "BK-2026-0042"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["reference"]) == ("paid", "BK-2026-0042")
    assert r.json()["settled_at"] is not None
    # Then it counts as paid out, and its batch is closed
    assert await balance(c, stage.shop_id, stage.producer, "paid") == 120_000
    batch = await stage.get(f"/api/v1/payout-batches/{payout['batch_id']}", stage.owner)
    assert batch["status"] == "closed"
    # And paying it again, or marking it failed now, is refused and changes nothing
    for how, body in [("paid", {"reference": "again"}), ("failed", {"reason": "bounced"})]:
        assert_problem(await _mark(stage, payout["id"], how, body), 409, "payout_not_pending")
    assert await stage.get(f"/api/v1/payout-batches/{payout['batch_id']}", stage.owner) == batch
    assert await balance(c, stage.shop_id, stage.producer, "paid") == 120_000
    assert await available(c, stage.shop_id, stage.producer) == 0


async def test_a_failed_payout_s_money_is_available_again_and_paid_by_the_next_batch(
    stage: Stage,
) -> None:
    c = stage.api.container
    await _methods(stage)
    await earn(c, stage.shop_id, stage.producer, 120_000, "EUR")
    [payout] = (await _batch(stage))["payouts"]
    # When the treasurer marks it failed (the account was closed)
    r = await _mark(stage, payout["id"], "failed", {"reason": "Account closed"})
    assert (r.json()["status"], r.json()["failure_reason"]) == ("failed", "Account closed")
    # Then its money is available again, and it cannot be marked paid afterwards
    assert await available(c, stage.shop_id, stage.producer) == 120_000
    r = await _mark(stage, payout["id"], "paid", {"reference": "late"})
    assert_problem(r, 409, "payout_not_pending")
    # And when the farmer gives another account, the next batch pays it there
    await stage.put(
        f"/api/v1/producers/{stage.producer_id}/payout-method", bank(SECOND_IBAN), stage.farmer
    )
    [again] = (await _batch(stage))["payouts"]
    assert (again["amount"]["amount_minor"], again["method"]["iban"]) == (120_000, SECOND_IBAN)
    # While the failed payout keeps the account it was sent to
    old = await stage.get(f"/api/v1/payout-batches/{payout['batch_id']}", stage.owner)
    assert old["payouts"][0]["method"]["iban"] == FARMER_IBAN


async def test_only_the_shop_s_owner_marks_its_payouts(stage: Stage) -> None:
    c = stage.api.container
    await _methods(stage)
    await earn(c, stage.shop_id, stage.producer, 120_000, "EUR")
    [payout] = (await _batch(stage))["payouts"]
    # Given another shop's owner, the shop's host, and the paid producer herself
    stranger = await stage.api.account("Other owner")
    await stage.api.client.post(
        "/api/v1/shops",
        headers=stranger.headers,
        json={"name": "Other", "country": "DE", "currency": "EUR"},
    )
    # When each tries to mark the payout paid, then failed
    for who in (stranger, stage.host, stage.farmer):
        assert_problem(
            await _mark(stage, payout["id"], "paid", {"reference": "x"}, who), 403, "role_required"
        )
        assert_problem(
            await _mark(stage, payout["id"], "failed", {"reason": "x"}, who), 403, "role_required"
        )
    # Then it is still pending, its money still out of the available balance
    batch = await stage.get(f"/api/v1/payout-batches/{payout['batch_id']}", stage.owner)
    assert batch["payouts"][0]["status"] == "pending"
    assert await available(c, stage.shop_id, stage.producer) == 0
    # And an unknown payout is 404
    assert_problem(await _mark(stage, "nope", "paid", {"reference": "x"}), 404, "payout_not_found")


async def test_bad_batch_requests_change_nothing(stage: Stage) -> None:
    c = stage.api.container
    await _methods(stage)
    await earn(c, stage.shop_id, stage.producer, 120_000, "EUR")
    path = f"/api/v1/shops/{stage.shop_id}/payout-batches"
    cases: list[tuple[Any, Account, int, str]] = [
        ({"provider": "paypal"}, stage.owner, 422, "unknown_payout_provider"),
        ({"currency": "XYZ"}, stage.owner, 422, "validation_failed"),
        ({"currency": "USD"}, stage.owner, 409, "nothing_to_pay_out"),  # nothing in USD
        (None, stage.host, 403, "role_required"),
        (None, stage.farmer, 403, "role_required"),
    ]
    for body, who, status, code in cases:
        assert_problem(
            await stage.api.client.post(path, json=body, headers=who.headers), status, code
        )
    assert await stage.get(path, stage.owner) == []
    assert await available(c, stage.shop_id, stage.producer) == 120_000
    r = await stage.api.client.post(
        "/api/v1/shops/nope/payout-batches", headers=stage.owner.headers
    )
    assert_problem(r, 404, "shop_not_found")


async def test_a_negative_balance_is_not_paid(stage: Stage) -> None:
    # Given a producer whose share was paid out and then charged back
    await _methods(stage)
    await earn(stage.api.container, stage.shop_id, stage.producer, -5_000, "EUR")
    r = await stage.api.client.post(
        f"/api/v1/shops/{stage.shop_id}/payout-batches", headers=stage.owner.headers
    )
    body = assert_problem(r, 409, "nothing_to_pay_out")
    assert body["skipped"] == []


async def test_hosts_read_batches_masked(stage: Stage) -> None:
    await _methods(stage)
    await earn(stage.api.container, stage.shop_id, stage.producer, 120_000, "EUR")
    batch = await _batch(stage)
    seen = await stage.get(f"/api/v1/payout-batches/{batch['id']}", stage.host)
    method = seen["payouts"][0]["method"]
    assert (method["iban"], method["masked"]) == ("FR76" + "*" * 19 + "0189", True)
    r = await stage.api.client.get(
        f"/api/v1/payout-batches/{batch['id']}", headers=stage.farmer.headers
    )
    assert_problem(r, 403, "role_required")
    assert_problem(
        await stage.api.client.get("/api/v1/payout-batches/nope", headers=stage.owner.headers),
        404,
        "payout_batch_not_found",
    )


async def test_the_co_host_is_paid_by_mobile_money(stage: Stage) -> None:
    await _methods(stage)
    await earn(stage.api.container, stage.shop_id, stage.cohost_party, 2_500, "EUR")
    [payout] = (await _batch(stage))["payouts"]
    assert payout["party"] == {"type": "user", "id": stage.cohost.user_id}
    assert (payout["party_name"], payout["method"]["phone"]) == ("Cohost", "+250788123456")
    assert Party(PartyType.USER, stage.cohost.user_id) == stage.cohost_party
