"""Refunds, whole or in part: recorded, asked of the provider, applied; each reverses the split
in proportion (the provider's fee stays lost), and never more than was paid goes back."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from livebazaar.bootstrap import Container
from livebazaar.kernel.clock import ManualClock
from livebazaar.kernel.money import Money
from livebazaar.ledger import release_due_orders
from livebazaar.payments import Refund, RefundStatus, TestPaymentProvider
from tests.checkout.stage import Stage, claim, get_drop, make_buyers, start_drop
from tests.ledger.books import account_balances, entry_count, entry_lines
from tests.payments.providers import builtin_provider
from tests.payments.test_pay import held, pay
from tests.support import Account, assert_problem


async def _refund(
    client: httpx.AsyncClient, who: Account, order_id: str, amount: int | None = None
) -> httpx.Response:
    body = None if amount is None else {"amount_minor": amount}
    return await client.post(f"/api/v1/orders/{order_id}/refund", json=body, headers=who.headers)


async def _settlement(client: httpx.AsyncClient, stage: Stage, order_id: str) -> Any:
    r = await client.get(f"/api/v1/orders/{order_id}/settlement", headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _by_kind(lines: dict[tuple[str, str], int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for (_, kind), amount in lines.items():
        out[kind] = out.get(kind, 0) + amount
    return out


async def _paid(client: httpx.AsyncClient, c: Container, stage: Stage) -> tuple[Account, str]:
    buyer, _, order_id = await held(client, c, stage)
    assert (await pay(client, buyer, order_id)).status_code == 200
    return buyer, order_id


async def _paid_orders(client: httpx.AsyncClient, c: Container, stage: Stage, n: int) -> list[str]:
    """`n` buyers' paid orders of one unit each of one drop."""
    drop = await start_drop(client, stage)
    order_ids = []
    for buyer in await make_buyers(c, n):
        order_id = (await claim(client, buyer, drop["id"])).json()["order_id"]
        assert (await pay(client, buyer, order_id)).status_code == 200
        order_ids.append(order_id)
    return order_ids


async def test_a_partial_refund_leaves_the_order_paid_and_takes_back_in_proportion(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    _, order_id = await _paid(client, container, stage)

    r = await _refund(client, stage.owner, order_id, 3300)

    assert r.status_code == 200, r.text
    assert r.json()["status"] == "paid"
    assert r.json()["refunded"] == {"amount_minor": 3300, "currency": "CNY", "display": "33.00 CNY"}
    [refund_id] = [r.id for r in await _refunds(container, order_id)]
    lines = await entry_lines(container, f"order:{order_id}:refund:{refund_id}")
    # A third of every part: 1.65 of the platform's 4.95, 15.146 of each producer's 45.44
    # (15.15 and 15.15: the two units left go to the smaller ids), and 1.0567 of the provider's
    # 3.17, which it keeps: the platform's loss (1.05)
    assert _by_kind(lines) == {
        "provider_clearing": 3300, "platform_fee": -165, "producer_payable": -3030,
        "refunds": -105,
    }  # fmt: skip
    settlement = await _settlement(client, stage, order_id)
    assert (settlement["paid_minor"], settlement["refunded_minor"]) == (9900, 3300)
    assert sum(line["amount_minor"] for line in settlement["lines"]) == 6600


async def test_refunding_the_rest_refunds_the_order_and_ends_as_a_full_refund_would(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    order_id, whole = await _paid_orders(client, container, stage, 2)
    await _refund(client, stage.owner, order_id, 3300)

    r = await _refund(client, stage.owner, order_id)  # no body: all that is left
    assert (await _refund(client, stage.owner, whole)).status_code == 200

    assert r.status_code == 200, r.text
    assert r.json()["status"] == "refunded"
    assert r.json()["refunded"]["amount_minor"] == 9900
    cut, at_once = (
        await _settlement(client, stage, order_id),
        await _settlement(client, stage, whole),
    )
    assert [(x["kind"], x["amount_minor"]) for x in cut["lines"]] == [
        (x["kind"], x["amount_minor"]) for x in at_once["lines"]
    ]
    # everyone gave back all they got; the provider kept its 3.17: the platform's loss
    assert {(x["kind"], x["amount_minor"]) for x in cut["lines"]} == {
        ("payment_fee", 317), ("refunds", -317),
    }  # fmt: skip
    assert (cut["net_minor"], cut["refunded_minor"]) == (0, 9900)
    assert_problem(await _refund(client, stage.owner, order_id, 1), 409, "order_not_paid")


async def test_never_more_than_was_paid_goes_back(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    _, order_id = await _paid(client, container, stage)
    await _refund(client, stage.owner, order_id, 9000)
    entries, balances = await entry_count(container), await account_balances(container)

    for amount in (901, 10**15):
        r = await _refund(client, stage.owner, order_id, amount)
        body = assert_problem(r, 422, "refund_too_large")
        assert body["refundable_minor"] == 900
    for bad in ({"amount_minor": 0}, {"amount_minor": -5}, {"amount_minor": 1.5},
                {"amount_minor": 10**16}, {"amount": 1}):  # fmt: skip
        r = await client.post(
            f"/api/v1/orders/{order_id}/refund", json=bad, headers=stage.owner.headers
        )
        assert_problem(r, 422, "validation_failed")

    assert (await entry_count(container), await account_balances(container)) == (
        entries, balances,
    )  # fmt: skip
    order = await client.get(f"/api/v1/orders/{order_id}", headers=stage.owner.headers)
    assert order.json()["refunded"]["amount_minor"] == 9000
    assert len(builtin_provider(container).refunds) == 1


async def test_cancelling_a_partly_refunded_order_refunds_the_rest_and_restocks(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage)
    await pay(client, buyer, order_id)
    await _refund(client, stage.owner, order_id, 1000)

    r = await client.post(f"/api/v1/orders/{order_id}/cancel", headers=stage.owner.headers)

    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["refunded"]["amount_minor"]) == ("cancelled", 9900)
    assert [(x.amount_minor, x.cancels_order) for x in await _refunds(container, order_id)] == [
        (1000, False), (8900, True),
    ]  # fmt: skip
    assert (await get_drop(client, drop_id))["sold"] == 0
    assert (await _settlement(client, stage, order_id))["net_minor"] == 0


class _Unreachable(TestPaymentProvider):
    """Refunds whose answer never comes back, until `reachable`."""

    def __init__(self, inner: TestPaymentProvider) -> None:
        super().__init__(webhook_secret="unused")
        self.inner, self.reachable = inner, False
        self.asked: list[str | None] = []

    async def refund(
        self, provider_ref: str, amount: Money, *, refund_id: str | None = None
    ) -> None:
        self.asked.append(refund_id)
        if not self.reachable:
            raise TimeoutError("no answer")
        await self.inner.refund(provider_ref, amount, refund_id=refund_id)


async def test_a_refund_the_provider_did_not_confirm_is_asked_again_under_the_same_key(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    _, order_id = await _paid(client, container, stage)
    flaky = _Unreachable(builtin_provider(container))
    container.payment_providers["test"] = flaky

    r = await _refund(client, stage.owner, order_id, 2000)

    assert_problem(r, 503, "refund_not_confirmed")
    [pending] = await _refunds(container, order_id)
    assert pending.status is RefundStatus.PENDING
    assert (await _settlement(client, stage, order_id))["refunded_minor"] == 0
    assert_problem(await _refund(client, stage.owner, order_id, 500), 409, "refund_pending")
    flaky.reachable = True
    r = await _refund(client, stage.owner, order_id, 2000)
    assert r.status_code == 200, r.text
    assert r.json()["refunded"]["amount_minor"] == 2000
    assert flaky.asked == [pending.id, pending.id]
    assert len(flaky.inner.refunds) == 1


async def test_a_refund_after_the_release_takes_from_the_available_money(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    _, order_id = await _paid(client, container, stage)
    clock.advance(120)  # past a one-minute hold (tokens idle a week would end)
    assert await release_due_orders(container.db, clock, hold_s=60, undelivered_hold_s=60) == 1
    assert (await _settlement(client, stage, order_id))["lines"][-1]["status"] == "available"

    await _refund(client, stage.owner, order_id, 9900)

    producers = await client.get(
        f"/api/v1/shops/{stage.shop_id}/producers", headers=stage.owner.headers
    )
    balance = await client.get(
        f"/api/v1/producers/{producers.json()[0]['id']}/balance", headers=stage.owner.headers
    )
    assert balance.json()["pending_minor"] == 0
    assert balance.json()["available_minor"] == 0  # all of its 45.44 went back


async def _refunds(c: Container, order_id: str) -> list[Refund]:
    async with c.db.read() as session:
        return list(
            await session.scalars(
                select(Refund).where(Refund.order_id == order_id).order_by(Refund.created_at,
                                                                         Refund.amount_minor)
            )
        )  # fmt: skip
