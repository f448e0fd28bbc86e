"""Reading exchange rates. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.fx.conversion import Rate, RateBook
from livebazaar.fx.models import ExchangeRate


async def list_rates(session: AsyncSession) -> Sequence[ExchangeRate]:
    rows = await session.scalars(
        select(ExchangeRate).order_by(ExchangeRate.base, ExchangeRate.quote)
    )
    return rows.all()


async def get_rate_book(session: AsyncSession, *, now: datetime, max_age: timedelta) -> RateBook:
    """The rates fresh at `now`: older than `max_age` is as good as unknown."""
    rows = await session.scalars(select(ExchangeRate).where(ExchangeRate.as_of >= now - max_age))
    rates = [Rate(r.base, r.quote, Decimal(r.rate), r.source, r.as_of) for r in rows]
    return RateBook(rates, now=now, max_age=max_age)
