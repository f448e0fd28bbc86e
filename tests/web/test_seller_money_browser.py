"""The money section of the seller dashboard in Debian's Chromium (Playwright): on a phone in
Kigali the owner gives a farmer's mobile-money number (the form shows only that kind's fields),
is refused a mistyped IBAN for the shop (the input kept), pays out what is available and marks
the payout paid; each step updates the section in place (htmx). Then the same section at a
desktop's width. Screenshots go to var/screenshots/money-*.png. Skips without Chromium, fails
without it in CI."""

from __future__ import annotations

from typing import Any

import httpx

from livebazaar.bootstrap import Container
from livebazaar.payouts import Party, PartyType
from tests.factories import make_shop
from tests.payouts.ledger_fake import earn, install
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

require_chromium()


def _text_in(selector: str, text: str) -> str:
    return f"() => (document.querySelector({selector!r})?.textContent || '').includes({text!r})"


async def test_an_owner_pays_a_farmer_from_a_phone(served: tuple[str, Container]) -> None:

    base, container = served
    await install(container)
    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        owner = await api.account("Mukamana")
        shop_id = await make_shop(
            container, owner, name="Maraba Coffee", country="RW", currency="RWF"
        )
        r = await client.post(
            f"/api/v1/shops/{shop_id}/producers",
            json={"name": "Uwimana Clémentine"},
            headers=owner.headers,
        )
        producer_id = r.json()["id"]
    await earn(container, shop_id, Party(PartyType.PRODUCER, producer_id), 48_500, "RWF")

    errors: list[str] = []
    async with chromium() as browser:
        ctx = await browser.new_context(viewport=PHONE, timezone_id="Africa/Kigali")
        page = await ctx.new_page()
        page.set_default_timeout(WAIT_MS)

        def page_error(error: Any) -> None:
            errors.append(str(error))

        page.on("pageerror", page_error)
        await sign_in(page, base, owner, f"/sell/shops/{shop_id}")
        await page.click("a[href='#money']")
        farmer = f"#method-{producer_id}"
        # The farmer's mobile money: only the phone and service fields show
        await page.click(f"{farmer} summary")
        assert await page.is_visible(f"#method-{producer_id}-phone")
        assert not await page.is_visible(f"#method-{producer_id}-iban")
        await page.fill(f"#method-{producer_id}-phone", "+250 788 123 456")
        await page.fill(f"#method-{producer_id}-provider", "MTN MoMo")
        await page.click(f"{farmer} button[type=submit]")
        await page.wait_for_function(_text_in("#money-result", "Payout method saved"))
        assert "+250788123456" in await page.inner_text(farmer)
        # The shop's bank account, mistyped: refused, the input kept
        shop = f"#method-{shop_id}"
        await page.click(f"{shop} summary")
        await page.check(f"{shop} input[value=bank]")
        assert await page.is_visible(f"#method-{shop_id}-iban")
        assert not await page.is_visible(f"#method-{shop_id}-phone")
        await page.fill(f"#method-{shop_id}-iban", "DE89 3704 0044 0532 0130 01")
        await page.click(f"{shop} button[type=submit]")
        await page.wait_for_function(_text_in("#money-result", "IBAN is not valid"))
        assert await page.input_value(f"#method-{shop_id}-iban") == "DE89 3704 0044 0532 0130 01"
        await shoot(page.locator("#money"), "money-refused-iban")
        # Pay out what is available: one payout to the farmer, to pay
        await page.click("#money-body form[action$='/payout-batches'] button")
        await page.wait_for_function(_text_in("#money-result", "Payout batch made"))
        payout = page.locator(".payout").first
        assert "48,500" in await payout.inner_text()
        await shoot(page.locator("#money"), "money-batch-phone")
        # Marked paid with the agent's reference
        await payout.locator("input[name=reference]").fill("MOMO-2026-0042")
        await payout.locator("form[action$='/paid'] button").click()
        await page.wait_for_function(_text_in("#money-result", "Marked paid"))
        assert "MOMO-2026-0042" in await page.locator(".payout").first.inner_text()
        await shoot(page.locator("#money"), "money-paid-phone")
        # The same section at a desktop's width
        await page.set_viewport_size(DESKTOP)
        await shoot(page.locator("#money"), "money-desktop")
    assert errors == []
