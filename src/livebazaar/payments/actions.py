"""Paying, settling, cancelling and refunding orders. Each action commits its own unit of work.

A pay request with an Idempotency-Key stores its answer (approved, pending, or declined with
402) in the same transaction as the payment, so a retry gets the first answer and never a
second charge. While a charge is pending the order is flagged `payment_pending` and the
sweeper leaves it alone; the provider's signed webhook settles it.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.exc import IntegrityError

from livebazaar import checkout
from livebazaar.accounts import Actor, Role, check_shop_role, list_roles
from livebazaar.broker import Broker
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database, UnitOfWork
from livebazaar.kernel.errors import Unavailable
from livebazaar.kernel.idempotency import get_stored_response, request_fingerprint, store_response
from livebazaar.kernel.ids import new_id
from livebazaar.kernel.money import Money
from livebazaar.payments.errors import PaymentDeclined, PaymentNotFound, UnknownProvider
from livebazaar.payments.models import Payment, PaymentStatus, WebhookEvent
from livebazaar.payments.port import (
    ChargeOutcome,
    ChargeRequest,
    ChargeResult,
    PaymentProvider,
    WebhookNotice,
)
from livebazaar.payments.queries import get_payment_by_ref, get_settled_payment
from livebazaar.payments.schemas import PayIn, PaymentOut, PayOut, WebhookAck

Providers = Mapping[str, PaymentProvider]
_PAYMENT_STATUS = {
    ChargeOutcome.SUCCEEDED: PaymentStatus.SUCCEEDED,
    ChargeOutcome.FAILED: PaymentStatus.FAILED,
    ChargeOutcome.PENDING: PaymentStatus.PENDING,
}


async def do_pay_order(
    db: Database, broker: Broker, clock: Clock, providers: Providers, actor: Actor,
    order_id: str, data: PayIn, *, idempotency_key: str | None = None,
) -> PayOut:  # fmt: skip
    """Charge the buyer's reserved order. Approved: paid. Declined: PaymentDeclined (402), the
    hold stays until its expiry. Pending: the webhook settles it later."""
    provider = providers.get(data.provider)
    if provider is None:
        raise UnknownProvider()
    scope = f"pay:{order_id}"
    fingerprint = request_fingerprint(scope, data.model_dump(mode="json"))
    async with db.uow() as uow:
        if idempotency_key and (
            stored := await get_stored_response(
                uow.session, actor.user_id, idempotency_key, fingerprint
            )
        ):
            return _answer(stored.status_code, PayOut.model_validate(stored.body))
        order = await _payable_order(uow, clock, actor, order_id)
        payment = _new_payment(uow, clock, provider, order)
        amount = Money(order.total_minor, order.currency)
        request = ChargeRequest(payment.id, amount, data.card_number, f"Order {order.id}")
        result = await provider.charge(request)
        await _apply_charge(uow, broker, clock, order, payment, result)
        out = _pay_out(order, payment)
        status_code = 402 if payment.status is PaymentStatus.FAILED else 200
        if idempotency_key:
            store_response(
                uow.session, user_id=actor.user_id, key=idempotency_key, scope=scope,
                fingerprint=fingerprint, status_code=status_code,
                body=out.model_dump(mode="json"), now=clock.now(),
            )  # fmt: skip
        await uow.commit()
    return _answer(status_code, out)


async def do_handle_webhook(
    db: Database, broker: Broker, clock: Clock, provider: PaymentProvider, body: bytes,
    headers: Mapping[str, str],
) -> WebhookAck:  # fmt: skip
    """Verify, dedupe by event id, and settle the pending payment it names."""
    notice = provider.verify_webhook(body, headers)
    async with db.uow() as uow:
        if await uow.session.get(WebhookEvent, notice.event_id) is not None:
            return WebhookAck(duplicate=True)
        uow.session.add(
            WebhookEvent(id=notice.event_id, provider=provider.name, received_at=clock.now())
        )
        payment = await get_payment_by_ref(uow.session, provider.name, notice.provider_ref)
        if payment is None:
            raise PaymentNotFound()
        if payment.status is PaymentStatus.PENDING:
            await _settle(uow, broker, clock, provider, payment, notice)
        try:
            await uow.commit()
        except IntegrityError:  # the same event delivered twice at once: the other one won
            return WebhookAck(duplicate=True)
    return WebhookAck()


async def do_cancel_order(
    db: Database, broker: Broker, clock: Clock, providers: Providers, actor: Actor, order_id: str
) -> checkout.OrderOut:
    """The buyer (or the shop's owner) cancels a hold; the shop's owner cancels a paid order,
    which refunds the payment and puts the units back on sale."""
    async with db.uow() as uow:
        order = await _visible_locked_order(uow, actor, order_id)
        if order.status is checkout.OrderStatus.PAID:
            await _check_owner(uow, actor, order)
            await _refund_payment(uow, clock, providers, order)
            await checkout.cancel_paid_order(uow, clock, order)
        elif order.status is checkout.OrderStatus.RESERVED and not checkout.order_is_due(
            order, clock.now()
        ):
            if order.buyer_id != actor.user_id:
                await check_shop_role(uow.session, actor, order.shop_id, {Role.OWNER})
            if order.payment_pending:
                raise checkout.PaymentPending()
            await checkout.release_order(uow, clock, order, checkout.OrderStatus.CANCELLED)
        else:
            raise checkout.OrderNotCancellable()
        await _emit_counts(uow, broker, clock, order)
        out = checkout.order_out(order, clock.now())
        await uow.commit()
    return out


async def do_refund_order(
    db: Database, clock: Clock, providers: Providers, actor: Actor, order_id: str
) -> checkout.OrderOut:
    """The shop's owner gives the money back; the units stay sold (not restocked)."""
    async with db.uow() as uow:
        order = await _visible_locked_order(uow, actor, order_id)
        await check_shop_role(uow.session, actor, order.shop_id, {Role.OWNER})
        if order.status is not checkout.OrderStatus.PAID:
            raise checkout.OrderNotPaid()
        await _refund_payment(uow, clock, providers, order)
        await checkout.refund_paid_order(uow, clock, order)
        out = checkout.order_out(order, clock.now())
        await uow.commit()
    return out


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
    payment = Payment(
        id=new_id(), order_id=order.id, provider=provider.name,
        provider_ref=f"unsent_{new_id()}", amount_minor=order.total_minor,
        currency=order.currency, status=PaymentStatus.PENDING,
        created_at=clock.now(), updated_at=clock.now(),
    )  # fmt: skip
    uow.session.add(payment)
    return payment


async def _apply_charge(
    uow: UnitOfWork, broker: Broker, clock: Clock, order: checkout.Order, payment: Payment,
    result: ChargeResult,
) -> None:  # fmt: skip
    payment.provider_ref = result.provider_ref
    payment.card_last4 = result.card_last4
    payment.failure_reason = result.failure_reason
    payment.status = _PAYMENT_STATUS[result.outcome]
    if result.outcome is ChargeOutcome.PENDING:
        order.payment_pending = True
    elif result.outcome is ChargeOutcome.SUCCEEDED:
        await checkout.mark_order_paid(uow, clock, order)
        await _emit_counts(uow, broker, clock, order)


async def _settle(
    uow: UnitOfWork, broker: Broker, clock: Clock, provider: PaymentProvider, payment: Payment,
    notice: WebhookNotice,
) -> None:  # fmt: skip
    """A pending payment settled: the order is paid, or its hold resumes (and expires now if
    its time has passed while the payment was pending)."""
    order = await checkout.lock_order(uow, payment.order_id)
    assert order is not None, "a payment always has its order"
    payment.updated_at = clock.now()
    outcome = notice.outcome
    payment.status = _PAYMENT_STATUS[outcome]
    payment.failure_reason = notice.failure_reason
    order.payment_pending = False
    await uow.session.flush()
    if outcome is ChargeOutcome.SUCCEEDED:
        if not await checkout.mark_order_paid(uow, clock, order):
            # The hold is gone (it cannot be, while pending; but never keep money for nothing).
            await provider.refund(
                payment.provider_ref, Money(payment.amount_minor, payment.currency)
            )
            payment.status = PaymentStatus.REFUNDED
    elif checkout.order_is_due(order, clock.now()):
        await checkout.release_order(uow, clock, order, checkout.OrderStatus.EXPIRED)
    await _emit_counts(uow, broker, clock, order)


async def _refund_payment(
    uow: UnitOfWork, clock: Clock, providers: Providers, order: checkout.Order
) -> None:
    payment = await get_settled_payment(uow.session, order.id)
    if payment is None:
        return  # paid by other means (an admin's correction): nothing to send back
    provider = providers.get(payment.provider)
    if provider is None:
        raise Unavailable(f"Payment provider {payment.provider!r} is not configured")
    await provider.refund(payment.provider_ref, Money(payment.amount_minor, payment.currency))
    payment.status = PaymentStatus.REFUNDED
    payment.updated_at = clock.now()


async def _visible_locked_order(uow: UnitOfWork, actor: Actor, order_id: str) -> checkout.Order:
    await checkout.get_visible_order(uow.session, actor, order_id)
    order = await checkout.lock_order(uow, order_id)
    assert order is not None
    return order


async def _check_owner(uow: UnitOfWork, actor: Actor, order: checkout.Order) -> None:
    """Only the shop's owner cancels a paid order; its buyer is told so, others get 403."""
    roles = await list_roles(uow.session, actor.user_id, order.shop_id)
    if actor.is_admin or Role.OWNER in roles:
        return
    if order.buyer_id == actor.user_id:
        raise checkout.OrderNotCancellable("A paid order is cancelled by the shop; ask them")
    await check_shop_role(uow.session, actor, order.shop_id, {Role.OWNER})


async def _emit_counts(
    uow: UnitOfWork, broker: Broker, clock: Clock, order: checkout.Order
) -> None:
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
