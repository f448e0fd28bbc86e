"""Payouts over the real ledger (ledger/payouts.py behind payouts' seam): a paid and released
order's shares are paid out by a batch; marking a payout paid counts it as paid out, marking
it failed makes it available again; the shop's books sum to zero throughout."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from livebazaar.bootstrap import Container
from livebazaar.kernel.clock import ManualClock
from livebazaar.ledger import (
    LedgerAccount,
    LedgerEntry,
    LedgerPayouts,
    LedgerPosting,
    release_due_orders,
)
from tests.checkout.stage import Stage
from tests.ledger.books import entry_lines
from tests.payments.test_pay import held, pay

HOLD_S = 600


async def _get(client: httpx.AsyncClient, stage: Stage, path: str) -> Any:
    r = await client.get(path, headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    return r.json()


async def _balance(client: httpx.AsyncClient, stage: Stage, path: str) -> dict[str, int]:
    body = await _get(client, stage, path)
    return {k: v for k, v in body.items() if k.endswith("_minor")}


async def _books_total(client: httpx.AsyncClient, stage: Stage) -> list[int]:
    trial = await _get(client, stage, f"/api/v1/shops/{stage.shop_id}/trial-balance")
    return [currency["total_minor"] for currency in trial["currencies"]]


async def _buckets(c: Container, key: str) -> dict[str, int]:
    """The postings of the entry `key` by bucket."""
    async with c.db.read() as session:
        rows = await session.execute(
            select(LedgerAccount.bucket, LedgerPosting.amount_minor)
            .join(LedgerPosting, LedgerPosting.account_id == LedgerAccount.id)
            .join(LedgerEntry, LedgerEntry.id == LedgerPosting.entry_id)
            .where(LedgerEntry.key == key)
        )
        return {bucket.value: amount for bucket, amount in rows}


async def _released_order(
    client: httpx.AsyncClient, c: Container, clock: ManualClock, stage: Stage
) -> list[str]:
    """Pay an order, release it; the producers it pays (ids)."""
    buyer, _, order_id = await held(client, c, stage)
    r = await pay(client, buyer, order_id)
    assert r.status_code == 200, r.text
    clock.advance(HOLD_S)
    assert await release_due_orders(c.db, clock, hold_s=HOLD_S, undelivered_hold_s=HOLD_S) == 1
    lines = await entry_lines(c, f"order:{order_id}:paid")
    return sorted(owner for (owner, kind) in lines if kind == "producer_payable")


async def _pay_out(client: httpx.AsyncClient, stage: Stage, producers: list[str]) -> Any:
    cash = {"kind": "cash"}
    headers = stage.owner.headers
    for path in [f"/api/v1/producers/{p}/payout-method" for p in producers]:
        r = await client.put(path, json=cash, headers=headers)
        assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/shops/{stage.shop_id}/payout-batches", headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_a_released_order_is_paid_out_and_a_failed_payout_is_available_again(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    c = container
    assert isinstance(c.payout_ledger, LedgerPayouts)  # the real ledger is wired
    # Given a paid order whose hold is over
    producers = await _released_order(client, c, clock, stage)
    producer_path = f"/api/v1/producers/{producers[0]}/balance"
    other_path = f"/api/v1/producers/{producers[1]}/balance"
    earned = (await _balance(client, stage, producer_path))["available_minor"]
    other_earned = (await _balance(client, stage, other_path))["available_minor"]
    assert min(earned, other_earned) > 0
    # When the owner makes a batch
    batch = await _pay_out(client, stage, producers)
    paying = {(p["party"]["type"], p["party"]["id"]): p for p in batch["payouts"]}
    producer_payout = paying[("producer", producers[0])]
    other_payout = paying[("producer", producers[1])]
    assert producer_payout["amount"]["amount_minor"] == earned
    assert other_payout["amount"]["amount_minor"] == other_earned
    # Then the money is in transit, no longer available
    assert await _balance(client, stage, producer_path) == {
        "pending_minor": 0, "available_minor": 0, "in_transit_minor": earned, "paid_out_minor": 0,
    }  # fmt: skip
    assert await _books_total(client, stage) == [0]
    # When the producer's payout is marked paid, and the other producer's failed
    r = await client.post(
        f"/api/v1/payouts/{producer_payout['id']}/paid", json={"reference": "CASH-1"},
        headers=stage.owner.headers,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    r = await client.post(
        f"/api/v1/payouts/{other_payout['id']}/failed", json={"reason": "Not collected"},
        headers=stage.owner.headers,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    # Then the producer's money is paid out, the other's available again; the books sum to 0
    assert await _balance(client, stage, producer_path) == {
        "pending_minor": 0, "available_minor": 0, "in_transit_minor": 0, "paid_out_minor": earned,
    }  # fmt: skip
    assert await _balance(client, stage, other_path) == {
        "pending_minor": 0, "available_minor": other_earned, "in_transit_minor": 0,
        "paid_out_minor": 0,
    }  # fmt: skip
    assert await _books_total(client, stage) == [0]
    # And each step is one keyed entry moving the party's own money between buckets
    assert await _buckets(c, f"payout:{producer_payout['id']}:sent") == {
        "available": -earned, "in_transit": earned,
    }  # fmt: skip
    assert await _buckets(c, f"payout:{producer_payout['id']}:paid") == {
        "in_transit": -earned, "paid_out": earned,
    }  # fmt: skip
    assert await _buckets(c, f"payout:{other_payout['id']}:failed") == {
        "in_transit": -other_earned, "available": other_earned,
    }  # fmt: skip
    # And a second batch pays the other producer's money again
    r = await client.post(
        f"/api/v1/shops/{stage.shop_id}/payout-batches", headers=stage.owner.headers
    )
    assert r.status_code == 201, r.text
    [again] = r.json()["payouts"]
    assert (again["party"]["id"], again["amount"]["amount_minor"]) == (producers[1], other_earned)
