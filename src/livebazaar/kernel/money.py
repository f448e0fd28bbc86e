"""Money is an integer amount of minor units plus an ISO 4217 code. Never a float.

Exchange rates are data with a source and a timestamp in the `fx` feature (ADR 0009); for now
the pages only show converted prices as a guide, and checkout will lock a rate into orders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

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
# The most one unit of anything may be priced at: 10^10 minor units, that is 100,000,000.00
# CNY or USD, 10,000,000,000 RWF or JPY, 10,000,000.000 KWD. Far above any cooperative's
# goods, and it refuses a price typed with a few digits too many (99,999,999,999.00 CNY was
# taken) before buyers see it. Product, variant and drop prices; not sums.
MAX_PRICE_MINOR = 10**10


def check_currency(code: str) -> str:
    if code not in CURRENCY_EXPONENTS:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


_LONGEST_AMOUNT = 60  # characters, spaces included: longer text is no price anyone typed
AmountProblem = Literal["not_a_number", "too_many_decimals", "too_large"]
_PROBLEMS: dict[AmountProblem, str] = {
    "not_a_number": "is not an amount (digits, at most one decimal separator, no sign)",
    "too_many_decimals": "has more decimals than allowed",
    "too_large": f"is more than {MAX_AMOUNT_MINOR} minor units",
}


class BadAmount(ValueError):
    """Typed text that is not an amount we can take exactly. `reason` says why, for the
    caller's own words: "not_a_number", "too_many_decimals" or "too_large"."""

    def __init__(self, text: str, reason: AmountProblem) -> None:
        super().__init__(f"{text[:_LONGEST_AMOUNT]!r} {_PROBLEMS[reason]}")
        self.reason = reason


_SPACES = re.compile(r"[\s\u00a0\u202f_']")
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+")
_GROUPED_DOT = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
_AMOUNT = re.compile(r"([0-9]*)(?:\.([0-9]*))?")


def _normalise(text: str) -> str | None:
    """static/minor_units.js's reading: "1,234.50", "1.234,50", "1 234,5" and "12,5" all
    work; the last separator is the decimal one, unless a lone comma groups thousands."""
    s = _SPACES.sub("", text)
    comma, dot = s.rfind(","), s.rfind(".")
    if comma > dot:
        if dot == -1 and _GROUPED.fullmatch(s):
            return s.replace(",", "")
        if s.find(",") != comma:
            return None
        return s.replace(".", "").replace(",", ".")
    if comma != -1 and not _GROUPED_DOT.fullmatch(s):
        return None
    return s.replace(",", "")


def parse_scaled(text: str, exponent: int) -> int:
    """Typed decimal text as an integer count of 10**-exponent: `"12.50"` with exponent 2 is
    1250, `"33,3"` is 3330. Exact (digit strings and integers, never a float, as
    static/minor_units.js does with BigInt); no sign. BadAmount if it is no number or has
    more decimals (trailing zeros aside) than `exponent`."""
    s = _normalise(text.strip()) if len(text) <= _LONGEST_AMOUNT else None
    match = _AMOUNT.fullmatch(s) if s is not None else None
    if match is None or not (match[1] or match[2]):
        raise BadAmount(text, "not_a_number")
    whole, fraction = match[1] or "0", (match[2] or "").rstrip("0")
    if len(fraction) > exponent:
        raise BadAmount(text, "too_many_decimals")
    return int(whole + fraction.ljust(exponent, "0"))  # "12" and "5" with exponent 2: 1250


def parse_major_units(text: str, currency: str) -> int:
    """A price typed in the currency's major units as its integer minor units: `"1 234,5"`
    CNY is 123450, `"590000"` RWF is 590000, `"1.5"` RWF is refused (the franc has no minor
    unit). BadAmount also above MAX_AMOUNT_MINOR; ValueError for an unknown currency."""
    minor = parse_scaled(text, CURRENCY_EXPONENTS[check_currency(currency)])
    if minor > MAX_AMOUNT_MINOR:
        raise BadAmount(text, "too_large")
    return minor


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


def price_ceiling(currency: str) -> str:
    """MAX_PRICE_MINOR in `currency`, for people: `100,000,000.00 CNY`."""
    return Money(MAX_PRICE_MINOR, currency).format()


class MoneyIn(BaseModel):
    """A price as it crosses the API: `{"amount_minor": 2500, "currency": "USD"}` is 25.00
    USD; at most MAX_PRICE_MINOR."""

    amount_minor: int = Field(ge=0, le=MAX_AMOUNT_MINOR)
    currency: CurrencyCode

    @model_validator(mode="after")
    def _at_most_the_ceiling(self) -> MoneyIn:
        if self.amount_minor > MAX_PRICE_MINOR:
            raise ValueError(f"a price may be at most {price_ceiling(self.currency)}")
        return self


class MoneyOut(BaseModel):
    amount_minor: int
    currency: str
    display: str

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(amount_minor=money.amount_minor, currency=money.currency, display=money.format())
