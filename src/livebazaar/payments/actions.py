"""Paying and settling orders. Each action commits its own unit of work. (The provider's
webhooks settle payments in webhooks.py; refunds and cancelling are in refunds.py.)

A pay request with an Idempotency-Key stores its answer (approved, pending, or declined with
402) in the same transaction as the payment, so a retry gets the first answer and never a
second charge. While a charge is pending the order is flagged `payment_pending` and the
sweeper leaves it alone; the provider's signed webhook settles it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from livebazaar import checkout, ledger
from livebazaar.accounts import (
    Actor,
    AddressFields,
    Role,
    check_deliverable,
    check_shop_role,
    get_own_address,
    list_roles,
)
from livebazaar.broker import Broker
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database, UnitOfWork
from livebazaar.kernel.idempotency import IdempotencyKey, get_stored_response, store_response
from livebazaar.kernel.ids import new_id
from livebazaar.kernel.money import Money
from livebazaar.payments.errors import (
    AddressRequired,
    NoPaymentProvider,
    PaymentDeclined,
    UnknownProvider,
)
from livebazaar.payments.models import Payment, PaymentStatus
from livebazaar.payments.port import (
    ChargeOutcome,
    ChargeRequest,
    ChargeResult,
    PaymentProvider,
)
from livebazaar.payments.schemas import PayIn, PaymentOut, PayOut

log = logging.getLogger(__name__)
DEFAULT_TERMS = ledger.SaleTerms()
# A payment's provider_ref until the charge's answer is recorded (unique, as the column must be).
UNSENT_REF = "unsent_"
Providers = Mapping[str, PaymentProvider]
_PAYMENT_STATUS = {
    ChargeOutcome.SUCCEEDED: PaymentStatus.SUCCEEDED,
    ChargeOutcome.FAILED: PaymentStatus.FAILED,
    ChargeOutcome.PENDING: PaymentStatus.PENDING,
}


async def do_pay_order(
    db: Database, broker: Broker, clock: Clock, providers: Providers, actor: Actor,
    order_id: str, data: PayIn, *, idempotency_key: str | None = None,
    terms: ledger.SaleTerms | None = DEFAULT_TERMS,
) -> PayOut:  # fmt: skip
    """Charge the buyer's reserved order. Approved: paid. Declined: PaymentDeclined (402), the
    hold stays until its expiry. Pending: the webhook settles it later.

    Three steps, so that no card is charged inside a transaction (a slow provider would stall
    every write, and a rollback after the charge would invite a second one): record a pending
    payment and flag the order; charge, keyed by our payment id so the provider can recognise
    a retry; apply the answer. A retry meanwhile finds the order flagged (409 payment_pending)."""
    if not providers:
        raise NoPaymentProvider()
    provider = providers.get(data.provider)
    if provider is None:
        raise UnknownProvider()
    key = IdempotencyKey.of(idempotency_key, f"pay:{order_id}", data.model_dump(mode="json"))
    started = await _start_payment(db, clock, actor, order_id, provider, key, data)
    if isinstance(started, PayOut):
        return started  # a retry: the first answer
    request = ChargeRequest(started.id, started.amount, data.card_number, f"Order {order_id}")
    try:
        result: ChargeResult | None = await provider.charge(request)
    except Exception:  # outcome unknown: the payment stays pending for the webhook
        log.exception("charge for payment %s failed in flight", started.id)
        result = None
    return await _finish_payment(db, broker, clock, provider, actor, started.id, result, key, terms)


@dataclass(frozen=True)
class _Started:
    id: str
    amount: Money


async def _start_payment(
    db: Database, clock: Clock, actor: Actor, order_id: str, provider: PaymentProvider,
    key: IdempotencyKey | None, data: PayIn,
) -> _Started | PayOut:  # fmt: skip
    async with db.uow() as uow:
        if key and (
            stored := await get_stored_response(
                uow.session, actor.user_id, key.key, key.fingerprint
            )
        ):
            return _answer(stored.status_code, PayOut.model_validate(stored.body))
        order = await _payable_order(uow, clock, actor, order_id)
        await _ship_to(uow, actor, order, data)
        payment = _new_payment(uow, clock, provider, order)
        order.payment_pending = True
        await uow.commit()
    return _Started(payment.id, Money(payment.amount_minor, payment.currency))


async def _ship_to(uow: UnitOfWork, actor: Actor, order: checkout.Order, data: PayIn) -> None:
    """Copy where the order goes onto it: every order ships, so none is paid without an
    address a courier can deliver to (one saved before postal codes were required may not be)."""
    address: AddressFields | None = data.ship_to
    if data.address_id is not None:
        saved = await get_own_address(uow.session, actor.user_id, data.address_id)
        address = AddressFields.model_validate(saved, from_attributes=True)
    if address is None:
        if order.ship_to is None:  # given with an earlier, declined card, it stands
            raise AddressRequired()
        return
    check_deliverable(address)
    order.ship_to = address.model_dump()


async def _finish_payment(
    db: Database, broker: Broker, clock: Clock, provider: PaymentProvider, actor: Actor,
    payment_id: str, result: ChargeResult | None, key: IdempotencyKey | None,
    terms: ledger.SaleTerms | None,
) -> PayOut:  # fmt: skip
    async with db.uow() as uow:
        payment = await uow.session.get(Payment, payment_id, populate_existing=True)
        assert payment is not None, "recorded by _start_payment"
        order = await checkout.lock_order(uow, payment.order_id)
        assert order is not None, "a payment always has its order"
        if result is not None:
            record_charge(payment, result)
            if (
                payment.status is PaymentStatus.PENDING
                and result.outcome is not ChargeOutcome.PENDING
            ):
                await settle_payment(
                    uow, broker, clock, provider, payment, result.outcome, result.failure_reason,
                    terms=terms,
                )  # fmt: skip
        out = _pay_out(order, payment)
        status_code = 402 if payment.status is PaymentStatus.FAILED else 200
        if key:
            store_response(
                uow.session, user_id=actor.user_id, key=key.key, scope=key.scope,
                fingerprint=key.fingerprint, status_code=status_code,
                body=out.model_dump(mode="json"), now=clock.now(),
            )  # fmt: skip
        await uow.commit()
    return _answer(status_code, out)


async def reconcile_pending_payments(
    db: Database, broker: Broker, clock: Clock, providers: Providers, *,
    older_than: timedelta, limit: int = 200, terms: ledger.SaleTerms | None = DEFAULT_TERMS,
) -> int:  # fmt: skip
    """Ask the provider about payments still pending `older_than` after their last change, the
    longest-waiting first, and settle those it has an outcome for; returns how many settled.

    A charge whose answer was lost (a timeout, or the node killed between charge and record)
    and whose outcome no webhook brought would otherwise hold its order until PENDING_GRACE and
    then let it expire, with the buyer's money taken. A payment the provider never received
    fails, and its hold resumes. One the provider still has pending is looked at again after
    the others (its `updated_at` moves). Safe on every node at once: each settles under the
    order's lock and only a payment still pending."""
    due = clock.now() - older_than
    async with db.read() as session:
        waiting = list(
            await session.scalars(
                select(Payment)
                .where(Payment.status == PaymentStatus.PENDING, Payment.updated_at <= due)
                .order_by(Payment.updated_at, Payment.id)
                .limit(limit)
            )
        )
    settled = 0
    for payment in waiting:
        provider = providers.get(payment.provider)
        if provider is None:
            log.warning("payment %s is pending with %r, which is not configured",
                        payment.id, payment.provider)  # fmt: skip
            continue
        try:
            result = await provider.lookup(payment.id)
        except Exception:
            log.exception("looking up payment %s with %s failed", payment.id, provider.name)
            continue
        settled += await _reconcile(db, broker, clock, provider, payment.id, result, terms)
    return settled


async def _reconcile(
    db: Database, broker: Broker, clock: Clock, provider: PaymentProvider, payment_id: str,
    result: ChargeResult | None, terms: ledger.SaleTerms | None,
) -> int:  # fmt: skip
    async with db.uow() as uow:
        payment = await uow.session.get(Payment, payment_id, populate_existing=True)
        if payment is None or payment.status is not PaymentStatus.PENDING:
            return 0  # settled meanwhile
        if result is not None and result.outcome is ChargeOutcome.PENDING:
            payment.updated_at = clock.now()  # still pending there: to the back of the line
            await uow.commit()
            return 0
        await checkout.lock_order(uow, payment.order_id)  # the order first, as every settler
        await uow.session.refresh(payment)
        if payment.status is not PaymentStatus.PENDING:
            return 0
        reason: str | None = "not_received_by_provider"
        outcome = ChargeOutcome.FAILED
        if result is not None:
            outcome, reason = result.outcome, result.failure_reason
            record_charge(payment, result)
        await settle_payment(uow, broker, clock, provider, payment, outcome, reason, terms=terms)
        status = payment.status
        await uow.commit()
    log.info("reconciled payment %s with %s: %s", payment_id, provider.name, status)
    return int(status is not PaymentStatus.PENDING)


async def _payable_order(
    uow: UnitOfWork, clock: Clock, actor: Actor, order_id: str
) -> checkout.Order:
    order = await checkout.lock_order(uow, order_id)
    if order is None or order.buyer_id != actor.user_id:
        raise checkout.OrderNotFound()
    if order.status is checkout.OrderStatus.PAID:
        raise checkout.OrderAlreadyPaid()
    if order.status is checkout.OrderStatus.EXPIRED or checkout.order_is_due(order, clock.now()):
        raise checkout.ReservationExpired()
    if order.status is not checkout.OrderStatus.RESERVED:
        raise checkout.OrderNotPayable()
    if order.payment_pending:
        raise checkout.PaymentPending()
    return order


def _new_payment(
    uow: UnitOfWork, clock: Clock, provider: PaymentProvider, order: checkout.Order
) -> Payment:
    payment_id = new_id()
    payment = Payment(
        id=payment_id, order_id=order.id, provider=provider.name,
        provider_ref=f"{UNSENT_REF}{payment_id}", amount_minor=order.total_minor,
        currency=order.currency, status=PaymentStatus.PENDING,
        created_at=clock.now(), updated_at=clock.now(),
    )  # fmt: skip
    uow.session.add(payment)
    return payment


def record_charge(payment: Payment, result: ChargeResult) -> None:
    """What the provider said of the charge, kept on the payment."""
    payment.provider_ref = result.provider_ref
    payment.card_last4 = result.card_last4
    if result.fee_minor is not None:
        payment.fee_minor = result.fee_minor


async def settle_payment(
    uow: UnitOfWork, broker: Broker, clock: Clock, provider: PaymentProvider, payment: Payment,
    outcome: ChargeOutcome, failure_reason: str | None, *, terms: ledger.SaleTerms | None,
) -> None:  # fmt: skip
    """A pending payment settled: the order is paid, with its ledger entry (the split by
    `terms`), or its hold resumes (and expires now if its time has passed while the payment
    was pending)."""
    order = await checkout.lock_order(uow, payment.order_id)
    assert order is not None, "a payment always has its order"
    # Under the order's lock, the payment as committed: the charge's answer, its webhook and
    # reconciliation may all try to settle it, and only the first may (a second would find
    # the order paid and refund the very payment that paid it).
    await uow.session.flush()
    await uow.session.refresh(payment)
    if payment.status is not PaymentStatus.PENDING:
        return
    payment.updated_at = clock.now()
    payment.status = _PAYMENT_STATUS[outcome]
    payment.failure_reason = failure_reason
    order.payment_pending = False
    await uow.session.flush()
    if outcome is ChargeOutcome.SUCCEEDED:
        if not await checkout.mark_order_paid(uow, clock, order):
            # The hold is gone (it cannot be, while pending; but never keep money for nothing).
            await provider.refund(
                payment.provider_ref, Money(payment.amount_minor, payment.currency)
            )
            payment.status = PaymentStatus.REFUNDED
        elif terms is not None:
            await _record_sale(uow, clock, payment, order, terms)
    elif checkout.order_is_due(order, clock.now()):
        await checkout.release_order(uow, clock, order, checkout.OrderStatus.EXPIRED)
    await emit_counts(uow, broker, clock, order)


async def _record_sale(
    uow: UnitOfWork, clock: Clock, payment: Payment, order: checkout.Order,
    terms: ledger.SaleTerms,
) -> None:  # fmt: skip
    if payment.fee_minor is None:  # the provider did not say: none booked, and it shows
        log.warning("payment %s settled without its provider's fee; booking 0", payment.id)
    fee = payment.fee_minor or 0
    await ledger.record_sale(
        uow.session, order, provider_fee_minor=fee, terms=terms, now=clock.now()
    )


async def visible_locked_order(uow: UnitOfWork, actor: Actor, order_id: str) -> checkout.Order:
    await checkout.get_visible_order(uow.session, actor, order_id)
    order = await checkout.lock_order(uow, order_id)
    assert order is not None
    return order


async def check_owner(uow: UnitOfWork, actor: Actor, order: checkout.Order) -> None:
    """Only the shop's owner cancels a paid order; its buyer is told so, others get 403."""
    roles = await list_roles(uow.session, actor.user_id, order.shop_id)
    if actor.is_admin or Role.OWNER in roles:
        return
    if order.buyer_id == actor.user_id:
        raise checkout.OrderNotCancellable("A paid order is cancelled by the shop; ask them")
    await check_shop_role(uow.session, actor, order.shop_id, {Role.OWNER})


async def emit_counts(uow: UnitOfWork, broker: Broker, clock: Clock, order: checkout.Order) -> None:
    if order.drop_id is not None:
        drop = await checkout.get_drop(uow.session, order.drop_id)
        await checkout.emit_drop_counts(uow, broker, clock, drop)


def _pay_out(order: checkout.Order, payment: Payment) -> PayOut:
    return PayOut(
        order_id=order.id,
        status=order.status,
        payment=PaymentOut(
            id=payment.id, status=payment.status, failure_reason=payment.failure_reason
        ),
    )


def _answer(status_code: int, out: PayOut) -> PayOut:
    if status_code == 402:
        raise PaymentDeclined(
            order_id=out.order_id,
            order_status=out.status.value,
            payment=out.payment.model_dump(mode="json"),
        )
    return out
