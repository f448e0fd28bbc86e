"""Money is an integer amount of minor units plus an ISO 4217 code. Never a float.

Exchange rates are data with a source and a timestamp in the `fx` feature (ADR 0009); for now
the pages only show converted prices as a guide, and checkout will lock a rate into orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

# ISO 4217 active codes and their minor-unit exponents (the ones that are not 2 are listed
# explicitly). Funds codes and precious metals are left out: nobody pays in them.
_EXPONENT_0 = {
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
    "VND", "VUV", "XAF", "XOF", "XPF",
}  # fmt: skip
_EXPONENT_3 = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}
_EXPONENT_2 = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF",
    "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR",
    "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF",
    "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP",
    "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
    "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "UYU", "UZS", "VES", "WST", "XCD", "YER", "ZAR",
    "ZMW", "ZWG",
}  # fmt: skip

CURRENCY_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(_EXPONENT_2, 2),
    **dict.fromkeys(_EXPONENT_0, 0),
    **dict.fromkeys(_EXPONENT_3, 3),
}

# Largest amount we accept anywhere: fits a signed 64-bit column with room for sums.
MAX_AMOUNT_MINOR = 10**15


def check_currency(code: str) -> str:
    if code not in CURRENCY_EXPONENTS:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


CurrencyCode = Annotated[
    str,
    Field(min_length=3, max_length=3, examples=["USD", "CNY", "RWF"]),
    AfterValidator(check_currency),
]


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        check_currency(self.currency)

    def __mul__(self, factor: int) -> Money:
        return Money(self.amount_minor * factor, self.currency)

    def format(self) -> str:
        """For people: `1,234.50 USD`."""
        return f"{self.decimal(grouping=True)} {self.currency}"

    def decimal(self, *, grouping: bool = False) -> str:
        """The amount in major units, exactly: `1234.50` (`1,234.50` with grouping)."""
        exp = CURRENCY_EXPONENTS[self.currency]
        sign = "-" if self.amount_minor < 0 else ""
        whole, frac = (
            divmod(abs(self.amount_minor), 10**exp) if exp else (abs(self.amount_minor), 0)
        )
        body = (f"{whole:,}" if grouping else str(whole)) + (f".{frac:0{exp}d}" if exp else "")
        return sign + body


class MoneyIn(BaseModel):
    """Money as it crosses the API: `{"amount_minor": 2500, "currency": "USD"}` is 25.00 USD."""

    amount_minor: int = Field(ge=0, le=MAX_AMOUNT_MINOR)
    currency: CurrencyCode


class MoneyOut(BaseModel):
    amount_minor: int
    currency: str
    display: str

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(amount_minor=money.amount_minor, currency=money.currency, display=money.format())
