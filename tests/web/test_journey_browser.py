"""The journey of the seed stories, as people do it, in Debian's Chromium (Playwright).

A host signs in, schedules a show from the seller dashboard and goes live from its studio with
the browser's (fake) camera over WHIP; a viewer in another browser context opens the room,
sees the video play, chats, sees the host pin a product, its price come down and a drop start,
and buys with the test card, shipping to a new address; the host's live panel counts the
order. Screenshots of the room and the studio at phone and desktop sizes go to
var/screenshots/. Skips without Chromium, fails without it in CI.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from livebazaar.bootstrap import Container
from livebazaar.checkout import Order
from tests.factories import make_product, make_shop
from tests.support import Api
from tests.web.browser import (
    DESKTOP,
    PHONE,
    WAIT_MS,
    chromium,
    require_chromium,
    shoot,
    sign_in,
)

PASSWORD = "correct horse"  # Api.account's default

XSS = "<img src=x onerror=alert(1)>"

require_chromium()


async def test_a_host_goes_live_and_a_viewer_buys_from_the_drop(
    served: tuple[str, Container],
) -> None:

    base, container = served
    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        host = await api.account("Chen Jing")
        viewer = await api.account("Aline")
        shop_id = await make_shop(container, host)
        pearl = await make_product(container, shop_id, title="Akoya pearl earrings")

    errors: list[str] = []
    dialogs: list[str] = []
    async with chromium() as browser:
        host_ctx = await browser.new_context(viewport=PHONE, timezone_id="UTC")
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

        # The host signs in, schedules a show from the seller dashboard, opens its studio
        await sign_in(studio, base, host, f"/sell/shops/{shop_id}")
        await studio.fill("#show-title", "Live from the courtyard")
        soon = datetime.now(UTC) + timedelta(minutes=5)
        await studio.fill("#show-when", soon.strftime("%Y-%m-%dT%H:%M"))
        await studio.check(f"#new-lineup-{pearl.id}")
        await studio.click("form[data-action=schedule-show] button[type=submit]")
        studio_link = studio.locator("a[href^='/studio/shows/']").first
        await studio_link.wait_for(timeout=WAIT_MS)
        href = await studio_link.get_attribute("href")
        assert href is not None
        show_id = href.rsplit("/", 1)[-1]
        await studio_link.click()
        await studio.wait_for_url(f"{base}/studio/shows/{show_id}")

        # ... and goes live with the phone's camera
        await studio.click("#go-live")
        await studio.wait_for_selector("#publish-state[data-state=live]", timeout=WAIT_MS)
        await studio.set_viewport_size(PHONE)

        # A viewer opens the room and the video plays
        await sign_in(room, base, viewer, f"/shows/{show_id}")
        await room.wait_for_function(
            "() => window.livebazaarPlayer && window.livebazaarPlayer.video.currentTime > 1",
            timeout=WAIT_MS,
        )

        # The viewer chats; markup shows as text on both pages and runs nothing
        await room.fill("#chat-text", XSS)
        await room.press("#chat-text", "Enter")
        for page in (room, studio):
            line = page.locator("#chat-list li", has_text=XSS)
            await line.first.wait_for(timeout=WAIT_MS)
            assert await page.locator("#chat-list img").count() == 0
        # ... and over the video, where viewers read it while they watch
        await room.locator("#chat-overlay li", has_text=XSS).first.wait_for(timeout=WAIT_MS)
        assert await room.locator("#chat-overlay img").count() == 0

        # The host pins the product; the viewer's card follows (when the picture does)
        await studio.click(f'#lineup button.pin[data-product-id="{pearl.id}"]')
        await room.wait_for_function(
            "() => document.querySelector('#pinned-title')?.textContent.includes('Akoya')",
            timeout=WAIT_MS,
        )

        # The earrings' price comes down; the viewer's card and lineup show it at once
        async with httpx.AsyncClient(base_url=base) as client:
            r = await client.patch(
                f"/api/v1/variants/{pearl.variant_id}", json={"price_minor": 17500},
                headers=host.headers,
            )  # fmt: skip
        assert r.status_code == 200, r.text
        await room.wait_for_function(
            """() => ['#pinned-variants strong', '#lineup .price'].every(
              (q) => document.querySelector(q)?.textContent.includes('175.00'))""",
            timeout=WAIT_MS,
        )

        # The host starts a drop; the viewer sees it with its stock
        await studio.fill("#drop-quantity", "30")
        await studio.fill("#drop-price", "99.50")
        await studio.fill("#drop-limit", "2")
        await studio.click("#drop-form button[type=submit]")
        await room.wait_for_selector("#drop:not([hidden])", timeout=WAIT_MS)
        await room.wait_for_function(
            "() => document.querySelector('#drop-remaining').textContent.trim() === '30'",
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
            "() => document.querySelector('#drop-remaining').textContent.trim() === '29'",
            timeout=WAIT_MS,
        )

        # The host's live panel counts the order
        await studio.wait_for_function(
            "() => document.querySelector('#stat-orders').textContent.trim() === '1'",
            timeout=WAIT_MS,
        )
        revenue = await studio.text_content("#stat-revenue")
        assert revenue is not None
        assert "99.50" in revenue

        for name, page in (("room", room), ("studio", studio)):
            await shoot(page, f"journey-{name}-phone")
            await page.set_viewport_size(DESKTOP)
            await shoot(page, f"journey-{name}-desktop")
        await studio.click("#stop-live")
        await studio.wait_for_selector("#publish-state:not([data-state=live])")

    async with container.db.read() as session:
        [order] = list(await session.scalars(select(Order)))
    assert order.status == "paid"
    assert order.ship_to is not None
    assert order.ship_to["city"] == "Kigali"
    assert dialogs == []
    assert errors == []
