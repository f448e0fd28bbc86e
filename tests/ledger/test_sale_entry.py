"""A paid order's ledger entry is written in the same transaction as the order becomes paid,
by every path that settles a payment: the charge's answer, the webhook, reconciliation."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from livebazaar.bootstrap import Container
from livebazaar.catalog import RevenueShare, Shop
from livebazaar.checkout.models import Order, OrderStatus
from livebazaar.kernel.clock import ManualClock
from livebazaar.ledger import (
    AccountKind,
    AccountRef,
    Bucket,
    EntryKeyConflict,
    EntryKind,
    Leg,
    ShowCommission,
    post_entry,
)
from livebazaar.payments import ChargeOutcome, do_pay_order, reconcile_pending_payments
from livebazaar.payments.models import Payment, PaymentStatus
from livebazaar.payments.schemas import PayIn
from livebazaar.payments.test_provider import CARD_APPROVE, CARD_SETTLE_LATER
from tests.checkout.stage import Stage
from tests.ledger.books import entry_count, entry_lines
from tests.payments.providers import LostAnswerProvider, builtin_provider
from tests.payments.test_pay import held, pay
from tests.payments.test_webhooks import post_webhook, provider_ref
from tests.support import SHIP_TO

# A drop unit of 99.00 CNY: the test provider keeps 2.9 % + 0.30 = 3.17, the platform 5 %
# (4.95), and the two producers (5,000 bps each) share the 90.88 left.
PAID = {
    ("platform", "provider_clearing"): -9900,
    ("platform", "payment_fee"): 317,
    ("platform", "platform_fee"): 495,
}


async def _producers(c: Container, stage: Stage) -> list[str]:
    async with c.db.read() as session:
        return sorted(
            await session.scalars(
                select(RevenueShare.producer_id).where(RevenueShare.product_id == stage.product.id)
            )
        )


async def test_an_approved_card_writes_the_split_with_the_order_paid(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, _, order_id = await held(client, container, stage)

    r = await pay(client, buyer, order_id)

    assert r.status_code == 200, r.text
    first, second = await _producers(container, stage)
    assert await entry_lines(container, f"order:{order_id}:paid") == {
        **PAID,
        (first, "producer_payable"): 4544,
        (second, "producer_payable"): 4544,
    }


async def test_a_pending_payment_settled_by_its_webhook_gets_the_fee_the_webhook_reports(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, _, order_id = await held(client, container, stage)
    await pay(client, buyer, order_id, CARD_SETTLE_LATER)
    assert await entry_count(container) == 0  # pending: nothing is owed to anyone yet
    body, headers = builtin_provider(container).settlement_webhook(
        await provider_ref(container, order_id), ChargeOutcome.SUCCEEDED
    )

    r = await post_webhook(client, body, headers)

    assert r.status_code == 200, r.text
    lines = await entry_lines(container, f"order:{order_id}:paid")
    assert {k: v for k, v in lines.items() if k[0] == "platform"} == PAID
    assert sum(lines.values()) == 0


async def test_reconciliation_writes_the_entry_of_a_charge_whose_answer_was_lost(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    lost = LostAnswerProvider(builtin_provider(container))
    container.payment_providers["test"] = lost
    buyer, _, order_id = await held(client, container, stage)
    await pay(client, buyer, order_id)
    clock.advance(600)

    settled = await reconcile_pending_payments(
        container.db, container.broker, container.clock, container.payment_providers,
        older_than=timedelta(minutes=5), terms=container.sale_terms,
    )  # fmt: skip

    assert settled == 1
    lines = await entry_lines(container, f"order:{order_id}:paid")
    assert {k: v for k, v in lines.items() if k[0] == "platform"} == PAID


async def test_no_order_is_paid_without_its_entry(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    # Given an entry already under the order's key, with other postings (a bug's trace)
    c = container
    buyer, _, order_id = await held(client, c, stage)
    clearing = AccountRef.platform(
        stage.shop_id, AccountKind.PROVIDER_CLEARING, Bucket.POSTED, "CNY"
    )
    fee = AccountRef.platform(stage.shop_id, AccountKind.PLATFORM_FEE, Bucket.PENDING, "CNY")
    async with c.db.uow() as uow:
        await post_entry(
            uow.session, f"order:{order_id}:paid", EntryKind.SALE,
            [Leg(clearing, -1), Leg(fee, 1)], shop_id=stage.shop_id, now=c.clock.now(),
        )  # fmt: skip
        await uow.commit()
    actor = await c.actors.get_actor(buyer.token)
    assert actor is not None

    # When the buyer pays and the entry cannot be written
    with pytest.raises(EntryKeyConflict):
        await do_pay_order(
            c.db, c.broker, c.clock, c.payment_providers, actor, order_id,
            PayIn(card_number=CARD_APPROVE, ship_to=SHIP_TO), terms=c.sale_terms,
        )  # fmt: skip

    # Then the order is not paid either: its payment still waits to be settled
    async with c.db.read() as session:
        order = await session.get(Order, order_id)
        payment = await session.scalar(select(Payment).where(Payment.order_id == order_id))
    assert order is not None
    assert payment is not None
    assert (order.status, order.payment_pending) == (OrderStatus.RESERVED, True)
    assert payment.status is PaymentStatus.PENDING
    assert await entry_count(c) == 1


async def test_commissions_and_the_shops_own_platform_fee_are_taken_when_paid(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    c = container
    cohost = await c.actors.get_actor(stage.owner.token)
    assert cohost is not None
    async with c.db.uow() as uow:
        shop = await uow.session.get(Shop, stage.shop_id)
        assert shop is not None
        shop.platform_fee_bps = 300
        uow.session.add(
            ShowCommission(show_id=stage.show_id, user_id=cohost.user_id, bps=1000,
                           set_by=cohost.user_id, created_at=c.clock.now())
        )  # fmt: skip
        await uow.commit()
    buyer, _, order_id = await held(client, c, stage)

    await pay(client, buyer, order_id)

    lines = await entry_lines(c, f"order:{order_id}:paid")
    assert lines[("platform", "platform_fee")] == 297  # 3 % of 99.00
    assert lines[(cohost.user_id, "commission_payable")] == 990  # 10 %
    first, second = await _producers(c, stage)
    assert lines[(first, "producer_payable")] + lines[(second, "producer_payable")] == (
        9900 - 317 - 297 - 990
    )
