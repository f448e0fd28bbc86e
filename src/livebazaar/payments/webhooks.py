"""A provider's signed webhook settles the one payment whose provider reference it names.

The reference is what the provider gave for the charge; the metadata's payment id (ours,
echoed by the provider) must agree with it and is never trusted alone: a webhook naming our
payment beside another charge's reference would otherwise settle one payment with another's
outcome. A webhook may come before the charge's answer is recorded (the payment has no
reference yet); then the provider itself is asked which reference the charge keyed by that
payment id has (`PaymentProvider.lookup`, outside any transaction), and only that one settles.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy.exc import IntegrityError

from livebazaar import checkout, ledger
from livebazaar.broker import Broker
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database, UnitOfWork
from livebazaar.kernel.errors import Unavailable
from livebazaar.payments.actions import DEFAULT_TERMS, UNSENT_REF, settle_payment
from livebazaar.payments.errors import PaymentNotFound, WebhookPaymentMismatch
from livebazaar.payments.models import Payment, PaymentStatus, WebhookEvent
from livebazaar.payments.port import ChargeOutcome, PaymentProvider, WebhookNotice
from livebazaar.payments.queries import get_payment_by_ref
from livebazaar.payments.schemas import WebhookAck

log = logging.getLogger(__name__)


async def do_handle_webhook(
    db: Database, broker: Broker, clock: Clock, provider: PaymentProvider, body: bytes,
    headers: Mapping[str, str], *, terms: ledger.SaleTerms | None = DEFAULT_TERMS,
) -> WebhookAck:  # fmt: skip
    """Verify, dedupe by event id, and settle the pending payment its reference names, or
    charge back the one it says was disputed. A webhook that names no payment is 404
    payment_not_found; one whose metadata names another payment than its reference 409
    webhook_payment_mismatch; neither changes anything."""
    notice = provider.verify_webhook(body, headers)
    confirmed = await _confirmed_before_recorded(db, provider, notice)
    async with db.uow() as uow:
        if await uow.session.get(WebhookEvent, notice.event_id) is not None:
            return WebhookAck(duplicate=True)
        uow.session.add(
            WebhookEvent(id=notice.event_id, provider=provider.name, received_at=clock.now())
        )
        try:
            await uow.session.flush()
        except IntegrityError:  # the same event delivered twice at once: the other one won
            return WebhookAck(duplicate=True)
        payment = await _noticed_payment(uow, provider, notice, confirmed=confirmed)
        if notice.fee_minor is not None and payment.status is PaymentStatus.PENDING:
            payment.fee_minor = notice.fee_minor
        if payment.status is PaymentStatus.PENDING and notice.outcome is not ChargeOutcome.PENDING:
            # A dispute says the charge succeeded: a payment still pending is settled first.
            await settle_payment(
                uow, broker, clock, provider, payment, notice.outcome, notice.failure_reason,
                terms=terms,
            )  # fmt: skip
        if notice.disputed:
            await _charge_back(uow, clock, payment)
        try:
            await uow.commit()
        except IntegrityError:  # the same event delivered twice at once: the other one won
            return WebhookAck(duplicate=True)
    return WebhookAck()


async def _charge_back(uow: UnitOfWork, clock: Clock, payment: Payment) -> None:
    """The buyer's bank took the charge back: the order is reversed like a full refund of
    what was not refunded yet (money already paid out leaves its receiver's balance negative,
    netted off by later earnings). A charge refunded whole, or never paid, has nothing left."""
    order = await checkout.lock_order(uow, payment.order_id)
    assert order is not None, "a payment always has its order"
    if order.status is not checkout.OrderStatus.PAID or payment.status is not (
        PaymentStatus.SUCCEEDED
    ):
        log.warning("dispute of payment %s (%s) with its order %s: nothing left to take back",
                    payment.id, payment.status, order.status)  # fmt: skip
        return
    before = order.refunded_minor
    await ledger.record_chargeback(
        uow.session, order, refunded_before_minor=before, now=clock.now()
    )
    await checkout.add_refunded(uow, order, order.total_minor - before)
    await checkout.refund_paid_order(uow, clock, order)
    payment.status, payment.updated_at = PaymentStatus.DISPUTED, clock.now()


async def _confirmed_before_recorded(
    db: Database, provider: PaymentProvider, notice: WebhookNotice
) -> bool:
    """Whether the payment the metadata names has no reference recorded yet and the provider
    says its charge has the webhook's reference."""
    if notice.payment_id is None:
        return False
    async with db.read() as session:
        if await get_payment_by_ref(session, provider.name, notice.provider_ref) is not None:
            return False  # recorded: the reference alone decides
        payment = await session.get(Payment, notice.payment_id)
    if payment is None or payment.provider != provider.name:
        return False
    if not payment.provider_ref.startswith(UNSENT_REF):
        return False
    try:
        charge = await provider.lookup(payment.id)
    except Exception as exc:
        log.warning("looking up payment %s with %s failed: %r", payment.id, provider.name, exc)
        raise Unavailable("The payment provider could not confirm this payment; try again") from exc
    return charge is not None and charge.provider_ref == notice.provider_ref


async def _noticed_payment(
    uow: UnitOfWork, provider: PaymentProvider, notice: WebhookNotice, *, confirmed: bool
) -> Payment:
    """The payment whose reference the webhook names, its reference recorded now if the
    provider `confirmed` it before the charge's answer was. Its order is locked first, as by
    every settler."""
    payment = await get_payment_by_ref(uow.session, provider.name, notice.provider_ref)
    if payment is None and confirmed and notice.payment_id is not None:
        unsent = await uow.session.get(Payment, notice.payment_id, populate_existing=True)
        if unsent is not None:
            await checkout.lock_order(uow, unsent.order_id)
            await uow.session.refresh(unsent)
            if unsent.provider_ref.startswith(UNSENT_REF):
                unsent.provider_ref = notice.provider_ref
                payment = unsent
            elif unsent.provider_ref == notice.provider_ref:  # recorded meanwhile
                payment = unsent
    if payment is None:
        named = None
        if notice.payment_id is not None:
            named = await uow.session.get(Payment, notice.payment_id)
        raise WebhookPaymentMismatch() if named is not None else PaymentNotFound()
    if notice.payment_id is not None and notice.payment_id != payment.id:
        raise WebhookPaymentMismatch()
    return payment
