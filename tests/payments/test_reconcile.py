"""Reconciliation: a payment whose outcome never reached us (its answer lost, the node killed
between the charge and its record, the webhook lost) is looked up with its provider and
settled, so no buyer's money is taken for a hold that then expires."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from livebazaar.bootstrap import Container
from livebazaar.kernel.clock import ManualClock
from livebazaar.payments import (
    ChargeRequest,
    ChargeResult,
    TestPaymentProvider,
    reconcile_pending_payments,
)
from livebazaar.payments.models import Payment, PaymentStatus
from livebazaar.payments.test_provider import CARD_APPROVE, CARD_DECLINE, CARD_SETTLE_LATER
from tests.checkout.stage import Stage, get_drop
from tests.payments.providers import LostAnswerProvider, builtin_provider
from tests.payments.test_pay import held, pay
from tests.support import assert_problem

AFTER = timedelta(minutes=5)


class _NeverSent(TestPaymentProvider):
    """The connection fails before the charge reaches the provider."""

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        raise ConnectionResetError("the charge never left")


async def _reconcile(c: Container) -> int:
    return await reconcile_pending_payments(
        c.db, c.broker, c.clock, c.payment_providers, older_than=AFTER
    )


async def _payment(c: Container, order_id: str) -> Payment:
    async with c.db.read() as session:
        found = await session.scalar(select(Payment).where(Payment.order_id == order_id))
    assert found is not None
    return found


async def _order(
    client: httpx.AsyncClient, buyer_headers: dict[str, str], order_id: str
) -> dict[str, Any]:
    r = await client.get(f"/api/v1/orders/{order_id}", headers=buyer_headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_a_charge_whose_answer_was_lost_is_paid_once_the_provider_is_asked(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage, hold_s=600)
    real = builtin_provider(container)
    container.payment_providers["test"] = LostAnswerProvider(real)
    r = await pay(client, buyer, order_id)
    assert r.json()["payment"]["status"] == "pending"

    clock.advance(60)
    assert await _reconcile(container) == 0  # too young: its answer may still be coming
    assert (await _payment(container, order_id)).status is PaymentStatus.PENDING

    clock.advance(AFTER.total_seconds())
    assert await _reconcile(container) == 1

    order = await _order(client, buyer.headers, order_id)
    assert (order["status"], order["payment_pending"]) == ("paid", False)
    payment = await _payment(container, order_id)
    charged = await real.lookup(payment.id)
    assert charged is not None
    assert (payment.status, payment.provider_ref, payment.card_last4) == (
        PaymentStatus.SUCCEEDED, charged.provider_ref, "4242",
    )  # fmt: skip
    counts = await get_drop(client, drop_id)
    assert (counts["reserved"], counts["sold"]) == (0, 1)
    assert await _reconcile(container) == 0  # settled: never looked at again
    assert_problem(await pay(client, buyer, order_id), 409, "order_already_paid")


async def test_a_charge_the_provider_never_received_fails_and_the_hold_resumes(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage, hold_s=900)
    real = container.payment_providers["test"]
    container.payment_providers["test"] = _NeverSent(webhook_secret="unused")
    await pay(client, buyer, order_id)
    assert_problem(await pay(client, buyer, order_id), 409, "payment_pending")

    clock.advance(AFTER.total_seconds() + 1)
    assert await _reconcile(container) == 1

    payment = await _payment(container, order_id)
    assert (payment.status, payment.failure_reason) == (
        PaymentStatus.FAILED, "not_received_by_provider",
    )  # fmt: skip
    order = await _order(client, buyer.headers, order_id)
    assert (order["status"], order["payment_pending"]) == ("reserved", False)
    container.payment_providers["test"] = real
    r = await pay(client, buyer, order_id, CARD_APPROVE)  # the buyer can pay again
    assert r.json()["status"] == "paid", r.text
    assert (await get_drop(client, drop_id))["sold"] == 1


async def test_a_lost_decline_whose_hold_has_passed_expires_the_order(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage, hold_s=60)
    container.payment_providers["test"] = LostAnswerProvider(builtin_provider(container))
    await pay(client, buyer, order_id, CARD_DECLINE)

    clock.advance(AFTER.total_seconds() + 1)  # past the hold, within the pending grace
    assert await _reconcile(container) == 1

    assert (await _payment(container, order_id)).failure_reason == "card_declined"
    assert (await _order(client, buyer.headers, order_id))["status"] == "expired"
    counts = await get_drop(client, drop_id)
    assert (counts["reserved"], counts["remaining"]) == (0, 10)  # back on sale at once


async def test_a_payment_still_pending_there_waits_its_turn(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    builtin_provider(container).sender = None  # its settlement never runs: pending there
    buyer, _drop_id, order_id = await held(client, container, stage, hold_s=900)
    await pay(client, buyer, order_id, CARD_SETTLE_LATER)
    clock.advance(AFTER.total_seconds() + 1)
    before = await _payment(container, order_id)

    assert await _reconcile(container) == 0
    after = await _payment(container, order_id)
    assert after.status is PaymentStatus.PENDING
    assert after.updated_at > before.updated_at  # looked at: to the back of the line
    assert await _reconcile(container) == 0  # not again until AFTER has passed once more
    assert (await _order(client, buyer.headers, order_id))["payment_pending"] is True


async def test_a_settlement_whose_webhook_was_lost_is_made_good(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    provider = builtin_provider(container)
    lost: list[bytes] = []

    async def app_unreachable(body: bytes, headers: dict[str, str]) -> None:
        lost.append(body)
        raise ConnectionRefusedError("the app is down")

    provider.sender = app_unreachable
    buyer, _drop_id, order_id = await held(client, container, stage, hold_s=900)
    await pay(client, buyer, order_id, CARD_SETTLE_LATER)
    await provider.settled()  # it settled on its side; the webhook saying so was lost
    assert len(lost) == 1
    assert (await _order(client, buyer.headers, order_id))["status"] == "reserved"

    clock.advance(AFTER.total_seconds() + 1)
    assert await _reconcile(container) == 1

    assert (await _order(client, buyer.headers, order_id))["status"] == "paid"
    assert (await _payment(container, order_id)).status is PaymentStatus.SUCCEEDED
