"""Prices and pictures in the seller dashboard, in Debian's Chromium (Playwright), at phone
size: a refused price puts the focus on that price (it went to the title), a price with too
many digits (99,999,999,999.00 CNY) is refused with the most a price may be, and a picture
upload says what happened beside its form, success or failure. Screenshots go to
var/screenshots/seller-price-*.png. Skips without Chromium, fails without it in CI."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import FilePayload

from livebazaar.bootstrap import Container
from tests.catalog.test_picture_upload import _png
from tests.factories import make_product, make_shop
from tests.support import Api
from tests.web.browser import (
    PHONE,
    WAIT_MS,
    chromium,
    require_chromium,
    shoot,
    sign_in,
)

require_chromium()


async def _focused(page: Any, element_id: str) -> None:
    await page.wait_for_function(
        "id => document.activeElement?.id === id", arg=element_id, timeout=WAIT_MS
    )


async def test_refused_prices_focus_the_price_and_uploads_say_what_happened(
    served: tuple[str, Container],
) -> None:

    base, container = served
    # Given a pearl cooperative's shop with one necklace at 199.00 CNY
    async with httpx.AsyncClient(base_url=base) as client:
        owner = await Api(client, container).account("Chen")
        shop_id = await make_shop(container, owner)
        pearls = await make_product(container, shop_id)
    errors: list[str] = []
    async with chromium() as browser:
        page = await browser.new_page(viewport=PHONE)
        page.on("pageerror", lambda error: errors.append(str(error)))
        await sign_in(page, base, owner, f"/sell/shops/{shop_id}")
        item = f"#product-{pearls.id}"
        price = f"product-{pearls.id}-price-{pearls.variant_id}"

        # When the owner edits the necklace and types a price with too many digits
        await page.click(f"{item} .edit-link")
        await _focused(page, f"product-{pearls.id}-title")
        await page.fill(f"#{price}", "99,999,999,999.00")
        await page.click(f"{item} button[type=submit]")
        # Then it is refused with the most a price may be, the focus on the price
        error = page.locator(f"#product-{pearls.id}-error")
        await error.filter(has_text="at most 100,000,000.00 CNY").wait_for(timeout=WAIT_MS)
        await _focused(page, price)
        assert await page.get_attribute(f"#{price}", "aria-invalid") == "true"
        await shoot(page.locator(item), "seller-price-ceiling")
        # And a price that is no number is refused the same way
        await page.fill(f"#{price}", "12.345")
        await page.click(f"{item} button[type=submit]")
        await error.filter(has_text="decimals").wait_for(timeout=WAIT_MS)
        await _focused(page, price)
        await page.click(f"{item} a.cancel")
        await page.locator(f"{item} .edit-link").wait_for(timeout=WAIT_MS)

        # When a new product comes with a bad price, its price field takes the focus too
        await page.click("#add-product summary")
        await page.fill("#product-title", "Pearl studs")
        await page.fill("#product-price", "lots")
        await page.click("form[data-action=add-product] button[type=submit]")
        await _focused(page, "product-price")
        assert await page.input_value("#product-title") == "Pearl studs"

        # When a picture is uploaded, the sentence shows beside the product's upload form
        upload = f"form[data-product-id='{pearls.id}']"
        picture: FilePayload = {"name": "pearls.png", "mimeType": "image/png",
                                "buffer": _png(640, 480)}  # fmt: skip
        await page.set_input_files(f"#picture-{pearls.id}", files=[picture])
        await page.click(f"{upload} button[type=submit]")
        await (
            page.locator(f"{upload} .result")
            .filter(has_text="Picture added")
            .wait_for(timeout=WAIT_MS)
        )
        assert await page.evaluate("document.activeElement.closest('form')?.dataset.productId")\
            == pearls.id  # fmt: skip
        await shoot(page.locator(item), "seller-price-uploaded")
        # And a file that is no picture is refused there, in words
        junk: FilePayload = {"name": "notes.png", "mimeType": "image/png",
                             "buffer": b"not a picture at all"}  # fmt: skip
        await page.set_input_files(f"#picture-{pearls.id}", files=[junk])
        await page.click(f"{upload} button[type=submit]")
        await page.locator(f"{upload} .result.bad").wait_for(timeout=WAIT_MS)
        said = await page.text_content(f"{upload} .result")
        assert said
        assert "HTTP" not in said
        await shoot(page.locator(item), "seller-price-upload-refused")
    assert errors == []
