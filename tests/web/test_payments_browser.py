"""Test mode shows on every page, and only then does the buy sheet offer test cards; with no
payment provider on, the sheet says paying is not possible and reserves nothing. In Debian's
Chromium (Playwright), at phone and desktop size; screenshots go to var/screenshots/."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from livebazaar.bootstrap import Container
from livebazaar.checkout import Order
from tests.live.stage import Stage, make_stage
from tests.support import Account, Api
from tests.web.browser import (
    DESKTOP,
    PHONE,
    WAIT_MS,
    chromium,
    require_chromium,
    served_app,
    shoot,
    sign_in,
)

require_chromium()


async def _room_with_a_drop(base: str, container: Container) -> tuple[Stage, Account]:
    """A live show with a drop of 10, and a buyer."""
    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        stage = await make_stage(api)
        pearl = stage.products[0]
        drop = {
            "product_id": pearl.id, "quantity": 10, "per_buyer_limit": 2, "duration_s": 3600,
            "price": {"amount_minor": 9950, "currency": pearl.currency},
        }  # fmt: skip
        r = await client.post(f"{stage.url}/drops", json=drop, headers=stage.owner.headers)
        assert r.status_code == 201, r.text
        return stage, await api.account("Buyer")


async def _orders(container: Container) -> int:
    async with container.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Order)) or 0)


async def test_test_mode_is_said_on_every_page_and_its_cards_pay(tmp_path: Any) -> None:

    async with served_app(tmp_path) as (base, container):
        stage, buyer = await _room_with_a_drop(base, container)
        room = f"/shows/{stage.show_id}"
        errors: list[str] = []
        async with chromium() as browser:
            # Given a deployment in test mode, a visitor sees it on the home page
            page = await browser.new_page(viewport=PHONE)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await page.goto(f"{base}/")
            banner = page.locator(".test-mode")
            assert "Test mode" in (await banner.text_content() or "")
            assert await banner.is_visible()
            await shoot(page, "test-mode-home-phone")
            await page.set_viewport_size(DESKTOP)
            await shoot(page, "test-mode-home-desktop")
            await page.set_viewport_size(PHONE)
            # ... and, signed in, in the room, where the buy sheet offers the test cards
            await sign_in(page, base, buyer, room)
            assert await page.locator(".test-mode").is_visible()
            hint = page.locator("#drop-card-hint")
            assert "4242 4242 4242 4242" in (await hint.text_content() or "")
            await page.locator("#drop-buy").scroll_into_view_if_needed()
            await shoot(page, "test-mode-room-phone")
            await page.set_viewport_size(DESKTOP)
            await shoot(page, "test-mode-room-desktop")
            # When they pay with the test card, the order is paid
            form = page.locator("#drop-buy")
            await form.locator("[name=ship_name]").fill("Aline Uwase")
            await form.locator("[name=ship_line1]").fill("KN 5 Rd")
            await form.locator("[name=ship_city]").fill("Kigali")
            await form.locator("[name=ship_country]").fill("RW")
            await page.click("#drop-buy button[type=submit]")
            await page.locator("#drop-buy .result", has_text="Paid").wait_for(timeout=WAIT_MS)
            # ... and in French the banner says it in French
            await page.select_option("#lang-choice", "fr")
            await page.click("form.lang:not(.ccy) button[type=submit]")
            await page.wait_for_url(f"{base}{room}")
            banner_fr = await page.locator(".test-mode").text_content() or ""
            assert "Mode test" in banner_fr
            assert "Test mode" not in banner_fr
            await page.set_viewport_size(PHONE)
            await shoot(page, "test-mode-room-fr-phone")
        assert errors == []


async def test_with_no_provider_the_sheet_says_so_and_reserves_nothing(tmp_path: Any) -> None:

    async with served_app(tmp_path, test_payments=False) as (base, container):
        stage, buyer = await _room_with_a_drop(base, container)
        room = f"/shows/{stage.show_id}"
        errors: list[str] = []
        async with chromium() as browser:
            page = await browser.new_page(viewport=PHONE)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await sign_in(page, base, buyer, room)
            # Given no provider: no test mode, no card nor address to fill, a notice
            assert await page.locator(".test-mode").count() == 0
            assert await page.locator("#drop-card").count() == 0
            assert await page.locator("#drop-buy [name=ship_name]").count() == 0
            notice = page.locator("#drop-buy [data-no-payments]")
            assert await notice.is_visible()
            # When the buyer taps "Claim and pay", twice
            await page.click("#drop-buy button[type=submit]")
            await page.click("#drop-buy button[type=submit]")
            # Then the sheet points at why (focus on the notice), and nothing was reserved
            await page.wait_for_function(
                "document.activeElement?.hasAttribute('data-no-payments')", timeout=WAIT_MS
            )
            assert "no payment provider" in (await notice.text_content() or "")
            assert await page.text_content("#drop-buy .result") == ""
            await page.locator("#drop-buy").scroll_into_view_if_needed()
            await shoot(page, "no-payments-room-phone")
            await page.set_viewport_size(DESKTOP)
            await shoot(page, "no-payments-room-desktop")
        assert await _orders(container) == 0
        assert errors == []
