"""Chargebacks: the test provider's signed `charge.disputed` webhook, and a card whose buyer
disputes it a moment after paying, reverse the order like a full refund; money already paid
out leaves its receiver's balance negative."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from livebazaar.bootstrap import Container
from livebazaar.kernel.clock import ManualClock
from livebazaar.ledger import (
    AccountKind,
    AccountRef,
    Bucket,
    EntryKind,
    Leg,
    OwnerType,
    post_entry,
    release_due_orders,
)
from livebazaar.payments.models import Payment, PaymentStatus
from livebazaar.payments.test_provider import CARD_DISPUTE
from tests.checkout.stage import Stage
from tests.ledger.books import entry_count, entry_lines
from tests.payments.providers import builtin_provider
from tests.payments.test_pay import held, pay
from tests.payments.test_webhooks import post_webhook, provider_ref
from tests.support import Account, assert_problem


async def _order(client: httpx.AsyncClient, who: Account, order_id: str) -> dict[str, object]:
    r = await client.get(f"/api/v1/orders/{order_id}", headers=who.headers)
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


async def _dispute(client: httpx.AsyncClient, c: Container, order_id: str) -> httpx.Response:
    body, headers = builtin_provider(c).dispute_webhook(await provider_ref(c, order_id))
    return await post_webhook(client, body, headers)


async def _payment_status(c: Container, order_id: str) -> PaymentStatus:
    async with c.db.read() as session:
        status = await session.scalar(select(Payment.status).where(Payment.order_id == order_id))
    assert status is not None
    return status


async def test_a_disputed_charge_reverses_the_order_like_a_full_refund(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, _, order_id = await held(client, container, stage)
    await pay(client, buyer, order_id)
    await client.post(
        f"/api/v1/orders/{order_id}/refund", json={"amount_minor": 1000},
        headers=stage.owner.headers,
    )  # fmt: skip

    r = await _dispute(client, container, order_id)

    assert r.json() == {"received": True, "duplicate": False}
    order = await _order(client, buyer, order_id)
    assert (order["status"], order["refunded"]) == (
        "refunded", {"amount_minor": 9900, "currency": "CNY", "display": "99.00 CNY"},
    )  # fmt: skip
    assert await _payment_status(container, order_id) is PaymentStatus.DISPUTED
    lines = await entry_lines(container, f"order:{order_id}:chargeback")
    assert lines[("platform", "provider_clearing")] == 8900  # what was not refunded yet
    assert sum(lines.values()) == 0
    settlement = await client.get(
        f"/api/v1/orders/{order_id}/settlement", headers=stage.owner.headers
    )
    assert (settlement.json()["net_minor"], settlement.json()["refunded_minor"]) == (0, 9900)
    entries = await entry_count(container)
    assert (await _dispute(client, container, order_id)).json()["duplicate"] is False
    assert await entry_count(container) == entries  # a second dispute takes nothing more


async def test_the_dispute_card_is_charged_back_a_moment_after_it_is_paid(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    async def send(body: bytes, headers: dict[str, str]) -> None:
        await post_webhook(client, body, headers)

    builtin_provider(container).sender = send
    buyer, _, order_id = await held(client, container, stage)

    r = await pay(client, buyer, order_id, CARD_DISPUTE)

    assert r.status_code == 200, r.text
    await builtin_provider(container).settled()
    order = await _order(client, buyer, order_id)
    assert order["status"] == "refunded"
    assert await _payment_status(container, order_id) is PaymentStatus.DISPUTED
    paid = await entry_lines(container, f"order:{order_id}:paid")
    back = await entry_lines(container, f"order:{order_id}:chargeback")
    assert paid[("platform", "provider_clearing")] == -back[("platform", "provider_clearing")]


async def test_a_producer_already_paid_out_goes_negative(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    # Given a paid order released, and one producer's available money paid out
    c = container
    buyer, _, order_id = await held(client, c, stage)
    await pay(client, buyer, order_id)
    clock.advance(120)
    await release_due_orders(c.db, clock, hold_s=60, undelivered_hold_s=60)
    lines = await entry_lines(c, f"order:{order_id}:paid")
    producer_id, share = next(
        (owner, n) for (owner, kind), n in lines.items() if kind == "producer_payable"
    )
    available = AccountRef(stage.shop_id, OwnerType.PRODUCER, producer_id,
                           AccountKind.PRODUCER_PAYABLE, Bucket.AVAILABLE, "CNY")  # fmt: skip
    async with c.db.uow() as uow:
        await post_entry(
            uow.session, "payout:test", EntryKind.PAYOUT,
            [Leg(available, -share), Leg(available.moved(Bucket.PAID_OUT), share)],
            shop_id=stage.shop_id, now=clock.now(),
        )  # fmt: skip
        await uow.commit()

    # When the buyer's bank takes the money back
    assert (await _dispute(client, c, order_id)).status_code == 200

    # Then the producer owes what they were paid and the shop's books still sum to zero
    r = await client.get(f"/api/v1/producers/{producer_id}/balance", headers=stage.owner.headers)
    assert r.json()["paid_out_minor"] == share
    assert r.json()["available_minor"] == -share  # owed back: later earnings net it off
    trial = await client.get(
        f"/api/v1/shops/{stage.shop_id}/trial-balance", headers=stage.owner.headers
    )
    assert [cur["total_minor"] for cur in trial.json()["currencies"]] == [0]


async def test_a_dispute_webhook_that_does_not_verify_changes_nothing(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, _, order_id = await held(client, container, stage)
    await pay(client, buyer, order_id)
    body, headers = builtin_provider(container).dispute_webhook(
        await provider_ref(container, order_id)
    )
    entries = await entry_count(container)

    r = await post_webhook(client, body.replace(b"disputed", b"disputex"), headers)

    assert_problem(r, 400, "invalid_webhook_signature")
    assert (await _order(client, buyer, order_id))["status"] == "paid"
    assert await entry_count(container) == entries
