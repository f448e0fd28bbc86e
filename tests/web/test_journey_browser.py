"""The journey of the seed stories, as people do it, in Debian's Chromium (Playwright).

A host signs in and goes live from the studio with the browser's (fake) camera over WHIP; a
viewer in another browser context opens the room, sees the video play, chats, sees the host
pin a product and start a drop, and buys with the test card, shipping to a new address; the
host's live panel counts the order. Screenshots of the room and the studio at phone and
desktop sizes go to var/screenshots/. The show is scheduled through the API (the seller
dashboard's scheduling form comes later). Skips without Chromium, fails without it in CI.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import ViewportSize
from sqlalchemy import select

from livebazaar.bootstrap import Container, all_metadata, build_container
from livebazaar.checkout import Order
from livebazaar.web.app import create_app
from tests.conftest import free_port, make_settings, serving
from tests.factories import make_product, make_shop
from tests.support import Account, Api

PASSWORD = "correct horse"  # Api.account's default

CHROMIUM = os.environ.get("LIVEBAZAAR_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WAIT_MS = 60_000  # a safety net against hanging, never an assertion about speed
PHONE: ViewportSize = {"width": 390, "height": 844}
XSS = "<img src=x onerror=alert(1)>"

if not Path(CHROMIUM).exists() or shutil.which("node") is None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI needs Chromium at {CHROMIUM} (.ci/run installs it)", pytrace=False)
    pytest.skip(f"browser tests need Chromium at {CHROMIUM}", allow_module_level=True)


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, Container]]:
    port = free_port()
    settings = make_settings(
        tmp_path, public_url=f"http://127.0.0.1:{port}", media_ladder=(), sweeper_interval_s=1.0
    )
    container = build_container(settings)  # the real clock: drops count down for real
    async with container.db.engine.begin() as conn:
        await conn.run_sync(all_metadata().create_all)
    app = create_app(container, background=False)
    try:
        async with serving(app, port) as url:
            yield url, container
    finally:
        await container.close()


async def _sign_in(page: Any, base: str, account: Account, next_path: str) -> None:
    await page.goto(f"{base}/login?next={next_path}")
    await page.fill("#email", account.email)
    await page.fill("#password", PASSWORD)
    await page.click("form.form button[type=submit]")
    await page.wait_for_url(f"{base}{next_path}")


async def test_a_host_goes_live_and_a_viewer_buys_from_the_drop(
    served: tuple[str, Container],
) -> None:
    from playwright.async_api import async_playwright

    base, container = served
    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        host = await api.account("Chen Jing")
        viewer = await api.account("Aline")
        shop_id = await make_shop(container, host)
        pearl = await make_product(container, shop_id, title="Akoya pearl earrings")
        r = await client.post(
            "/api/v1/shows",
            json={
                "shop_id": shop_id,
                "title": "Live from the courtyard",
                "scheduled_at": (datetime.now(UTC) + timedelta(minutes=5)).isoformat(),
                "lineup": [pearl.id],
            },
            headers=host.headers,
        )
        assert r.status_code == 201, r.text
        show_id = r.json()["id"]

    errors: list[str] = []
    dialogs: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            host_ctx = await browser.new_context(viewport=PHONE)
            viewer_ctx = await browser.new_context(viewport=PHONE)
            studio = await host_ctx.new_page()
            room = await viewer_ctx.new_page()

            def page_error(error: Any) -> None:
                errors.append(str(error))

            async def dialog(opened: Any) -> None:  # an alert() would mean script ran
                dialogs.append(opened.message)
                await opened.dismiss()

            for page in (studio, room):
                page.on("pageerror", page_error)
                page.on("dialog", dialog)

            # The host signs in and goes live from the studio with the camera
            await _sign_in(studio, base, host, f"/studio/shows/{show_id}")
            await studio.click("#go-live")
            await studio.wait_for_selector("#publish-state[data-state=live]", timeout=WAIT_MS)

            # A viewer opens the room and the video plays
            await _sign_in(room, base, viewer, f"/shows/{show_id}")
            await room.wait_for_function(
                "window.livebazaarPlayer && window.livebazaarPlayer.video.currentTime > 1",
                timeout=WAIT_MS,
            )

            # The viewer chats; markup shows as text on both pages and runs nothing
            await room.fill("#chat-text", XSS)
            await room.press("#chat-text", "Enter")
            for page in (room, studio):
                line = page.locator("#chat-list li", has_text=XSS)
                await line.first.wait_for(timeout=WAIT_MS)
                assert await page.locator("#chat-list img").count() == 0

            # The host pins the product; the viewer's card follows (when the picture does)
            await studio.click(f'#lineup button.pin[data-product-id="{pearl.id}"]')
            await room.wait_for_function(
                "document.querySelector('#pinned-title')?.textContent.includes('Akoya')",
                timeout=WAIT_MS,
            )

            # The host starts a drop; the viewer sees it with its stock
            await studio.fill("#drop-quantity", "30")
            await studio.fill("#drop-price", "99.50")
            await studio.fill("#drop-limit", "2")
            await studio.click("#drop-form button[type=submit]")
            await room.wait_for_selector("#drop:not([hidden])", timeout=WAIT_MS)
            await room.wait_for_function(
                "document.querySelector('#drop-remaining').textContent.trim() === '30'",
                timeout=WAIT_MS,
            )

            # The viewer buys with the test card, shipping to a new address
            form = room.locator("#drop-buy")
            await form.locator("[name=ship_name]").fill("Aline Uwase")
            await form.locator("[name=ship_line1]").fill("KN 5 Rd")
            await form.locator("[name=ship_city]").fill("Kigali")
            await form.locator("[name=ship_country]").fill("RW")
            await form.locator("button[type=submit]").click()
            await form.locator(".result", has_text="Paid").wait_for(timeout=WAIT_MS)
            await room.wait_for_function(
                "document.querySelector('#drop-remaining').textContent.trim() === '29'",
                timeout=WAIT_MS,
            )

            # The host's live panel counts the order
            await studio.wait_for_function(
                "document.querySelector('#stat-orders').textContent.trim() === '1'",
                timeout=WAIT_MS,
            )
            revenue = await studio.text_content("#stat-revenue")
            assert revenue is not None
            assert "99.50" in revenue

            SHOTS.mkdir(parents=True, exist_ok=True)
            for name, page in (("room", room), ("studio", studio)):
                await page.screenshot(path=str(SHOTS / f"journey-{name}-phone.png"))
                await page.set_viewport_size({"width": 1280, "height": 800})
                await page.screenshot(path=str(SHOTS / f"journey-{name}-desktop.png"))
            await studio.click("#stop-live")
            await studio.wait_for_selector("#publish-state:not([data-state=live])")
        finally:
            await browser.close()

    async with container.db.read() as session:
        [order] = list(await session.scalars(select(Order)))
    assert order.status == "paid"
    assert order.ship_to is not None
    assert order.ship_to["city"] == "Kigali"
    assert dialogs == []
    assert errors == []
