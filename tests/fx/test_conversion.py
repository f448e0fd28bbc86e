"""Converting money for display: exact (no float), half-even to the target's minor unit,
through a direct or an inverse pair, and never with a stale rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from livebazaar.fx import Rate, RateBook, convert
from livebazaar.kernel.money import Money

NOW = datetime(2030, 5, 1, 12, tzinfo=UTC)
WEEK = timedelta(days=7)


def _book(*rates: tuple[str, str, str, timedelta]) -> RateBook:
    made = [Rate(b, q, Decimal(r), "test", NOW - age) for b, q, r, age in rates]
    return RateBook(made, now=NOW, max_age=WEEK)


@pytest.mark.parametrize(
    ("money", "rate", "to", "expected"),
    [
        (Money(10000, "USD"), "7.1234", "CNY", Money(71234, "CNY")),
        (Money(1, "USD"), "0.125", "EUR", Money(0, "EUR")),  # 0.125 cent -> 0
        (Money(3, "USD"), "0.125", "EUR", Money(0, "EUR")),  # 0.375 cents -> 0
        (Money(4, "USD"), "0.125", "EUR", Money(0, "EUR")),  # exactly 0.5 cent -> 0 (even)
        (Money(12, "USD"), "0.125", "EUR", Money(2, "EUR")),  # exactly 1.5 cents -> 2 (even)
        (Money(20, "USD"), "0.125", "EUR", Money(2, "EUR")),  # exactly 2.5 cents -> 2 (even)
        (Money(29, "USD"), "1", "EUR", Money(29, "EUR")),  # 0.29 stays 0.29 (no float)
        (Money(1000, "USD"), "1350.5", "RWF", Money(13505, "RWF")),  # 2 -> 0 decimals
        (Money(1500, "RWF"), "0.00074", "USD", Money(111, "USD")),  # 0 -> 2: 1.11 USD
        (Money(2500, "RWF"), "0.000005", "KWD", Money(12, "KWD")),  # 0 -> 3: 0.0125 -> 0.012
        (Money(1234, "KWD"), "3.25", "USD", Money(401, "USD")),  # 3 -> 2: 4.0105 -> 4.01
        (Money(1250, "KWD"), "1", "JPY", Money(1, "JPY")),  # 1.25 -> 1
        (Money(1500, "KWD"), "1", "JPY", Money(2, "JPY")),  # 1.5 -> 2 (even)
        (Money(2500, "KWD"), "1", "JPY", Money(2, "JPY")),  # 2.5 -> 2 (even)
    ],
)
def test_conversion_is_exact_and_rounds_half_to_even(
    money: Money, rate: str, to: str, expected: Money
) -> None:
    assert convert(money, Fraction(Decimal(rate)), to) == expected


def test_an_inverse_pair_converts_the_other_way_exactly() -> None:
    # Given only USD -> CNY
    book = _book(("USD", "CNY", "7.1234", timedelta(hours=1)))
    # Then CNY -> USD divides by the rate exactly: 199.00 / 7.1234 = 27.9361… -> 27.94
    assert book.rate("CNY", "USD") == 1 / Fraction(Decimal("7.1234"))
    assert book.convert(Money(19900, "CNY"), "USD") == Money(2794, "USD")
    assert book.convert(Money(71234, "CNY"), "USD") == Money(10000, "USD")
    # And a direct pair wins over the inverse of its opposite
    both = _book(("USD", "CNY", "7", timedelta(hours=1)), ("CNY", "USD", "0.2", timedelta(0)))
    assert both.convert(Money(1000, "CNY"), "USD") == Money(200, "USD")


def test_a_stale_rate_is_as_good_as_unknown() -> None:
    book = _book(
        ("USD", "CNY", "7.1", WEEK + timedelta(seconds=1)),
        ("EUR", "CNY", "7.7", WEEK),
    )
    assert book.convert(Money(100, "USD"), "CNY") is None
    assert book.convert(Money(100, "CNY"), "USD") is None
    assert book.convert(Money(100, "EUR"), "CNY") == Money(770, "CNY")
    assert book.convert(Money(100, "GBP"), "CNY") is None


def test_same_currency_needs_no_rate_and_rates_into_lists_both_directions() -> None:
    book = _book(("USD", "CNY", "8", timedelta(0)), ("CNY", "EUR", "0.125", timedelta(0)))
    assert book.convert(Money(5, "JPY"), "JPY") == Money(5, "JPY")
    assert book.rates_into("CNY") == {"USD": Fraction(8), "EUR": Fraction(8)}
