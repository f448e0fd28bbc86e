"""The pages' languages: English, Simplified Chinese, Spanish and French, through gettext.

The catalogs are the text .po files under `livebazaar/locale/<locale>/LC_MESSAGES/` (the .pot
beside them is what `pybabel extract -F babel.cfg` finds). Nothing is compiled ahead: the first
page in a locale reads its .po and compiles it in memory (`read_po` -> `write_mo` -> Translations),
cached per locale for the process; fuzzy and empty entries fall back to English.

Which locale a request gets: the `lb_lang` cookie (the language picker in base.html posts to
POST /lang, which sets it) wins, else the browser's Accept-Language (q-values honoured; a
Traditional Chinese preference such as zh-TW or zh-Hant is not served Simplified Chinese), else
English. The Jinja environment is shared by concurrent requests, so its gettext callables are
installed once and read the request's translations from a context variable that `activated`
sets around a render (Starlette renders a TemplateResponse synchronously, in its constructor).

Times: a template writes `{{ moment | utc_time }}` inside a `<time datetime=…>`: the no-JS
reading, in UTC and in the page's language through Babel's CLDR data ("1 mai 2031, 18:30 UTC";
`utc_time("time")` for the time alone). The ES modules then rewrite `time[data-local]` in the
viewer's zone and the same language (static/i18n.js, `formatTime`).

The ES modules get their strings from a JSON catalog the page embeds (`js_catalog`, read by
static/i18n.js); their msgids are listed in web/js_messages.py so extraction finds them.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Annotated, Any

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse
from jinja2 import Environment

from livebazaar.kernel.money import CURRENCY_EXPONENTS
from livebazaar.web import numbers
from livebazaar.web.deps import ContainerDep
from livebazaar.web.js_messages import JS_MESSAGES, JS_PLURALS

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT = "en"
# locale (the catalog's directory) -> BCP 47 tag (<html lang>, Content-Language, the cookie)
TAGS = {"en": "en", "zh_Hans": "zh-Hans", "es": "es", "fr": "fr"}
# What the picker offers: each language in its own words (never translated).
LANGUAGES = (("en", "English"), ("zh-Hans", "简体中文"), ("es", "Español"), ("fr", "Français"))
COOKIE = "lb_lang"
CURRENCY_COOKIE = "lb_ccy"  # the viewer's currency (web/pages/viewer_currency.py sets it)
COOKIE_MAX_AGE_S = 365 * 24 * 3600
_BY_TAG = {tag.lower(): locale for locale, tag in TAGS.items()}
_TRADITIONAL_ZH = ("hant", "tw", "hk", "mo")
_MAX_RANGES = 32  # of an Accept-Language header: the rest is ignored

_ENGLISH = gettext_module.NullTranslations()
_active: ContextVar[gettext_module.NullTranslations | None] = ContextVar(
    "livebazaar_translations", default=None
)
_active_locale: ContextVar[str] = ContextVar("livebazaar_locale", default=DEFAULT)


@cache
def translations(locale: str) -> gettext_module.NullTranslations:
    """The locale's catalog, compiled in memory from its .po once per process."""
    if locale == DEFAULT:
        return _ENGLISH
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=locale)
    mo = BytesIO()
    write_mo(mo, catalog)  # without the fuzzy entries
    mo.seek(0)
    return Translations(mo)


def locale_of_tag(tag: str) -> str | None:
    """A supported locale for a language tag (`zh-CN` -> zh_Hans, `fr-CA` -> fr), else None."""
    parts = tag.strip().lower().replace("_", "-").split("-")
    if parts[0] == "zh":
        return None if any(p in _TRADITIONAL_ZH for p in parts[1:]) else "zh_Hans"
    return _BY_TAG.get(parts[0])


def from_accept_language(header: str) -> str | None:
    """The supported locale the browser prefers most (q-values; q=0 refuses), else None."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:_MAX_RANGES]):
        tag, _, params = item.partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        locale = locale_of_tag(tag) if 0.0 < quality <= 1.0 else None
        if locale is not None:
            ranked.append((-quality, position, locale))
    return min(ranked)[2] if ranked else None


def negotiate(request: Request) -> str:
    """The request's locale: the viewer's choice, else the browser's, else English."""
    chosen = locale_of_tag(request.cookies.get(COOKIE, "")[:35])
    if chosen is not None:
        return chosen
    return from_accept_language(request.headers.get("accept-language", "")[:1000]) or DEFAULT


def cookie_currency(request: Request) -> str | None:
    """The currency the viewer chose (the `lb_ccy` cookie), if it is an ISO 4217 code."""
    code = request.cookies.get(CURRENCY_COOKIE, "").strip().upper()[:3]
    return code if code in CURRENCY_EXPONENTS else None


def translator(request: Request) -> Callable[[str], str]:
    """A gettext for strings a route builds itself (`_ = translator(request)`)."""
    return translations(negotiate(request)).gettext


def _gettext(message: str) -> str:
    return (_active.get() or _ENGLISH).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return (_active.get() or _ENGLISH).ngettext(singular, plural, n)


def utc_time(moment: datetime | None, part: str = "datetime") -> str:
    """`moment` in UTC, written in the language being rendered: the date (CLDR's medium
    form, without the seconds its medium time would add) and the time, then "UTC"; with
    `part="time"`, the time alone. A naive datetime is taken as UTC."""
    if moment is None:
        return ""
    at = moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    locale = _active_locale.get()
    time = format_time(at, "short", tzinfo=UTC, locale=locale)
    if part == "time":
        return f"{time} UTC"
    date = format_date(at, "medium", locale=locale)
    pattern = str(get_datetime_format("medium", locale=locale))
    return pattern.replace("{1}", date).replace("{0}", time) + " UTC"


def install(env: Environment) -> None:
    """Once per environment: `_`, `gettext`, `ngettext` and the `utc_time` filter follow the
    request being rendered; so do the prices, counts and plurals of web/numbers.py."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True  # babel.cfg says the same to the extractor
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["utc_time"] = utc_time
    numbers.install(env, _active_locale.get, _ngettext)


@contextmanager
def activated(locale: str) -> Iterator[None]:
    token = _active.set(translations(locale))
    locale_token = _active_locale.set(locale)
    try:
        yield
    finally:
        _active_locale.reset(locale_token)
        _active.reset(token)


# Integers to find each CLDR plural category with (French "many" is 1,000,000).
_PLURAL_SAMPLES = (0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 20, 21, 22, 100, 101, 1000000)


@cache
def js_catalog(locale: str) -> dict[str, str | dict[str, str]]:
    """msgid -> translation of the strings the ES modules show (static/i18n.js reads it); a
    plural's singular msgid -> its translation per CLDR plural category ("one", "many",
    "other"), which the page picks with Intl.PluralRules (`tn`)."""
    if locale == DEFAULT:
        return {}
    found = translations(locale)
    catalog: dict[str, str | dict[str, str]] = {
        m: found.gettext(m) for m in JS_MESSAGES if found.gettext(m) != m
    }
    rule = Locale.parse(locale).plural_form
    for singular, plural in JS_PLURALS:
        forms: dict[str, str] = {}
        for n in _PLURAL_SAMPLES:
            forms.setdefault(rule(n), found.ngettext(singular, plural, n))
        if any(text not in (singular, plural) for text in forms.values()):
            catalog[singular] = forms
    return catalog


def page_context(locale: str) -> dict[str, Any]:
    """What base.html needs for the language: <html lang>, the picker, the JS catalog."""
    return {"lang": TAGS[locale], "languages": LANGUAGES, "js_catalog": js_catalog(locale)}


router = APIRouter(include_in_schema=False)


@router.post("/lang")
async def choose_language(
    c: ContainerDep,
    lang: Annotated[str, Form(max_length=35)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> RedirectResponse:
    """The picker: remember the choice in `lb_lang` (a year), then back to the same page."""
    locale = locale_of_tag(lang)
    return remember_choice(c, COOKIE, TAGS[locale] if locale else None, next)


def remember_choice(c: ContainerDep, cookie: str, value: str | None, next: str) -> RedirectResponse:
    """A page preference (language, currency) kept a year in `cookie`, or forgotten when
    `value` is None; then back to `next`, a same-site path only."""
    response = RedirectResponse(safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
    if value is None:
        response.delete_cookie(cookie, path="/")
    else:
        response.set_cookie(
            cookie, value, max_age=COOKIE_MAX_AGE_S, httponly=True, samesite="lax",
            secure=c.settings.secure_cookies, path="/",
        )  # fmt: skip
    return response


def safe_next(target: str) -> str:
    """Only a path on this site: never an open redirect (`//host`, `/\\host`, control chars)."""
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and target.isprintable()
        and "\\" not in target
    ):
        return target
    return "/"
