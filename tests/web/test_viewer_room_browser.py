"""The viewer's room as buyers use it, in Debian's Chromium (Playwright): the chat follows the
newest message unless the viewer scrolled up to read (then a "New messages" button waits), a
very long message over the video stays off the LIVE badge and the video's controls, the chat
sits beside the video on a desktop, and counts and prices follow the language. Screenshots go
to var/screenshots/viewer-room-*.png. Skips without Chromium, fails without it in CI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from livebazaar.bootstrap import Container
from tests.live.stage import Stage, make_stage
from tests.support import Account, Api
from tests.web.browser import (
    DESKTOP,
    PHONE,
    SHOTS,
    WAIT_MS,
    chromium,
    require_chromium,
    served_app,
    shoot,
    sign_in,
)

require_chromium()

LONG = 2000  # characters in the long message (chat_max_length below lets it through)


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[tuple[str, Container, Api, Stage, Account]]:
    """A live show whose chat already holds 50 messages, and a signed-up viewer."""
    settings: dict[str, Any] = {
        "chat_max_length": LONG,
        "chat_rate_per_10s": 1000,
        "viewer_count_interval_s": 0.2,
    }
    async with (
        served_app(tmp_path, background=True, **settings) as (base, container),
        httpx.AsyncClient(base_url=base) as client,
    ):
        api = Api(client, container)
        stage = await make_stage(api)
        viewer = await api.account("Aline")
        for i in range(50):
            await _say(api, stage, stage.owner, f"Earlier message {i + 1}")
        yield base, container, api, stage, viewer


async def _say(api: Api, stage: Stage, who: Account, text: str) -> None:
    r = await api.client.post(f"{stage.url}/chat", json={"text": text}, headers=who.headers)
    assert r.status_code == 201, r.text


class _Browser:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page: Any) -> Any:
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page


_SCROLL = "() => { const l = document.getElementById('chat-list'); return [l.scrollTop, l.scrollHeight - l.clientHeight]; }"  # noqa: E501


async def _scroll(page: Any) -> tuple[float, float]:
    top, end = await page.evaluate(_SCROLL)
    return float(top), float(end)


async def test_the_chat_follows_the_newest_unless_the_viewer_scrolled_up(
    room: tuple[str, Container, Api, Stage, Account],
) -> None:

    base, _container, api, stage, viewer = room
    seen = _Browser()
    async with chromium() as browser:
        page = seen.watch(await (await browser.new_context(viewport=PHONE)).new_page())
        # When a viewer opens the room of a show with 50 messages
        await sign_in(page, base, viewer, f"/shows/{stage.show_id}")
        newest = page.locator("#chat-list li", has_text="Earlier message 50")
        await newest.wait_for(timeout=WAIT_MS)
        # Then the chat opens on the newest
        await page.wait_for_function(
            "(() => { const l = document.getElementById('chat-list');"
            " return l.scrollHeight - l.clientHeight - l.scrollTop < 2; })()",
            timeout=WAIT_MS,
        )
        # When they send a message, it shows, in view, at the bottom
        await page.fill("#chat-text", "Is the 8 mm strand still there?")
        await page.press("#chat-text", "Enter")
        mine = page.locator("#chat-list li", has_text="Is the 8 mm strand")
        await mine.wait_for(timeout=WAIT_MS)
        await page.wait_for_function(
            "(() => { const l = document.getElementById('chat-list');"
            " return l.scrollHeight - l.clientHeight - l.scrollTop < 2; })()",
            timeout=WAIT_MS,
        )
        assert await page.locator("#chat-new").is_hidden()
        # When they scroll up to read, and others write meanwhile
        await page.locator("#chat-list").evaluate("(l) => { l.scrollTop = 0; }")
        await page.wait_for_timeout(100)  # the scroll event, not a speed assertion
        await _say(api, stage, stage.owner, "A new strand is on the tray")
        await page.locator("#chat-list li", has_text="A new strand").wait_for(timeout=WAIT_MS)
        # Then the list stays where they read, and "New messages" offers the newest
        top, end = await _scroll(page)
        assert top < 2, (top, end)
        assert end > 100, (top, end)
        jump = page.locator("#chat-new")
        await jump.wait_for(state="visible", timeout=WAIT_MS)
        SHOTS.mkdir(parents=True, exist_ok=True)
        await shoot(page.locator(".chat"), "viewer-room-new-messages")
        # When they tap it (twice, as people do), they are at the newest and follow again
        await jump.click()
        await jump.wait_for(state="hidden", timeout=WAIT_MS)
        top, end = await _scroll(page)
        assert end - top < 2, (top, end)
        await _say(api, stage, stage.owner, "Last call for the strand")
        await page.locator("#chat-list li", has_text="Last call").wait_for(timeout=WAIT_MS)
        await page.wait_for_function(
            "(() => { const l = document.getElementById('chat-list');"
            " return l.scrollHeight - l.clientHeight - l.scrollTop < 2; })()",
            timeout=WAIT_MS,
        )
        assert await jump.is_hidden()
    assert seen.errors == []


async def _box(where: Any, selector: str | None = None) -> dict[str, float]:
    box = await (where.locator(selector) if selector else where).bounding_box()
    assert box is not None, selector
    return dict(box)


def _overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


async def test_a_very_long_message_stays_off_the_badge_and_the_controls(
    room: tuple[str, Container, Api, Stage, Account],
) -> None:

    base, _container, api, stage, viewer = room
    seen = _Browser()
    async with chromium() as browser:
        for size, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
            ctx = await browser.new_context(viewport=size)
            page = seen.watch(await ctx.new_page())
            await page.goto(f"{base}/shows/{stage.show_id}")
            await page.locator("#chat-overlay li").first.wait_for(timeout=WAIT_MS)
            # When someone pastes a 2,000-character message
            if name == "phone":
                await _say(api, stage, viewer, "Pearls " * (LONG // 7))
            line = page.locator("#chat-overlay li", has_text="Pearls Pearls")
            await line.wait_for(timeout=WAIT_MS)
            # Then the chat over the video keeps off the LIVE badge, the viewer count and
            # the bottom of the picture, where the video's controls are
            overlay, badge, count, video = [
                await _box(page, q)
                for q in ("#chat-overlay", "#status-badge", ".video .viewers", ".video")
            ]
            assert not _overlaps(overlay, badge), (overlay, badge)
            assert not _overlaps(overlay, count), (overlay, count)
            assert overlay["y"] + overlay["height"] <= video["y"] + video["height"] - 48
            assert await page.locator("#status-badge").is_visible()
            # ... and the long line takes at most a few lines of text
            height = (await _box(line))["height"]
            assert height < 4 * 20, height
            SHOTS.mkdir(parents=True, exist_ok=True)
            await shoot(page.locator(".stage"), f"viewer-room-long-message-{name}")
            await ctx.close()
    assert seen.errors == []


async def test_on_a_desktop_the_chat_is_beside_the_video_in_the_first_screen(
    room: tuple[str, Container, Api, Stage, Account],
) -> None:

    base, _container, _api, stage, viewer = room
    seen = _Browser()
    async with chromium() as browser:
        page = seen.watch(await (await browser.new_context(viewport=DESKTOP)).new_page())
        await sign_in(page, base, viewer, f"/shows/{stage.show_id}")
        await page.locator("#chat-list li").first.wait_for(timeout=WAIT_MS)
        video, chat, field = [await _box(page, q) for q in (".video", "#chat-list", "#chat-text")]
        # Then the chat is right of the video, and its list and field are in the first
        # screen, without scrolling the page
        assert chat["x"] >= video["x"] + video["width"], (chat, video)
        assert chat["y"] < DESKTOP["height"], chat
        assert chat["height"] > 150, chat
        assert field["y"] + field["height"] <= DESKTOP["height"], field
        assert await page.evaluate("window.scrollY") == 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        await shoot(page, "viewer-room-desktop")
    assert seen.errors == []


async def test_counts_and_prices_follow_the_language(
    room: tuple[str, Container, Api, Stage, Account],
) -> None:

    base, _container, _api, stage, _viewer = room
    seen = _Browser()
    async with chromium() as browser:
        first = await browser.new_context(viewport=PHONE)
        await first.add_cookies([{"name": "lb_lang", "value": "fr", "url": base}])
        page = seen.watch(await first.new_page())
        # When one viewer watches a French room
        await page.goto(f"{base}/shows/{stage.show_id}")
        viewers = page.locator(".video .viewers")
        await page.wait_for_function(
            "() => document.querySelector('.video .viewers').textContent.trim() === '1 spectateur'",
            timeout=WAIT_MS,
        )
        # Then prices are French too, from the page and from the script alike
        lineup = page.locator("#lineup .price").first
        assert (await lineup.text_content() or "").startswith("199,00\u00a0CNY")
        await page.reload()
        await page.locator("#pinned-variants strong").first.wait_for(timeout=WAIT_MS)
        strong = await page.locator("#pinned-variants strong").first.text_content()
        assert (strong or "").startswith("199,00\u00a0CNY"), strong
        # When a second viewer comes, the count says so, in the plural
        second = await browser.new_context(viewport=PHONE)
        other = seen.watch(await second.new_page())
        await other.goto(f"{base}/shows/{stage.show_id}")
        await page.wait_for_function(
            "() => document.querySelector('.video .viewers')"
            ".textContent.trim() === '2 spectateurs'",
            timeout=WAIT_MS,
        )
        assert (await viewers.text_content() or "").strip() == "2 spectateurs"
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=SHOTS / "viewer-room-fr.png", full_page=True)
        await second.close()
        # And a Chinese room says its count and prices its way
        zh = await browser.new_context(viewport=PHONE)
        await zh.add_cookies([{"name": "lb_lang", "value": "zh-Hans", "url": base}])
        page = seen.watch(await zh.new_page())
        await page.goto(f"{base}/shows/{stage.show_id}")
        await page.locator("#lineup .price").first.wait_for(timeout=WAIT_MS)
        assert "199.00" in (await page.locator("#lineup .price").first.text_content() or "")
        await page.screenshot(path=SHOTS / "viewer-room-zh.png", full_page=True)
    assert seen.errors == []
