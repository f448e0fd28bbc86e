"""Converting money with a rate: exactly (Fraction of a Decimal), rounded half-even to the
target currency's minor unit. A RateBook holds the fresh rates and finds a pair directly or
through its inverse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from livebazaar.kernel.money import CURRENCY_EXPONENTS, Money


@dataclass(frozen=True, slots=True)
class Rate:
    """1 `base` = `rate` `quote`, in major units, as `source` said at `as_of`."""

    base: str
    quote: str
    rate: Decimal
    source: str
    as_of: datetime


def convert(money: Money, rate: Fraction, to: str) -> Money:
    """`money` times `rate` (major units of `to` per major unit of money's currency), in
    `to`'s minor units, rounded half to even. Exact: no float, no intermediate rounding."""
    scale = Fraction(10) ** (CURRENCY_EXPONENTS[to] - CURRENCY_EXPONENTS[money.currency])
    return Money(round(money.amount_minor * rate * scale), to)


class RateBook:
    """The rates fresh at `now` (no older than `max_age`), by pair; inverses derived."""

    def __init__(self, rates: list[Rate], *, now: datetime, max_age: timedelta) -> None:
        self._rates: dict[tuple[str, str], Fraction] = {}
        # A direct pair wins over the inverse of its opposite; rates come oldest first, so
        # the newest of two rows for the same direction wins.
        for r in sorted(rates, key=lambda r: r.as_of):
            if now - r.as_of <= max_age and r.rate > 0:
                self._rates[(r.base, r.quote)] = Fraction(r.rate)

    def rate(self, base: str, quote: str) -> Fraction | None:
        """Major units of `quote` per major unit of `base`, if a fresh rate says so."""
        if base == quote:
            return Fraction(1)
        direct = self._rates.get((base, quote))
        if direct is not None:
            return direct
        inverse = self._rates.get((quote, base))
        return 1 / inverse if inverse is not None else None

    def convert(self, money: Money, to: str) -> Money | None:
        rate = self.rate(money.currency, to)
        return None if rate is None else convert(money, rate, to)

    def rates_into(self, quote: str) -> dict[str, Fraction]:
        """Every currency with a fresh rate into `quote`: what a page's script needs."""
        bases = {b for b, q in self._rates if q == quote} | {
            q for b, q in self._rates if b == quote
        }
        found = {base: self.rate(base, quote) for base in bases - {quote}}
        return {base: rate for base, rate in found.items() if rate is not None}
