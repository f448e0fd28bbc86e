"""The seller dashboard in Debian's Chromium (Playwright), on a phone in Kigali: the owner adds
a product with a price in major units (after a refused one), uploads its picture from the
"camera", sets its stock and schedules a show in local time; each section updates in place
(htmx). Screenshots go to var/screenshots/seller-*.png. Skips without Chromium, fails without
it in CI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import FilePayload

from livebazaar.bootstrap import Container
from tests.catalog.test_picture_upload import _png
from tests.factories import make_product, make_shop
from tests.support import Api
from tests.web.browser import (
    ARGS,
    CHROMIUM,
    PHONE,
    SHOTS,
    WAIT_MS,
    require_chromium,
    served_app,
    sign_in,
)

require_chromium()


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, Container]]:
    async with served_app(tmp_path) as served:
        yield served


async def test_an_owner_runs_the_shop_from_a_phone(served: tuple[str, Container]) -> None:
    from playwright.async_api import async_playwright

    base, container = served
    async with httpx.AsyncClient(base_url=base) as client:
        owner = await Api(client, container).account("Uwimana")
        shop_id = await make_shop(container, owner, name="Maraba Coffee", country="RW")
        beans = await make_product(container, shop_id, title="Maraba washed beans")

    errors: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            ctx = await browser.new_context(viewport=PHONE, timezone_id="Africa/Kigali")
            page = await ctx.new_page()

            def page_error(error: Any) -> None:
                errors.append(str(error))

            page.on("pageerror", page_error)
            path = f"/sell/shops/{shop_id}"
            await sign_in(page, base, owner, path)
            SHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SHOTS / "seller-phone.png"), full_page=True)

            # A price with too many decimals comes back refused (a 422 htmx swaps), input kept
            await page.click("#add-product summary")
            await page.fill("#product-title", "Natural process beans")
            await page.fill("#product-price", "12.505")
            await page.fill("#product-stock", "40")
            await page.click("form[data-action=add-product] button[type=submit]")
            await page.wait_for_function(
                "document.getElementById('products-result').textContent.includes('decimals')",
                timeout=WAIT_MS,
            )
            assert await page.input_value("#product-title") == "Natural process beans"
            assert await page.locator(".product .title").count() == 1

            # A new product, priced "12.50" CNY: 1250 minor units
            await page.fill("#product-price", "12.50")
            await page.fill("#product-stock", "40")
            await page.click("form[data-action=add-product] button[type=submit]")
            await page.wait_for_function(
                "document.getElementById('products-result').textContent.includes('Natural')",
                timeout=WAIT_MS,
            )
            titles = await page.locator(".product .title").all_text_contents()
            assert "Natural process beans" in titles

            # A picture from the phone's camera for the first product
            picture: FilePayload = {
                "name": "beans.png",
                "mimeType": "image/png",
                "buffer": _png(640, 480),
            }
            await page.set_input_files(f"#picture-{beans.id}", files=[picture])
            await page.click(f"form[data-product-id='{beans.id}'] button[type=submit]")
            await page.wait_for_function(
                "document.getElementById('products-result').textContent.includes('Picture')",
                timeout=WAIT_MS,
            )
            assert await page.locator(f"#product-{beans.id} img.thumb").count() == 1

            # Its stock set to 7
            await page.fill(f"#stock-{beans.variant_id}", "7")
            await page.click(f"form[data-variant-id='{beans.variant_id}'] button[type=submit]")
            await page.wait_for_function(
                "document.getElementById('products-result').textContent.includes('7')",
                timeout=WAIT_MS,
            )

            # A show at 18:30 Kigali time (UTC+2), with the beans in its lineup
            await page.fill("#show-title", "Harvest morning")
            await page.fill("#show-when", "2031-05-01T18:30")
            await page.check(f"#new-lineup-{beans.id}")
            await page.click("form[data-action=schedule-show] button[type=submit]")
            await page.wait_for_selector(
                "form[data-action=set-lineup]", state="attached", timeout=WAIT_MS
            )
            assert "Harvest morning" in (await page.text_content("#shows-result") or "")
            await page.set_viewport_size({"width": 1280, "height": 900})
            await page.screenshot(path=str(SHOTS / "seller-desktop.png"), full_page=True)
        finally:
            await browser.close()

    assert errors == []
    async with httpx.AsyncClient(base_url=base) as client:
        products = (await client.get(f"/api/v1/shops/{shop_id}/products")).json()
        shows = (await client.get("/api/v1/shows?status=scheduled")).json()
    by_title = {p["title"]: p for p in products}
    assert by_title["Natural process beans"]["variants"][0]["price"]["amount_minor"] == 1250
    assert by_title["Maraba washed beans"]["variants"][0]["available"] == 7
    uploaded = [i["url"] for i in by_title["Maraba washed beans"]["images"]]
    assert len(uploaded) == 2  # the factory's picture, then the upload (a stored JPEG)
    assert uploaded[1].endswith(".jpg")
    [show] = [s for s in shows if s["title"] == "Harvest morning"]
    assert datetime.fromisoformat(show["scheduled_at"]) == datetime(2031, 5, 1, 16, 30, tzinfo=UTC)
