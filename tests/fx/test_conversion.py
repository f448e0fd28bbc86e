"""Converting money for display: exact (no float), half-even to the target's minor unit,
through a direct or an inverse pair, and never with a stale rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def test_a_pair_with_no_rate_of_its_own_crosses_through_the_euro() -> None:
    # Given the euro's rates only: RWF (a central bank's) and JPY, KWD (the ECB's, a CSV's)
    book = _book(
        ("EUR", "RWF", "1523.4471", timedelta(hours=3)),
        ("EUR", "JPY", "162.53", timedelta(hours=1)),
        ("KWD", "EUR", "3.0873", timedelta(hours=2)),  # stored the other way round
    )
    # Then RWF -> JPY is RWF -> EUR -> JPY, exactly, with both sources and the older as_of
    quote = book.quote("RWF", "JPY")
    assert quote is not None
    assert quote.rate == Fraction(Decimal("162.53")) / Fraction(Decimal("1523.4471"))
    assert quote.as_of == NOW - timedelta(hours=3)
    assert quote.source == "test, via EUR"
    # 15000 RWF = 9.8461… EUR = 1600.29… JPY -> 1600 JPY (no minor unit)
    assert book.convert(Money(15000, "RWF"), "JPY") == Money(1600, "JPY")
    # KWD has three decimals: 15000 RWF -> 3.189… KWD -> 3.189 (half even on the 4th)
    expected = round(15000 / Fraction(Decimal("1523.4471")) / Fraction(Decimal("3.0873")) * 1000)
    assert book.convert(Money(15000, "RWF"), "KWD") == Money(expected, "KWD")
    # And a pair with neither leg stays unknown; rates_into lists what crosses too
    assert book.convert(Money(100, "USD"), "JPY") is None
    assert set(book.rates_into("JPY")) == {"EUR", "RWF", "KWD"}


def test_a_locked_price_keeps_the_amount_the_page_shows_and_its_rate_as_text() -> None:
    book = _book(("USD", "CNY", "7.1234", timedelta(hours=1)))
    # A stored rate: its own text
    locked = book.lock(Money(10000, "USD"), "CNY")
    assert locked is not None
    assert (locked.currency, locked.amount_minor, locked.rate) == ("CNY", 71234, "7.1234")
    assert (locked.source, locked.as_of) == ("test", NOW - timedelta(hours=1))
    # Its inverse never ends: 20 significant digits; the amount is the page's (exact) one
    back = book.lock(Money(19900, "CNY"), "USD")
    assert back is not None
    assert back.rate == "0.14038240166212763568"
    assert back.amount_minor == 2794  # as book.convert gives the page: 27.94 USD
    # The shop's own currency, or no rate: nothing to lock
    assert book.lock(Money(100, "USD"), "USD") is None
    assert book.lock(Money(100, "USD"), "JPY") is None


@given(
    amount=st.integers(min_value=0, max_value=10**15),
    rate=st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("100000"), places=6),
    pair=st.sampled_from([("RWF", "JPY"), ("USD", "KWD"), ("KWD", "RWF"), ("CNY", "USD")]),
)
def test_locking_converts_exactly_as_the_pages_do(
    amount: int, rate: Decimal, pair: tuple[str, str]
) -> None:
    base, quote = pair
    book = _book((base, quote, str(rate), timedelta(0)))
    locked = book.lock(Money(amount, base), quote)
    back = book.lock(Money(amount, quote), base)  # through the inverse
    forth, there = (
        book.convert(Money(amount, base), quote),
        book.convert(Money(amount, quote), base),
    )
    assert locked is not None
    assert back is not None
    assert forth is not None
    assert there is not None
    assert (locked.amount_minor, back.amount_minor) == (forth.amount_minor, there.amount_minor)
