"""Changing exchange rates: platform admins (the API) or the operator (the CLI: one rate, or
every rate of a file, all or nothing). Each change is noted (RATES_CHANGED) for the process's
rate cache."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from livebazaar.accounts import Actor
from livebazaar.fx.cache import RATES_CHANGED
from livebazaar.fx.conversion import Rate
from livebazaar.fx.errors import AdminRequired, BadRateFile, BadRatePair, RateFromTheFuture
from livebazaar.fx.models import ExchangeRate
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database, UnitOfWork
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
        row = await _put(uow, Rate(base, quote, Decimal(rate), source, as_of), now, text=rate)
        await uow.commit()
    return row


async def do_import_rates(
    db: Database, clock: Clock, by: Literal["operator"], rates: list[Rate]
) -> int:
    """Store every rate of a file (fx.rate_files read it), replacing each pair's, in one
    transaction: a rate from the future refuses the whole file (BadRateFile), nothing kept."""
    if by != OPERATOR:
        raise AdminRequired()
    now = clock.now()
    for r in rates:
        if r.as_of > now + FUTURE_SKEW:
            raise BadRateFile(f"{r.base}/{r.quote}: as_of {r.as_of.isoformat()} is in the future")
    async with db.uow() as uow:
        for r in rates:
            await _put(uow, r, now, text=str(r.rate))
        await uow.commit()
    return len(rates)


async def _put(uow: UnitOfWork, r: Rate, now: datetime, *, text: str) -> ExchangeRate:
    row = await uow.session.get(ExchangeRate, (r.base, r.quote))
    if row is None:
        row = ExchangeRate(base=r.base, quote=r.quote)
        uow.session.add(row)
    row.rate, row.source, row.as_of, row.updated_at = text, r.source, r.as_of, now
    uow.note(RATES_CHANGED, (r.base, r.quote))
    return row
