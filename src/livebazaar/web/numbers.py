"""Numbers in the page's language: prices, counts and plurals, through Babel's CLDR data.

A price is its integer minor units shown in the currency's major units with the locale's
separators, then the ISO code: `49,00 CNY` in French, `1.234,50 EUR` in Spanish, `49.00 CNY`
in Chinese. Exact: the amount becomes a Decimal by moving the point (`scaleb`), never through
a float. static/minor_units.js `formatMoney` writes the same text in the browser with
Intl.NumberFormat, so a price is the same whether the server or a live update wrote it.

Templates use `{{ price | money }}`, `{{ n | number }}`, `{{ bps | share }}` ("50,0 %"),
`{{ amount_example(exponent) }}` (what
a typed price looks like: "12,55") and `{{ tn("{n} watching", "{n} watching", n, n=…) }}`: a
plural from the catalogs with static/i18n.js's `{name}` placeholders, so a template and a page
module share one msgid pair (listed in web/js_messages.py's JS_PLURALS for extraction).
"""

from __future__ import annotations

import copy
from decimal import Decimal
from functools import cache
from typing import Any, Protocol

from babel import Locale
from babel.numbers import NumberPattern
from jinja2 import Environment

from livebazaar.kernel.money import CURRENCY_EXPONENTS

# CLDR's minimumGroupingDigits where it is 2 (Babel does not apply it; Intl does): Spanish
# writes 2631 and 12.345, not 2.631.
_MIN_GROUPING_DIGITS = {"es": 2}
NBSP = "\u00a0"  # between the amount and its currency code, as static/minor_units.js


class Priced(Protocol):
    @property
    def amount_minor(self) -> int: ...
    @property
    def currency(self) -> str: ...


@cache
def _pattern(locale: str, decimals: int) -> tuple[Locale, NumberPattern]:
    parsed = Locale.parse(locale)
    standard = parsed.decimal_formats[None]
    pattern = copy.copy(standard)
    pattern.frac_prec = (decimals, decimals)
    return parsed, pattern


def format_decimal(value: Decimal, decimals: int, locale: str) -> str:
    """`value` with exactly `decimals` fraction digits in the locale's way."""
    parsed, pattern = _pattern(locale, decimals)
    grouping = abs(value) >= 10 ** (2 + _MIN_GROUPING_DIGITS.get(parsed.language, 1))
    return str(pattern.apply(value, parsed, group_separator=grouping))


def format_minor(amount_minor: int, currency: str, locale: str) -> str:
    """Integer minor units as "1 234,50 EUR" (the currency's exponent, never a float)."""
    exponent = CURRENCY_EXPONENTS.get(currency, 2)
    amount = format_decimal(Decimal(amount_minor).scaleb(-exponent), exponent, locale)
    return f"{amount}{NBSP}{currency}"


def format_money(price: Priced, locale: str) -> str:
    return format_minor(price.amount_minor, price.currency, locale)


def format_count(n: int, locale: str) -> str:
    return format_decimal(Decimal(n), 0, locale)


@cache
def _percent(locale: str) -> tuple[Locale, NumberPattern]:
    parsed = Locale.parse(locale)
    pattern = copy.copy(parsed.percent_formats[None])
    pattern.frac_prec = (1, 1)
    return parsed, pattern


def format_share(bps: int, locale: str) -> str:
    """A producer's share in basis points as a percentage: 5000 is "50.0%", "50,0 %" (fr)."""
    parsed, pattern = _percent(locale)
    return str(pattern.apply(Decimal(bps).scaleb(-4), parsed))


def amount_example(exponent: int, locale: str) -> str:
    """What a typed price looks like: "12,55" (fr, es), "12.55" (en), "1200" with no decimals."""
    if exponent == 0:
        return "1200"
    return format_decimal(Decimal("12." + "5" * exponent), exponent, locale)


def fill(text: str, params: dict[str, Any]) -> str:
    """static/i18n.js's placeholders: "{n} watching" with n="3" is "3 watching"; an unknown
    name stays as it is."""
    for name, value in params.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def install(env: Environment, locale_of_render: Any, ngettext: Any) -> None:
    """Once per environment: the filters and globals, in the language of the render under way
    (`locale_of_render()`; `ngettext` is the request's, from web/i18n.py)."""
    env.filters["money"] = lambda price: format_money(price, locale_of_render())
    env.filters["number"] = lambda n: format_count(int(n), locale_of_render())
    env.filters["share"] = lambda bps: format_share(int(bps), locale_of_render())
    env.globals["amount_example"] = lambda exponent: amount_example(exponent, locale_of_render())

    def tn(singular: str, plural: str, count: int, /, **params: Any) -> str:
        return fill(ngettext(singular, plural, count), params)

    env.globals["tn"] = tn
