from __future__ import annotations

import pytest
from pydantic import ValidationError

from livebazaar.kernel.money import Money, MoneyIn, MoneyOut


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (1999, "USD", "19.99 USD"),
        (590000, "RWF", "590,000 RWF"),  # the Rwandan franc has no minor unit
        (5, "CNY", "0.05 CNY"),
        (1234567, "KWD", "1,234.567 KWD"),  # three decimals
        (-250, "EUR", "-2.50 EUR"),
    ],
)
def test_format_follows_the_currency_exponent(amount: int, currency: str, shown: str) -> None:
    assert Money(amount, currency).format() == shown


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(ValueError, match="ISO 4217"):
        Money(100, "XYZ")
    with pytest.raises(ValidationError):
        MoneyIn(amount_minor=100, currency="usd")


def test_money_in_refuses_floats_negatives_and_absurd_amounts() -> None:
    for bad in (-1, 10**16, 1.5):
        with pytest.raises(ValidationError):
            MoneyIn.model_validate({"amount_minor": bad, "currency": "USD"})


def test_multiplying_keeps_integer_minor_units() -> None:
    total = Money(6900, "CNY") * 3
    assert total == Money(20700, "CNY")
    assert MoneyOut.of(total).model_dump() == {
        "amount_minor": 20700,
        "currency": "CNY",
        "display": "207.00 CNY",
    }
