"""API refusals in the reader's language: the problem's `title` (and a `detail` that only
repeats it) translated as the pages are (the `lb_lang` cookie, then Accept-Language, then
English), `Content-Language` saying which, `code` unchanged; and every refusal's title
translated in every catalog, so a new error without its translations fails here."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from functools import cache
from pathlib import Path

import httpx
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

import livebazaar
from livebazaar.kernel.errors import DomainError
from livebazaar.web import i18n, problems
from tests.live.stage import make_stage
from tests.support import Api, assert_problem

LOCALES = ("fr", "es", "zh_Hans")
# Not an HTTP refusal: sent in the show WebSocket's error frames only, its text is the
# protocol's own syntax (JSON), which a translation must not change.
NEVER_SHOWN_TRANSLATED = {"livebazaar.web.channel.show_socket.BadFrame"}


async def test_a_french_reader_gets_a_french_title_with_the_same_code(
    client: httpx.AsyncClient,
) -> None:
    # When a French browser asks for a show that does not exist
    r = await client.get("/api/v1/shows/nope", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    # Then the refusal is in French, says so, and keeps its stable code
    body = assert_problem(r, 404, "show_not_found")
    assert body["title"] == "Ce live n’existe pas"  # noqa: RUF001
    assert body["detail"] == body["title"]  # no detail was given: it repeats the title
    assert r.headers["content-language"] == "fr"
    assert "Accept-Language" in r.headers["vary"]
    assert body["type"].endswith("/show_not_found")


async def test_the_chosen_language_beats_the_browsers(client: httpx.AsyncClient) -> None:
    # Given a reader who chose Spanish in a French browser
    client.cookies.set(i18n.COOKIE, "es")
    # When they call the API without signing in
    r = await client.post("/api/v1/shows", json={}, headers={"Accept-Language": "fr"})
    # Then the refusal is in Spanish
    body = assert_problem(r, 401, "not_authenticated")
    assert body["title"] == "Inicia sesión primero"
    assert r.headers["content-language"] == "es"


async def test_english_without_a_preference(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Accept-Language": "de-DE"}, {"Accept-Language": ";;q=x"}):
        r = await client.get("/api/v1/shows/nope", headers=headers)
        body = assert_problem(r, 404, "show_not_found")
        assert body["title"] == "No such show"
        assert r.headers["content-language"] == "en"


async def test_a_specific_detail_is_sent_as_given(client: httpx.AsyncClient, api: Api) -> None:
    # Given a shop owner who lists a product that is not the shop's in a new show
    stage = await make_stage(api, live=False)
    r = await client.post(
        "/api/v1/shows",
        json={"shop_id": stage.shop_id, "title": "Evening", "scheduled_at": "2031-05-01T18:00:00Z",
              "lineup": ["not-a-product"]},
        headers={**stage.owner.headers, "Accept-Language": "zh-CN"},
    )  # fmt: skip
    # Then the title is in Chinese, and the detail (English, with the id in it) is kept
    body = assert_problem(r, 422, "product_not_in_shop")
    assert body["title"] == "有商品不属于该店铺"
    assert body["detail"] == "Product 'not-a-product' is not in this shop"
    assert r.headers["content-language"] == "zh-Hans"


async def test_the_generic_refusals_are_translated_too(client: httpx.AsyncClient) -> None:
    french = {"Accept-Language": "fr"}
    # A body that fails validation
    r = await client.post("/api/v1/auth/token", json={"email": 3}, headers=french)
    body = assert_problem(r, 422, "validation_failed")
    assert body["title"] == "La requête n’est pas valide"  # noqa: RUF001
    assert body["detail"] == "Voir `errors` pour chaque champ refusé."
    assert body["errors"]
    # A path no route serves, and a method a route does not take (Starlette's HTTPException)
    r = await client.get("/api/v1/nowhere", headers=french)
    assert assert_problem(r, 404, "not_found")["title"] == "Introuvable"
    r = await client.delete("/api/v1/shows", headers=french)
    assert assert_problem(r, 405, "method_not_allowed")["title"] == (
        "Cette méthode n’est pas autorisée ici"  # noqa: RUF001
    )
    assert r.headers["content-language"] == "fr"
    assert r.headers["allow"]  # RFC 9110: a 405 says what the resource allows


def _import_every_feature() -> None:
    """Every module that may define a refusal: the app (all routes and features) and each
    package's errors module."""
    importlib.import_module("livebazaar.web.app")
    for package in pkgutil.iter_modules(livebazaar.__path__, "livebazaar."):
        if package.ispkg and importlib.util.find_spec(f"{package.name}.errors") is not None:
            importlib.import_module(f"{package.name}.errors")


def _refusals() -> list[type[DomainError]]:
    _import_every_feature()
    found: list[type[DomainError]] = []
    stack: list[type[DomainError]] = [DomainError]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return [c for c in found if c.__module__.startswith("livebazaar.")]


@cache
def _catalog(locale: str) -> Catalog:
    path = Path(i18n.LOCALE_DIR) / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _untranslated(locale: str, msgids: set[str]) -> set[str]:
    catalog = _catalog(locale)
    missing = set()
    for msgid in msgids:
        message = catalog.get(msgid)
        if message is None or message.fuzzy or not str(message.string or "").strip():
            missing.add(msgid)
    return missing


def test_the_walk_finds_the_refusals() -> None:
    names = {f"{c.__module__}.{c.__qualname__}" for c in _refusals()}
    assert len(names) > 70
    assert {"livebazaar.live.errors.ShowNotFound", "livebazaar.kernel.errors.NotFound",
            "livebazaar.kernel.idempotency.IdempotencyKeyReused"} <= names  # fmt: skip


@pytest.mark.parametrize("locale", LOCALES)
def test_every_refusals_title_is_translated(locale: str) -> None:
    """Mark a new error's title with N_, run `make messages`, then translate it."""
    titles = {
        c.title
        for c in _refusals()
        if f"{c.__module__}.{c.__qualname__}" not in NEVER_SHOWN_TRANSLATED
    }
    generic = {*problems.HTTP_TITLES.values(), problems.VALIDATION_TITLE,
               problems.VALIDATION_DETAIL, problems.INTERNAL_TITLE}  # fmt: skip
    assert _untranslated(locale, titles | generic) == set()


def test_an_untranslated_title_would_be_caught() -> None:
    assert _untranslated("fr", {"A refusal nobody translated"}) == {"A refusal nobody translated"}
