"""Converting money with a rate: exactly (Fraction of a Decimal), rounded half-even to the
target currency's minor unit. A RateBook holds the fresh rates and finds a pair directly,
through its inverse, or across EUR (ADR 0016); it also locks a conversion into an order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Context, Decimal
from fractions import Fraction

from livebazaar.kernel.money import CURRENCY_EXPONENTS, Money

# The currency every pair may be crossed through: the ECB publishes each rate against it.
PIVOT = "EUR"
# A derived rate (an inverse, a cross) whose decimals never end is written to this many
# significant digits; the amount itself is converted with the exact rate.
RATE_DIGITS = 20
_RATE_CONTEXT = Context(prec=RATE_DIGITS)


@dataclass(frozen=True, slots=True)
class Rate:
    """1 `base` = `rate` `quote`, in major units, as `source` said at `as_of`."""

    base: str
    quote: str
    rate: Decimal
    source: str
    as_of: datetime


@dataclass(frozen=True, slots=True)
class Quote:
    """How many major units of a currency one major unit of another is worth, exactly, and
    where that came from: a stored rate, its inverse, or two legs across EUR (the older
    leg's as_of)."""

    rate: Fraction
    source: str
    as_of: datetime


@dataclass(frozen=True, slots=True)
class LockedPrice:
    """What a buyer saw: `amount_minor` of `currency` for the charge, at `rate` (decimal text:
    major units of `currency` per major unit of the charged currency) from `source` at
    `as_of`. Taken when the order is made; no later rate changes it."""

    currency: str
    amount_minor: int
    rate: str
    source: str
    as_of: datetime


def _scale(source: str, to: str) -> Fraction:
    return Fraction(10) ** (CURRENCY_EXPONENTS[to] - CURRENCY_EXPONENTS[source])


def convert(money: Money, rate: Fraction, to: str) -> Money:
    """`money` times `rate` (major units of `to` per major unit of money's currency), in
    `to`'s minor units, rounded half to even. Exact: no float, no intermediate rounding."""
    return Money(round(money.amount_minor * rate * _scale(money.currency, to)), to)


def _divide_half_even(n: int, d: int) -> int:
    """round(n / d), ties to even, in integers (d > 0): what round() does to a Fraction."""
    q, r = divmod(n, d)
    if 2 * r > d or (2 * r == d and q % 2 == 1):
        q += 1
    return q


@dataclass(frozen=True, slots=True)
class _Lock:
    """A pair's rate as locking needs it: scaled to minor units (numerator / denominator),
    its decimal text, and where it came from."""

    numerator: int
    denominator: int
    text: str
    quote: Quote


def rate_text(rate: Fraction) -> str:
    """A rate as decimal text without an exponent: exact when its decimals end within
    RATE_DIGITS significant digits, else rounded half to even there ("0.14038239", "7.1234")."""
    value = _RATE_CONTEXT.divide(Decimal(rate.numerator), Decimal(rate.denominator))
    return format(value.normalize(), "f")


class RateBook:
    """The rates fresh at `now` (no older than `max_age`), by pair; inverses and crosses
    through EUR derived. Immutable: what it derives is remembered (a process keeps one book
    for a while, fx/cache.py)."""

    def __init__(self, rates: list[Rate], *, now: datetime, max_age: timedelta) -> None:
        self._rates: dict[tuple[str, str], Rate] = {}
        # A direct pair wins over the inverse of its opposite; rates come oldest first, so
        # the newest of two rows for the same direction wins.
        for r in sorted(rates, key=lambda r: r.as_of):
            if now - r.as_of <= max_age and r.rate > 0:
                self._rates[(r.base, r.quote)] = r
        self._quotes: dict[tuple[str, str], Quote | None] = {}
        self._locks: dict[tuple[str, str], _Lock] = {}

    def quote(self, base: str, quote: str) -> Quote | None:
        """Major units of `quote` per major unit of `base` (None for the same currency, or
        without a fresh rate): direct, else the inverse, else base -> EUR -> quote."""
        pair = (base, quote)
        if pair not in self._quotes:
            found = self._leg(base, quote)
            if found is None and PIVOT not in pair and base != quote:
                found = self._cross(base, quote)
            self._quotes[pair] = found
        return self._quotes[pair]

    def _leg(self, base: str, quote: str) -> Quote | None:
        direct = self._rates.get((base, quote))
        if direct is not None:
            return Quote(Fraction(direct.rate), direct.source, direct.as_of)
        inverse = self._rates.get((quote, base))
        if inverse is not None:
            return Quote(1 / Fraction(inverse.rate), inverse.source, inverse.as_of)
        return None

    def _cross(self, base: str, quote: str) -> Quote | None:
        into, out = self._leg(base, PIVOT), self._leg(PIVOT, quote)
        if into is None or out is None:
            return None
        sources = dict.fromkeys((into.source, out.source))  # once if both legs share it
        source = f"{' + '.join(sources)}, via {PIVOT}"[:200]
        return Quote(into.rate * out.rate, source, min(into.as_of, out.as_of))

    def rate(self, base: str, quote: str) -> Fraction | None:
        """Major units of `quote` per major unit of `base`, if a fresh rate says so."""
        if base == quote:
            return Fraction(1)
        found = self.quote(base, quote)
        return None if found is None else found.rate

    def convert(self, money: Money, to: str) -> Money | None:
        rate = self.rate(money.currency, to)
        return None if rate is None else convert(money, rate, to)

    def lock(self, money: Money, to: str) -> LockedPrice | None:
        """`money` in `to` as the pages show it, with the rate that made it, to be kept with
        an order; None when `to` is money's own currency or no fresh rate reaches it.

        On every claim that names a currency (the flash sale's hot path): the pair's scaled
        rate and its text are worked out once per book, then it is one integer division."""
        if to == money.currency:
            return None
        pair = (money.currency, to)
        lock = self._locks.get(pair)
        if lock is None:
            found = self.quote(*pair)
            if found is None:
                return None
            scaled = found.rate * _scale(money.currency, to)
            lock = self._locks[pair] = _Lock(
                scaled.numerator, scaled.denominator, rate_text(found.rate), found
            )
        amount = _divide_half_even(money.amount_minor * lock.numerator, lock.denominator)
        return LockedPrice(to, amount, lock.text, lock.quote.source, lock.quote.as_of)

    def rates_into(self, quote: str) -> dict[str, Fraction]:
        """Every currency with a fresh rate into `quote` (directly, inverted or across EUR):
        what a page's script needs."""
        known = {code for pair in self._rates for code in pair} - {quote}
        found = {base: self.rate(base, quote) for base in known}
        return {base: rate for base, rate in found.items() if rate is not None}
