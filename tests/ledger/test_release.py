"""Releasing a paid order's pending money once its hold is over, once, by a periodic job."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from livebazaar.bootstrap import Container
from livebazaar.kernel.clock import ManualClock
from livebazaar.ledger import release_due_orders
from livebazaar.web.routes import periodic_jobs
from tests.checkout.stage import Stage, claim, make_buyers, start_drop
from tests.ledger.books import entry_lines
from tests.payments.test_pay import held, pay

HOLD_S = 600


async def _balance(client: httpx.AsyncClient, stage: Stage, producer_id: str) -> dict[str, int]:
    r = await client.get(f"/api/v1/producers/{producer_id}/balance", headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    body: dict[str, int] = r.json()
    return {k: v for k, v in body.items() if k.endswith("_minor")}


async def test_a_paid_orders_money_becomes_available_once_its_hold_is_over(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    c = container
    buyer, _, order_id = await held(client, c, stage)
    await pay(client, buyer, order_id)
    await client.post(
        f"/api/v1/orders/{order_id}/refund", json={"amount_minor": 990},
        headers=stage.owner.headers,
    )  # fmt: skip
    producer_id = next(
        owner for (owner, kind) in await entry_lines(c, f"order:{order_id}:paid")
        if kind == "producer_payable"
    )  # fmt: skip
    before = await _balance(client, stage, producer_id)
    clock.advance(HOLD_S - 1)
    assert await release_due_orders(c.db, clock, hold_s=HOLD_S, undelivered_hold_s=HOLD_S) == 0

    clock.advance(1)
    released = await release_due_orders(c.db, clock, hold_s=HOLD_S, undelivered_hold_s=HOLD_S)
    again = await release_due_orders(c.db, clock, hold_s=HOLD_S, undelivered_hold_s=HOLD_S)

    assert (released, again) == (1, 0)
    after = await _balance(client, stage, producer_id)
    assert before["pending_minor"] == 4544 - 454  # a tenth went back before the release
    assert after == {**before, "pending_minor": 0, "available_minor": before["pending_minor"]}
    settlement = await client.get(
        f"/api/v1/orders/{order_id}/settlement", headers=stage.owner.headers
    )
    statuses = {(x["kind"], x["status"]) for x in settlement.json()["lines"]}
    assert ("producer_payable", "available") in statuses
    assert ("payment_fee", "posted") in statuses


def test_the_release_runs_as_a_periodic_job(app: FastAPI) -> None:
    names = [name for name, _interval, _run in periodic_jobs(app)]
    assert "ledger.release_due_orders" in names


async def test_a_delivered_order_is_released_its_hold_after_delivery_an_undelivered_one_later(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    c = container
    hold, undelivered_hold = HOLD_S, 10 * HOLD_S

    async def release() -> int:
        return await release_due_orders(
            c.db, clock, hold_s=hold, undelivered_hold_s=undelivered_hold
        )

    # Given two paid orders; the first is delivered a while after payment
    drop = await start_drop(client, stage)
    buyer, other = await make_buyers(c, 2)
    delivered, waiting = [
        (await claim(client, who, drop["id"])).json()["order_id"] for who in (buyer, other)
    ]
    assert (await pay(client, buyer, delivered)).status_code == 200
    assert (await pay(client, other, waiting)).status_code == 200
    clock.advance(2 * HOLD_S)
    r = await client.post(f"/api/v1/orders/{delivered}/deliver", headers=buyer.headers)
    assert r.status_code == 200, r.text
    # When the delivered order's hold is not yet over, nothing is released
    clock.advance(hold - 1)
    assert await release() == 0
    # Then, its hold after delivery over, only the delivered order is released
    clock.advance(1)
    assert await release() == 1
    assert await entry_lines(c, f"order:{delivered}:release")
    assert not await entry_lines(c, f"order:{waiting}:release")
    # And the undelivered one waits for its own hold after payment
    clock.advance(undelivered_hold - 3 * HOLD_S - 1)
    assert await release() == 0
    clock.advance(1)
    assert (await release(), await release()) == (1, 0)
    assert await entry_lines(c, f"order:{waiting}:release")
