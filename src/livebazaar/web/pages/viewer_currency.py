"""The viewer's currency: prices show in the shop's currency and, where a fresh rate is known,
also as "≈ 27.30 USD" in the viewer's (display only: the charge stays in the shop's currency).

Which currency a request gets: a valid `?ccy=EUR` (that page only), else the `lb_ccy` cookie
(the currency picker in base.html posts to POST /currency, which sets it), else the negotiated
language's default (zh_Hans -> CNY, es and fr -> EUR, en -> USD). ADR 0009.

Templates call `approx(price)` (a global, like gettext's `_`), which reads the request's
`ViewerPrices` from a context variable that `activated` sets around a render. Pages that show
prices pass `rates=` (a RateBook, `await load_rates(c)`) to `render_page`; on other pages
`approx` says nothing. The same rates go to the page's scripts as JSON (`script_data`, read by
static/fx.js) as exact fractions, so live-updated cards convert the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from jinja2 import Environment

from livebazaar.fx import RateBook
from livebazaar.kernel.money import CURRENCY_EXPONENTS, Money
from livebazaar.web import i18n
from livebazaar.web.deps import ContainerDep
from livebazaar.web.i18n import remember_choice
from livebazaar.web.numbers import format_money

COOKIE = i18n.CURRENCY_COOKIE
QUERY = "ccy"
DEFAULT_BY_LOCALE = {"en": "USD", "zh_Hans": "CNY", "es": "EUR", "fr": "EUR"}
# What the picker offers (any ISO 4217 code works through `?ccy=` and the cookie).
CHOICES = ("USD", "EUR", "CNY", "GBP", "JPY", "CAD", "AUD", "INR", "KES", "RWF")


class Priced(Protocol):
    @property
    def amount_minor(self) -> int: ...
    @property
    def currency(self) -> str: ...


def _valid(code: str) -> str | None:
    code = code.strip().upper()[:3]
    return code if code in CURRENCY_EXPONENTS else None


def choose(request: Request, locale: str) -> str:
    """The viewer's currency: `?ccy=`, else the `lb_ccy` cookie, else the language's default."""
    return (
        _valid(request.query_params.get(QUERY, ""))
        or _valid(request.cookies.get(COOKIE, ""))
        or DEFAULT_BY_LOCALE.get(locale, "USD")
    )


async def load_rates(c: ContainerDep) -> RateBook:
    """The rates fresh now, for a page that shows prices: the process's book (fx/cache.py),
    the one claims and purchases lock into orders, so an order keeps what the page showed."""
    return await c.rates.book()


class ViewerPrices:
    def __init__(self, currency: str, book: RateBook | None, locale: str = "en") -> None:
        self.currency = currency
        self.book = book
        self.locale = locale  # the page's: "≈ 27,30 EUR" in French

    def approx(self, price: Priced | None) -> str:
        """ "≈ 27.30 USD" when the viewer's currency differs and a fresh rate exists, else ""."""
        if price is None or self.book is None or price.currency == self.currency:
            return ""
        converted = self.book.convert(Money(price.amount_minor, price.currency), self.currency)
        return "" if converted is None else f"≈ {format_money(converted, self.locale)}"

    def script_data(self) -> dict[str, Any]:
        """For static/fx.js: the viewer's currency and, per shop currency, rate = num/den."""
        rates = self.book.rates_into(self.currency) if self.book is not None else {}
        return {
            "currency": self.currency,
            "exponents": {
                code: CURRENCY_EXPONENTS[code] for code in [self.currency, *sorted(rates)]
            },
            "rates": {
                code: [str(r.numerator), str(r.denominator)] for code, r in sorted(rates.items())
            },
        }

    def page_context(self) -> dict[str, Any]:
        choices = CHOICES if self.currency in CHOICES else (self.currency, *CHOICES)
        return {"viewer_currency": self.currency, "currencies": choices, "fx": self.script_data()}


_active: ContextVar[ViewerPrices | None] = ContextVar("livebazaar_viewer_prices", default=None)


def _approx(price: Priced | None) -> str:
    prices = _active.get()
    return prices.approx(price) if prices is not None else ""


def install(env: Environment) -> None:
    """Once per environment: `approx(price)` follows the request being rendered."""
    env.globals["approx"] = _approx


@contextmanager
def activated(prices: ViewerPrices) -> Iterator[None]:
    token = _active.set(prices)
    try:
        yield
    finally:
        _active.reset(token)


router = APIRouter(include_in_schema=False)


@router.post("/currency")
async def choose_currency(
    c: ContainerDep,
    currency: Annotated[str, Form(max_length=3)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> RedirectResponse:
    """The picker: remember the choice in `lb_ccy` (a year), then back to the same page."""
    return remember_choice(c, COOKIE, _valid(currency), next)
