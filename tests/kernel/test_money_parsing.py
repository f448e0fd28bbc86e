"""Prices as sellers type them, read exactly into minor units (kernel.money.parse_major_units),
the same way static/minor_units.js reads them in the studio."""

from __future__ import annotations

import pytest

from livebazaar.kernel.money import (
    MAX_AMOUNT_MINOR,
    BadAmount,
    Money,
    parse_major_units,
    parse_scaled,
)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.50", "CNY", 1250),
        ("12,5", "EUR", 1250),  # a decimal comma
        ("1,234.50", "USD", 123450),  # grouped thousands
        ("1.234,50", "EUR", 123450),
        ("1 234,5", "CNY", 123450),
        ("1\u202f234,5", "EUR", 123450),  # the narrow no-break space French uses
        ("1,234", "USD", 123400),  # a lone comma grouping thousands, not decimals
        ("  7 ", "USD", 700),
        (".5", "USD", 50),
        ("5.", "USD", 500),
        ("12.500", "USD", 1250),  # trailing zeros are no extra precision
        ("590000", "RWF", 590000),  # the Rwandan franc has no minor unit
        ("590,000", "RWF", 590000),
        ("12.00", "RWF", 12),
        ("1.234", "KWD", 1234),  # three decimals
        ("0", "USD", 0),
        ("0.29", "USD", 29),  # 0.29 * 100 is 28.999999999999996 as a float
        ("10000000000000", "USD", MAX_AMOUNT_MINOR),
    ],
)
def test_prices_are_read_exactly(text: str, currency: str, minor: int) -> None:
    assert parse_major_units(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "reason"),
    [
        ("12.505", "USD", "too_many_decimals"),
        ("1.5", "RWF", "too_many_decimals"),
        ("1.2345", "KWD", "too_many_decimals"),
        ("twelve", "USD", "not_a_number"),
        ("", "USD", "not_a_number"),
        (".", "USD", "not_a_number"),
        ("-5", "USD", "not_a_number"),  # prices have no sign
        ("1e3", "USD", "not_a_number"),
        ("1,2,3.4", "USD", "not_a_number"),
        ("12,34,56", "USD", "not_a_number"),
        ("١٢", "USD", "not_a_number"),  # Arabic-Indic digits: ASCII digits only
        ("1" + " " * 60 + "9", "USD", "not_a_number"),  # too long to be typed, never cut
        ("10000000000000.01", "USD", "too_large"),
    ],
)
def test_what_is_no_exact_price_is_refused_with_its_reason(
    text: str, currency: str, reason: str
) -> None:
    with pytest.raises(BadAmount) as refused:
        parse_major_units(text, currency)
    assert refused.value.reason == reason
    assert isinstance(refused.value, ValueError)
    assert repr(text[:60]) in str(refused.value)  # the message quotes what was typed


def test_an_unknown_currency_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="ISO 4217") as refused:
        parse_major_units("12", "XYZ")
    assert not isinstance(refused.value, BadAmount)


def test_reading_undoes_formatting_for_every_exponent() -> None:
    for currency, minor in (("USD", 123456789), ("RWF", 590000), ("KWD", 1234567), ("EUR", 5)):
        money = Money(minor, currency)
        assert parse_major_units(money.decimal(), currency) == minor
        assert parse_major_units(money.decimal(grouping=True), currency) == minor


def test_percentages_scale_to_basis_points() -> None:
    assert parse_scaled("33.33", 2) == 3333
    assert parse_scaled("100", 2) == 10_000
    assert parse_scaled("12,5", 2) == 1250
    with pytest.raises(BadAmount):
        parse_scaled("33.333", 2)
