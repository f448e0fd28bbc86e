"""The pages' languages: negotiation (the `lb_lang` choice, then Accept-Language, then English),
the language picker (POST /lang), the catalogs' completeness and the JS catalog."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from babel.messages.pofile import read_po

from livebazaar.web import i18n
from livebazaar.web.js_messages import JS_MESSAGES, JS_PLURALS
from tests.factories import make_shop
from tests.live.stage import make_stage
from tests.support import Api, sign_in_page

LOCALE_DIR = Path(i18n.__file__).resolve().parent.parent / "locale"


def _html_lang(page: httpx.Response) -> str:
    match = re.search(r'<html lang="([^"]+)">', page.text)
    assert match is not None
    return match.group(1)


def _js_catalog(page: httpx.Response) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="i18n">(.*?)</script>', page.text)
    assert match is not None, "every page embeds its JS catalog"
    catalog: dict[str, Any] = json.loads(match.group(1))
    return catalog


async def test_a_chinese_browser_gets_the_home_page_in_simplified_chinese(
    client: httpx.AsyncClient,
) -> None:
    # When a browser that prefers Chinese (China) opens the home page
    page = await client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    # Then it reads in Simplified Chinese, says so, and the response says which language it is
    assert _html_lang(page) == "zh-Hans"
    assert "正在直播" in page.text  # "Live now"
    assert "Live now" not in page.text
    assert page.headers["content-language"] == "zh-Hans"
    assert "Accept-Language" in page.headers["vary"]


@pytest.mark.parametrize(
    ("header", "lang", "text"),
    [
        ("fr-CA", "fr", "En direct maintenant"),
        ("es-MX,en;q=0.5", "es", "En directo ahora"),
        ("de", "en", "Live now"),
        ("de-DE,fr;q=0.3,es;q=0.6", "es", "En directo ahora"),  # q-values, not header order
        ("zh-TW,fr;q=0.5", "fr", "En direct maintenant"),  # no Simplified for Traditional
        ("zh-Hans-SG", "zh-Hans", "正在直播"),
        ("fr;q=0, en", "en", "Live now"),  # q=0 refuses
    ],
)
async def test_accept_language_picks_the_best_supported_language(
    client: httpx.AsyncClient, header: str, lang: str, text: str
) -> None:
    page = await client.get("/", headers={"Accept-Language": header})
    assert page.status_code == 200
    assert _html_lang(page) == lang
    assert text in page.text


@pytest.mark.parametrize(
    "header",
    [";;;,,,q=", "fr;q=abc", "*", "x" * 5000, "zh;q=NaN,es;q=inf", "\u00e9t\u00e9", "-,--;q=-1"],
)
async def test_a_garbage_accept_language_falls_back_to_english(
    client: httpx.AsyncClient, header: str
) -> None:
    page = await client.get("/", headers=[(b"accept-language", header.encode("utf-8"))])
    assert page.status_code == 200
    assert _html_lang(page) == "en"


async def test_the_chosen_language_beats_the_browsers(client: httpx.AsyncClient) -> None:
    # Given a viewer who chose Spanish, in a French browser
    client.cookies.set(i18n.COOKIE, "es")
    # When they open the sign-in page
    page = await client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    # Then it is in Spanish
    assert _html_lang(page) == "es"
    assert "Iniciar sesión" in page.text


async def test_the_picker_sets_the_cookie_and_comes_back(client: httpx.AsyncClient) -> None:
    # When a viewer picks Chinese on a search results page
    r = await client.post("/lang", data={"lang": "zh-Hans", "next": "/?q=tea"})
    # Then the choice is remembered and they are back where they were
    assert r.status_code == 303
    assert r.headers["location"] == "/?q=tea"
    assert r.cookies.get(i18n.COOKIE) == "zh-Hans"
    page = await client.get("/?q=tea", headers={"Accept-Language": "fr"})
    assert _html_lang(page) == "zh-Hans"
    # And the picker on that page offers every language, Chinese selected
    assert '<option value="zh-Hans" lang="zh-Hans" selected>简体中文</option>' in page.text


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x", ""]
)
async def test_the_picker_never_redirects_off_site(client: httpx.AsyncClient, target: str) -> None:
    r = await client.post("/lang", data={"lang": "fr", "next": target})
    assert r.status_code == 303
    assert r.headers["location"] == "/"


async def test_an_unknown_language_choice_is_forgotten(client: httpx.AsyncClient) -> None:
    client.cookies.set(i18n.COOKIE, "fr")
    r = await client.post("/lang", data={"lang": "klingon", "next": "/"})
    assert r.status_code == 303
    assert i18n.COOKIE in r.headers["set-cookie"]  # deleted
    assert "Max-Age=0" in r.headers["set-cookie"] or "expires=" in r.headers["set-cookie"]


@pytest.mark.parametrize("locale", ["zh_Hans", "es", "fr"])
def test_every_message_is_translated(locale: str) -> None:
    """Run `make messages` after changing page text, then translate what it adds."""
    with (LOCALE_DIR / "messages.pot").open("rb") as f:
        template = read_po(f)
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=locale)
    wanted = {m.id for m in template if m.id}
    assert wanted - {m.id for m in catalog if m.id} == set(), "run make messages"
    for message in catalog:
        if not message.id:
            continue
        raw = message.string
        strings: tuple[str, ...] = tuple(raw) if isinstance(raw, tuple | list) else (raw or "",)
        assert not message.fuzzy, f"{locale}: fuzzy {message.id!r}"
        assert all(s.strip() for s in strings), f"{locale}: untranslated {message.id!r}"
        assert len(strings) in (1, catalog.num_plurals)
    assert not list(catalog.check()), f"{locale}: placeholder mismatches"


def test_every_js_message_is_in_the_template() -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as f:
        template = read_po(f)
    assert set(JS_MESSAGES) <= {m.id for m in template}


async def test_the_viewer_page_gives_its_scripts_their_chinese_strings(
    client: httpx.AsyncClient, api: Api
) -> None:
    # Given a live show
    stage = await make_stage(api, live=True)
    # When a Chinese browser opens its page
    page = await client.get(f"/shows/{stage.show_id}", headers={"Accept-Language": "zh"})
    # Then the page and the JSON catalog its modules read are in Chinese
    assert "抢购并付款" in page.text  # "Claim and pay"
    catalog = _js_catalog(page)
    assert catalog["Waiting for the host's video…"] == "正在等待主播的视频…"
    assert catalog["Reserved {total}. Paying…"] == "已预留 {total}，正在付款…"  # noqa: RUF001
    assert catalog["{n} watching"] == {"other": "{n} 人在看"}  # a plural: per CLDR category
    assert set(catalog) <= set(JS_MESSAGES) | {singular for singular, _ in JS_PLURALS}


async def test_english_pages_carry_an_empty_js_catalog(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert _html_lang(page) == "en"
    assert _js_catalog(page) == {}


async def test_route_built_messages_are_translated(client: httpx.AsyncClient) -> None:
    page = await client.get("/shows/nope", headers={"Accept-Language": "fr"})
    assert page.status_code == 404
    assert "Ce live n’existe pas." in page.text  # noqa: RUF001
    bad = await sign_in_page(
        client, "nobody@example.org", "wrong password", headers={"Accept-Language": "es"}
    )
    assert bad.status_code == 401
    assert "El correo o la contraseña no son correctos." in bad.text


async def test_translations_keep_user_text_escaped(client: httpx.AsyncClient) -> None:
    page = await client.get(
        "/", params={"q": "<script>x</script>"}, headers={"Accept-Language": "fr"}
    )
    assert "<script>x</script>" not in page.text
    assert "« &lt;script&gt;x&lt;/script&gt; »" in page.text


@pytest.mark.parametrize(
    ("header", "written"),
    [
        ("en", "May 1, 2031, 4:30\u202fPM UTC"),
        ("fr", "1 mai 2031, 16:30 UTC"),
        ("es", "1 may 2031, 16:30 UTC"),
        ("zh-CN", "2031年5月1日 16:30 UTC"),
    ],
)
async def test_times_without_javascript_are_written_in_the_pages_language(
    client: httpx.AsyncClient, api: Api, header: str, written: str
) -> None:
    # Given a show on 1 May 2031 at 16:30 UTC
    owner = await api.account("Ana")
    shop_id = await make_shop(api.container, owner)
    at = datetime(2031, 5, 1, 16, 30, tzinfo=UTC)
    body = {"shop_id": shop_id, "title": "Harvest", "scheduled_at": at.isoformat()}
    r = await client.post("/api/v1/shows", json=body, headers=owner.headers)
    assert r.status_code == 201, r.text
    show_id = r.json()["id"]
    # When the home page and the show's page are read in a language
    for path in ("/", f"/shows/{show_id}"):
        page = await client.get(path, headers={"Accept-Language": header})
        # Then the time the scripts would rewrite reads in that language (in UTC, said so)
        assert written in page.text, path
        assert at.strftime("%a %d %b %Y") not in page.text
