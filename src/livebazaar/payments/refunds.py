"""Giving money back: refunds, whole or in part, and cancelling orders (a paid one is refunded).

A refund has the shape a charge has, so that no provider is called inside a transaction: record
it (pending, counted against what may still be refunded); ask the provider, keyed by the
refund's id; apply it, under the order's lock: the order's refunded total grows, the ledger
reverses the split in proportion, and the order closes (`refunded`, or `cancelled` and
restocked) once everything paid went back. If the provider's answer is lost the refund stays
pending; asking again retries that same refund, under the same key, and refunds nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar import checkout, ledger
from livebazaar.accounts import Actor, Role, check_shop_role
from livebazaar.broker import Broker
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database, UnitOfWork
from livebazaar.kernel.errors import Unavailable
from livebazaar.kernel.money import Money
from livebazaar.payments.actions import (
    Providers,
    check_owner,
    emit_counts,
    visible_locked_order,
)
from livebazaar.payments.errors import RefundNotConfirmed, RefundPending, RefundTooLarge
from livebazaar.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from livebazaar.payments.queries import get_settled_payment


@dataclass(frozen=True)
class _Refunding:
    id: str
    order_id: str
    amount: Money
    provider: str | None  # None: paid by other means (an admin's correction), nothing to ask
    provider_ref: str | None


async def do_refund_order(
    db: Database, broker: Broker, clock: Clock, providers: Providers, actor: Actor,
    order_id: str, amount_minor: int | None = None,
) -> checkout.OrderOut:  # fmt: skip
    """The shop's owner gives `amount_minor` back (all that is left when None); the units
    stay sold. More than is left to refund: RefundTooLarge (422), nothing changes."""
    refunding = await _record(db, clock, actor, order_id, amount_minor, cancel=False)
    await _ask_provider(providers, refunding)
    return await _apply(db, broker, clock, refunding.id)


async def do_cancel_order(
    db: Database, broker: Broker, clock: Clock, providers: Providers, actor: Actor, order_id: str
) -> checkout.OrderOut:
    """The buyer (or the shop's owner) cancels a hold; the shop's owner cancels a paid order,
    which refunds what is left of its payment and puts the units back on sale."""
    async with db.read() as session:
        order = await checkout.get_visible_order(session, actor, order_id)
    if order.status is not checkout.OrderStatus.PAID:
        return await _cancel_hold(db, broker, clock, actor, order_id)
    refunding = await _record(db, clock, actor, order_id, None, cancel=True)
    await _ask_provider(providers, refunding)
    return await _apply(db, broker, clock, refunding.id)


async def _cancel_hold(
    db: Database, broker: Broker, clock: Clock, actor: Actor, order_id: str
) -> checkout.OrderOut:
    async with db.uow() as uow:
        order = await visible_locked_order(uow, actor, order_id)
        if order.status is not checkout.OrderStatus.RESERVED or checkout.order_is_due(
            order, clock.now()
        ):
            raise checkout.OrderNotCancellable()
        if order.buyer_id != actor.user_id:
            await check_shop_role(uow.session, actor, order.shop_id, {Role.OWNER})
        if order.payment_pending:
            raise checkout.PaymentPending()
        await checkout.release_order(uow, clock, order, checkout.OrderStatus.CANCELLED)
        await emit_counts(uow, broker, clock, order)
        out = checkout.order_out(order, clock.now())
        await uow.commit()
    return out


async def _record(
    db: Database, clock: Clock, actor: Actor, order_id: str, amount_minor: int | None, *,
    cancel: bool,
) -> _Refunding:  # fmt: skip
    async with db.uow() as uow:
        order = await visible_locked_order(uow, actor, order_id)
        if cancel:
            await check_owner(uow, actor, order)
        else:
            await check_shop_role(uow.session, actor, order.shop_id, {Role.OWNER})
        if order.status is not checkout.OrderStatus.PAID:
            raise checkout.OrderNotCancellable() if cancel else checkout.OrderNotPaid()
        payment = await get_settled_payment(uow.session, order.id)
        pending = await _pending_refund(uow.session, order.id)
        if pending is not None:  # the provider's answer to it was lost: ask again, same key
            if pending.cancels_order == cancel and amount_minor in (None, pending.amount_minor):
                return _refunding(pending, payment)
            raise RefundPending()
        refund = _new_refund(uow, clock, order, payment, amount_minor, cancel=cancel)
        await uow.commit()
    return _refunding(refund, payment)


def _new_refund(
    uow: UnitOfWork, clock: Clock, order: checkout.Order, payment: Payment | None,
    amount_minor: int | None, *, cancel: bool,
) -> Refund:  # fmt: skip
    left = order.total_minor - order.refunded_minor
    amount = left if amount_minor is None else amount_minor
    if not 0 < amount <= left:
        raise RefundTooLarge(
            f"At most {Money(left, order.currency).format()} is left to refund",
            refundable_minor=left,
        )
    refund = Refund(
        order_id=order.id, payment_id=payment.id if payment else None, amount_minor=amount,
        currency=order.currency, status=RefundStatus.PENDING, cancels_order=cancel,
        created_at=clock.now(), updated_at=clock.now(),
    )  # fmt: skip
    uow.session.add(refund)
    return refund


async def _pending_refund(session: AsyncSession, order_id: str) -> Refund | None:
    return await session.scalar(
        select(Refund).where(Refund.order_id == order_id, Refund.status == RefundStatus.PENDING)
    )


def _refunding(refund: Refund, payment: Payment | None) -> _Refunding:
    return _Refunding(
        id=refund.id, order_id=refund.order_id,
        amount=Money(refund.amount_minor, refund.currency),
        provider=payment.provider if payment else None,
        provider_ref=payment.provider_ref if payment else None,
    )  # fmt: skip


async def _ask_provider(providers: Providers, refunding: _Refunding) -> None:
    """Outside any transaction, keyed by the refund's id. No answer: the refund stays
    pending (counted against what may be refunded) and asking again retries it."""
    if refunding.provider is None or refunding.provider_ref is None:
        return
    provider = providers.get(refunding.provider)
    if provider is None:
        raise Unavailable(f"Payment provider {refunding.provider!r} is not configured")
    try:
        await provider.refund(refunding.provider_ref, refunding.amount, refund_id=refunding.id)
    except Exception as exc:
        raise RefundNotConfirmed() from exc


async def _apply(db: Database, broker: Broker, clock: Clock, refund_id: str) -> checkout.OrderOut:
    async with db.uow() as uow:
        refund = await uow.session.get(Refund, refund_id, populate_existing=True)
        assert refund is not None, "recorded by _record"
        order = await checkout.lock_order(uow, refund.order_id)
        assert order is not None
        await uow.session.refresh(refund)
        if refund.status is RefundStatus.PENDING:  # else applied by an earlier attempt
            await _apply_pending(uow, broker, clock, refund, order)
        out = checkout.order_out(order, clock.now())
        await uow.commit()
    return out


async def _apply_pending(
    uow: UnitOfWork, broker: Broker, clock: Clock, refund: Refund, order: checkout.Order
) -> None:
    refund.status, refund.updated_at = RefundStatus.SUCCEEDED, clock.now()
    await ledger.record_refund(
        uow.session, order, refund_id=refund.id, amount_minor=refund.amount_minor,
        refunded_before_minor=order.refunded_minor, now=clock.now(),
    )  # fmt: skip
    refunded = await checkout.add_refunded(uow, order, refund.amount_minor)
    if refunded < order.total_minor:
        return
    if refund.payment_id is not None:
        payment = await uow.session.get(Payment, refund.payment_id)
        assert payment is not None
        payment.status, payment.updated_at = PaymentStatus.REFUNDED, clock.now()
    if refund.cancels_order:
        await checkout.cancel_paid_order(uow, clock, order)
        await emit_counts(uow, broker, clock, order)
    else:
        await checkout.refund_paid_order(uow, clock, order)
