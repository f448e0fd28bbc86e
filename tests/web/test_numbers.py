"""Prices, counts and plurals in the page's language (web/numbers.py, the `money` filter): exact
from integer minor units, the way static/minor_units.js writes them in the browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from livebazaar.kernel.money import CURRENCY_EXPONENTS, MAX_AMOUNT_MINOR
from livebazaar.web import i18n
from livebazaar.web.numbers import amount_example, format_count, format_minor, format_share

STATIC = Path(i18n.__file__).resolve().parent / "static"
NB, NNB = "\u00a0", "\u202f"  # no-break space; narrow no-break space (French grouping)


@pytest.mark.parametrize(
    ("locale", "minor", "currency", "text"),
    [
        ("en", 4900, "CNY", f"49.00{NB}CNY"),
        ("fr", 4900, "CNY", f"49,00{NB}CNY"),
        ("es", 4900, "CNY", f"49,00{NB}CNY"),
        ("zh_Hans", 4900, "CNY", f"49.00{NB}CNY"),
        ("fr", 263100, "EUR", f"2{NNB}631,00{NB}EUR"),
        ("es", 263100, "EUR", f"2631,00{NB}EUR"),  # CLDR: no grouping of four digits
        ("es", 1234550, "EUR", f"12.345,50{NB}EUR"),
        ("en", 590000, "RWF", f"590,000{NB}RWF"),
        ("fr", 1234, "KWD", f"1,234{NB}KWD"),
        ("en", MAX_AMOUNT_MINOR - 1, "USD", f"9,999,999,999,999.99{NB}USD"),  # no float
    ],
)
def test_a_price_is_written_in_the_pages_language(
    locale: str, minor: int, currency: str, text: str
) -> None:
    assert format_minor(minor, currency, locale) == text


def test_counts_and_the_typed_price_example_follow_the_language() -> None:
    assert format_count(2631, "fr") == f"2{NNB}631"
    assert format_count(2631, "en") == "2,631"
    assert amount_example(2, "es") == "12,55"
    assert amount_example(3, "en") == "12.555"
    assert amount_example(0, "fr") == "1200"


def test_the_page_scripts_know_every_currency_exponent_the_server_does() -> None:
    source = (STATIC / "minor_units.js").read_text()
    sets = {
        exponent: set(re.findall(r'"([A-Z]{3})"', re.search(pattern, source, re.S)[1]))  # type: ignore[index]
        for exponent, pattern in (
            (0, r"EXPONENT_0 = new Set\(\[(.*?)\]\)"),
            (3, r"EXPONENT_3 = new Set\(\[(.*?)\]\)"),
        )
    }
    for exponent in (0, 3):
        assert sets[exponent] == {c for c, e in CURRENCY_EXPONENTS.items() if e == exponent}


def test_the_page_gets_each_plural_category_of_its_language() -> None:
    i18n.js_catalog.cache_clear()
    assert i18n.js_catalog("fr")["{n} watching"] == {
        "one": "{n} spectateur",
        "other": "{n} spectateurs",
        "many": "{n} spectateurs",
    }
    assert i18n.js_catalog("es")["{n} watching"] == {
        "other": "{n} espectadores",
        "one": "{n} espectador",
        "many": "{n} espectadores",
    }
    assert "{n} watching" not in i18n.js_catalog("en")


def test_a_producers_share_is_a_percentage_in_the_pages_language() -> None:
    assert format_share(5000, "en") == "50.0%"
    assert format_share(3325, "en") == "33.2%"  # ties to even, as static/i18n.js formatShare
    assert format_share(5000, "fr").replace(NB, " ").replace(NNB, " ") == "50,0 %"
