"""The seller dashboard in Debian's Chromium (Playwright), on a phone in Kigali: the owner adds
a product with a price in major units (after a refused one), uploads its picture from the
"camera", sets its stock and schedules a show in local time; each section updates in place
(htmx). Then edits what the shop has (a product's title, a producer's story, the shop's name)
in place, and uploads a camera-sized picture over the server's 8 MB limit, which the browser
shrinks first. Screenshots go to var/screenshots/seller-*.png. Skips without Chromium, fails
without it in CI."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

import av
import httpx
import numpy as np
from playwright.async_api import FilePayload

from livebazaar.bootstrap import Container
from livebazaar.catalog.pictures import MAX_UPLOAD_BYTES
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


async def test_an_owner_runs_the_shop_from_a_phone(served: tuple[str, Container]) -> None:

    base, container = served
    async with httpx.AsyncClient(base_url=base) as client:
        owner = await Api(client, container).account("Uwimana")
        shop_id = await make_shop(container, owner, name="Maraba Coffee", country="RW")
        beans = await make_product(container, shop_id, title="Maraba washed beans")

    errors: list[str] = []
    async with chromium() as browser:
        ctx = await browser.new_context(viewport=PHONE, timezone_id="Africa/Kigali")
        page = await ctx.new_page()

        def page_error(error: Any) -> None:
            errors.append(str(error))

        page.on("pageerror", page_error)
        path = f"/sell/shops/{shop_id}"
        await sign_in(page, base, owner, path)
        await shoot(page, "seller-phone", full_page=True)

        # A price with too many decimals comes back refused (a 422 htmx swaps), input kept
        await page.click("#add-product summary")
        await page.fill("#product-title", "Natural process beans")
        await page.fill("#product-price", "12.505")
        await page.fill("#product-stock", "40")
        await page.click("form[data-action=add-product] button[type=submit]")
        await page.wait_for_function(
            "() => document.getElementById('products-result').textContent.includes('decimals')",
            timeout=WAIT_MS,
        )
        assert await page.input_value("#product-title") == "Natural process beans"
        assert await page.locator(".product .title").count() == 1

        # A new product, priced "12.50" CNY: 1250 minor units
        await page.fill("#product-price", "12.50")
        await page.fill("#product-stock", "40")
        await page.click("form[data-action=add-product] button[type=submit]")
        await page.wait_for_function(
            "() => document.getElementById('products-result').textContent.includes('Natural')",
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
            "() => document.getElementById('products-result').textContent.includes('Picture')",
            timeout=WAIT_MS,
        )
        assert await page.locator(f"#product-{beans.id} img.thumb").count() == 1

        # Its stock set to 7
        await page.fill(f"#stock-{beans.variant_id}", "7")
        await page.click(f"form[data-variant-id='{beans.variant_id}'] button[type=submit]")
        await page.wait_for_function(
            "() => document.getElementById('products-result').textContent.includes('7')",
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
        await shoot(page, "seller-desktop", full_page=True)

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


# Notes the files the page's XHRs send (the picture upload's FormData): CDP does not show a
# multipart body's file.
SENT_FILES = """
window.sentFiles = [];
const send = XMLHttpRequest.prototype.send;
XMLHttpRequest.prototype.send = function (body) {
  if (body instanceof FormData) {
    for (const value of body.values()) {
      if (value instanceof File) {
        window.sentFiles.push({ name: value.name, type: value.type, size: value.size });
      }
    }
  }
  return send.call(this, body);
};
"""


def _camera_png(width: int = 4000, height: int = 3000) -> bytes:
    """A 12-megapixel picture over the server's 8 MB: its top third is noise, which PNG
    cannot compress."""
    image = np.full((height, width, 3), (200, 170, 120), np.uint8)
    noise = np.random.default_rng(7).integers(0, 256, (height // 3, width, 3), dtype=np.uint8)
    image[: height // 3] = noise
    encoder = av.CodecContext.create("png", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "rgb24"
    encoder.time_base = Fraction(1, 25)
    frame = av.VideoFrame.from_ndarray(image, format="rgb24")
    return b"".join(bytes(p) for p in [*encoder.encode(frame), *encoder.encode(None)])


async def _focused(page: Any, element_id: str) -> None:
    """Waits for htmx to focus a swapped-in form's [autofocus] field (when the swap settles),
    lest the focus move while the test types elsewhere."""
    await page.wait_for_function(
        "id => document.activeElement?.id === id", arg=element_id, timeout=WAIT_MS
    )


async def _wait_text(page: Any, element_id: str, text: str) -> None:
    await page.wait_for_function(
        "([id, text]) => document.getElementById(id)?.textContent.includes(text)",
        arg=[element_id, text],
        timeout=WAIT_MS,
    )


async def test_an_owner_edits_in_place_and_uploads_a_phone_sized_picture(
    served: tuple[str, Container],
) -> None:

    base, container = served
    async with httpx.AsyncClient(base_url=base) as client:
        owner = await Api(client, container).account("Chen")
        shop_id = await make_shop(container, owner)
        pearls = await make_product(container, shop_id)  # Farmer 1 and Farmer 2, 50/50
        producers = (await client.get(f"/api/v1/shops/{shop_id}/producers")).json()
        farmer = next(p["id"] for p in producers if p["name"] == "Farmer 1")
        show = {"shop_id": shop_id, "title": "Pearl morning", "lineup": [pearls.id],
                "scheduled_at": "2031-05-01T10:30:00+00:00"}  # fmt: skip
        r = await client.post("/api/v1/shows", json=show, headers=owner.headers)
        assert r.status_code == 201, r.text
    camera = _camera_png()
    assert len(camera) > MAX_UPLOAD_BYTES

    errors: list[str] = []
    uploads: list[dict[str, Any]] = []
    async with chromium() as browser:
        ctx = await browser.new_context(viewport=PHONE, timezone_id="Asia/Shanghai", locale="en-US")
        page = await ctx.new_page()

        def page_error(error: Any) -> None:
            errors.append(str(error))

        page.on("pageerror", page_error)
        await page.add_init_script(SENT_FILES)
        await sign_in(page, base, owner, f"/sell/shops/{shop_id}")
        item = f"#product-{pearls.id}"

        # The product's Edit link swaps in its form, pre-filled, the title focused
        await page.click(f"{item} .edit-link")
        title = f"#product-{pearls.id}-title"
        await _focused(page, title[1:])
        assert await page.input_value(title) == "Freshwater pearl necklace"
        await shoot(page.locator(item), "seller-edit-product")
        # Shares that do not add up come back refused inside the form, the input kept
        await page.fill(title, "Baroque pearl necklace")
        await page.fill(f"#product-{pearls.id}-share-{farmer}", "60")
        await page.click(f"{item} button[type=submit]")
        await _wait_text(page, f"product-{pearls.id}-error", "100 %")
        assert await page.input_value(title) == "Baroque pearl necklace"
        await shoot(page.locator(item), "seller-edit-refused")
        # Saved with a new price: the section updates in place, the focus on the Edit link
        await page.fill(f"#product-{pearls.id}-share-{farmer}", "50")
        await page.fill(f"#product-{pearls.id}-price-{pearls.variant_id}", "259")
        await page.click(f"{item} button[type=submit]")
        await _wait_text(page, "products-result", "Product saved")
        assert await page.text_content(f"{item} .title") == "Baroque pearl necklace"
        assert await page.text_content(f"{item} .variant .price") == "259.00\u00a0CNY"
        await page.wait_for_function(  # htmx focuses [autofocus] when the swap settles
            f"() => document.activeElement === document.querySelector('{item} .edit-link')",
            timeout=WAIT_MS,
        )
        lineup = await page.text_content("#shows-body")
        assert lineup is not None
        assert "Baroque pearl necklace" in lineup  # the shows' lineup choices, out of band

        # A producer's story; Cancel first puts the producer back untouched
        producer = f"#producer-{farmer}"
        await page.click(f"{producer} .edit-link")
        await _focused(page, f"producer-{farmer}-name")
        await page.fill(f"{producer}-bio", "Throws the nets at dawn.")
        await page.click(f"{producer} a.cancel")
        await page.wait_for_selector(f"{producer} .edit-link", timeout=WAIT_MS)
        assert "dawn" not in (await page.text_content(producer) or "")
        await page.click(f"{producer} .edit-link")
        await _focused(page, f"producer-{farmer}-name")
        assert await page.input_value(f"{producer}-name") == "Farmer 1"
        await page.fill(f"{producer}-bio", "Third generation of pearl farmers in Shanxiahu.")
        await shoot(page.locator(producer), "seller-edit-producer")
        await page.click(f"{producer} button[type=submit]")
        await _wait_text(page, "producers-result", "Producer saved")
        assert "Third generation" in (await page.text_content(producer) or "")

        # The shop's name: the page's heading follows
        await page.click("#shop-details .edit-link")
        await _focused(page, "edit-shop-name")
        await page.fill("#edit-shop-name", "Zhuji Pearl Farmers")
        await shoot(page, "seller-edit-shop")
        await page.click("#shop-details button[type=submit]")
        await _wait_text(page, "shop-head", "Zhuji Pearl Farmers")
        await page.wait_for_function(  # the <title> too, which htmx takes from the answer
            "() => document.title.startsWith('Zhuji Pearl Farmers')", timeout=WAIT_MS
        )

        # A camera-sized picture, over 8 MB: the browser shrinks it, the server takes it
        picture: FilePayload = {"name": "IMG_2041.png", "mimeType": "image/png",
                                "buffer": camera}  # fmt: skip
        await page.set_input_files(f"#picture-{pearls.id}", files=[picture])
        await page.click(f"form[data-product-id='{pearls.id}'] button[type=submit]")
        await _wait_text(page, "products-result", "Picture added")
        assert await page.locator(f"{item} img.thumb").count() == 1
        await shoot(page, "seller-edited-phone", full_page=True)
        uploads = await page.evaluate("window.sentFiles")

        # Chosen in French on an English browser: dates follow the page, not the browser
        await ctx.add_cookies([{"name": "lb_lang", "value": "fr", "url": base}])
        await page.goto(f"{base}/sell/shops/{shop_id}")
        when = await page.text_content("#shows-body time.local-time") or ""
        assert "mai 2031" in when, when
        assert "18:30" in when, when  # 10:30 UTC in Shanghai

    assert errors == []
    [sent] = uploads  # what the browser sent: a JPEG within the limit
    assert sent == {"name": "IMG_2041.jpg", "type": "image/jpeg", "size": sent["size"]}
    assert 0 < sent["size"] <= MAX_UPLOAD_BYTES
    async with httpx.AsyncClient(base_url=base) as client:
        product = (await client.get(f"/api/v1/products/{pearls.id}")).json()
        producers = (await client.get(f"/api/v1/shops/{shop_id}/producers")).json()
        shop = (await client.get(f"/api/v1/shops/{shop_id}")).json()
    assert product["title"] == "Baroque pearl necklace"
    assert sorted(s["bps"] for s in product["producers"]) == [5000, 5000]
    assert [i["url"].endswith(".jpg") for i in product["images"]] == [False, True]
    [saved] = [p for p in producers if p["id"] == farmer]
    assert (saved["name"], saved["bio"]) == (
        "Farmer 1", "Third generation of pearl farmers in Shanxiahu.",
    )  # fmt: skip
    assert shop["name"] == "Zhuji Pearl Farmers"


async def test_editing_works_without_javascript(served: tuple[str, Container]) -> None:
    """The Edit link opens the page with the form; the form posts as a plain form."""

    base, container = served
    async with httpx.AsyncClient(base_url=base) as client:
        owner = await Api(client, container).account("Chen")
        shop_id = await make_shop(container, owner)
        pearls = await make_product(container, shop_id)
    async with chromium() as browser:
        ctx = await browser.new_context(viewport=PHONE, java_script_enabled=False)
        page = await ctx.new_page()
        await sign_in(page, base, owner, f"/sell/shops/{shop_id}")
        item = f"#product-{pearls.id}"
        await page.click(f"{item} .edit-link")
        await page.wait_for_url(f"**/products/{pearls.id}/edit#product-{pearls.id}")
        await page.fill(f"#product-{pearls.id}-title", "   ")  # refused: the page again
        await page.click(f"{item} button[type=submit]")
        await page.wait_for_selector(f"#product-{pearls.id}-error", timeout=WAIT_MS)
        await shoot(page, "seller-edit-nojs")
        await page.fill(f"#product-{pearls.id}-title", "Baroque pearl necklace")
        await page.click(f"{item} button[type=submit]")
        await page.wait_for_url(f"{base}/sell/shops/{shop_id}#product-{pearls.id}")
        assert await page.text_content(f"{item} .title") == "Baroque pearl necklace"
