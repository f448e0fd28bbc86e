"""Changing exchange rates: platform admins (the API) or the operator (the CLI)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from livebazaar.accounts import Actor
from livebazaar.fx.errors import AdminRequired, BadRatePair, RateFromTheFuture
from livebazaar.fx.models import ExchangeRate
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database
from livebazaar.kernel.money import CURRENCY_EXPONENTS

# A source's clock may run a little ahead of ours.
FUTURE_SKEW = timedelta(minutes=5)
# The console's operator (`livebazaar rates set`), trusted like `livebazaar admin`.
OPERATOR: Literal["operator"] = "operator"


async def do_set_rate(
    db: Database,
    clock: Clock,
    by: Actor | Literal["operator"],
    base: str,
    quote: str,
    *,
    rate: str,
    source: str,
    as_of: datetime | None = None,
) -> ExchangeRate:
    """Record that 1 `base` = `rate` `quote` (replacing the pair's previous rate)."""
    if by != OPERATOR and not (isinstance(by, Actor) and by.is_admin):
        raise AdminRequired()
    if base == quote or base not in CURRENCY_EXPONENTS or quote not in CURRENCY_EXPONENTS:
        raise BadRatePair(f"{base}/{quote} is not a pair of two ISO 4217 codes")
    if Decimal(rate) <= 0:
        raise BadRatePair("A rate must be above zero")
    now = clock.now()
    as_of = as_of or now
    if as_of > now + FUTURE_SKEW:
        raise RateFromTheFuture()
    async with db.uow() as uow:
        row = await uow.session.get(ExchangeRate, (base, quote))
        if row is None:
            row = ExchangeRate(base=base, quote=quote)
            uow.session.add(row)
        row.rate, row.source, row.as_of, row.updated_at = rate, source, as_of, now
        await uow.commit()
    return row
