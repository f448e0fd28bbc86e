"""Read-only payment queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.payments.models import Payment, PaymentStatus


async def get_latest_payment(session: AsyncSession, order_id: str) -> Payment | None:
    return await session.scalar(
        select(Payment)
        .where(Payment.order_id == order_id)
        .order_by(Payment.created_at.desc(), Payment.id.desc())
        .limit(1)
    )


async def get_settled_payment(session: AsyncSession, order_id: str) -> Payment | None:
    """The payment that paid the order (at most one succeeds: the order is paid only once)."""
    return await session.scalar(
        select(Payment).where(
            Payment.order_id == order_id, Payment.status == PaymentStatus.SUCCEEDED
        )
    )


async def get_payment_by_ref(
    session: AsyncSession, provider: str, provider_ref: str
) -> Payment | None:
    """Not locked: whoever settles it locks its order first, then reads it again (every path
    takes the order's lock before the payment's row, so two settlers never deadlock)."""
    return await session.scalar(
        select(Payment)
        .where(Payment.provider == provider, Payment.provider_ref == provider_ref)
        .execution_options(populate_existing=True)
    )
