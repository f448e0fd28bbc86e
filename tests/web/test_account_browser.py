"""The buyer's account page in Debian's Chromium (Playwright), on a phone: a refused address
comes back marked, in place; the address is saved, listed and deleted, and the orders are
filtered, all through htmx without a page load (a marker set on `window` survives), and going
back shows every order again. Screenshots: var/screenshots/account-phone*.png. Skips without
Chromium, fails without it in CI."""

from __future__ import annotations

from typing import Any

import httpx

from livebazaar.bootstrap import Container
from tests.checkout.stage import claim, set_stage, start_drop
from tests.support import Account, Api
from tests.web.browser import (
    PHONE,
    WAIT_MS,
    chromium,
    require_chromium,
    shoot,
    sign_in,
)

require_chromium()

MARKER = "window.__samePage === 'yes'"


async def _buyer_with_orders(base: str, container: Container) -> Account:
    """Aline, with one paid order (to her saved address in Huye) and one awaiting payment."""
    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        buyer = await api.account("Aline")
        stage = await set_stage(api)
        drop = await start_drop(client, stage, per_buyer_limit=5)
        ids = [(await claim(client, buyer, drop["id"])).json()["order_id"] for _ in range(2)]
        home = {"name": "Aline Uwase", "line1": "KN 5 Rd", "city": "Huye", "country": "RW"}
        r = await client.post("/api/v1/me/addresses", json=home, headers=buyer.headers)
        pay = {"provider": "test", "card_number": "4242424242424242", "address_id": r.json()["id"]}
        r = await client.post(f"/api/v1/orders/{ids[0]}/pay", json=pay, headers=buyer.headers)
        assert r.status_code == 200, r.text
    return buyer


async def _wait_text(page: Any, selector: str, text: str) -> None:
    await page.wait_for_function(
        "([s, t]) => (document.querySelector(s)?.textContent ?? '').includes(t)",
        arg=[selector, text],
        timeout=WAIT_MS,
    )


async def _wait_focus(page: Any, element_id: str) -> None:
    """htmx moves the focus when it settles the swap, a moment after the swap itself."""
    await page.wait_for_function(
        "id => document.activeElement?.id === id", arg=element_id, timeout=WAIT_MS
    )


async def test_a_buyer_keeps_the_address_book_and_filters_orders_in_place(
    served: tuple[str, Container],
) -> None:

    base, container = served
    buyer = await _buyer_with_orders(base, container)
    errors: list[str] = []
    async with chromium() as browser:
        page = await (await browser.new_context(viewport=PHONE)).new_page()

        def page_error(error: Any) -> None:
            errors.append(str(error))

        page.on("pageerror", page_error)
        await sign_in(page, base, buyer, "/account")
        await page.evaluate("window.__samePage = 'yes'")

        # A country that does not exist: the form comes back in place (a 422 htmx swaps),
        # what was typed kept, the field marked and explained, and the focus on it
        await page.fill("#a-name", "Aline Uwase")
        await page.fill("#a-line1", "KG 7 Ave")
        await page.fill("#a-city", "Kigali")
        await page.fill("#a-country", "ZZ")
        await page.click("#a-save")
        await page.wait_for_selector("#a-country-error", timeout=WAIT_MS)
        assert await page.input_value("#a-line1") == "KG 7 Ave"
        assert await page.get_attribute("#a-country", "aria-invalid") == "true"
        await _wait_focus(page, "a-country")
        await _wait_text(page, "#addresses-result", "not saved")
        assert await page.evaluate(MARKER)
        await shoot(page, "account-phone-refused", full_page=True)

        # Corrected, it is saved and listed; the live region says so
        await page.fill("#a-country", "RW")
        await page.click("#a-save")
        await _wait_text(page, "#addresses-result", "Address saved")
        await _wait_text(page, "#address-list", "KG 7 Ave")
        assert await page.get_attribute("#a-country", "aria-invalid") is None
        assert await page.input_value("#a-line1") == ""
        assert await page.evaluate(MARKER)

        # Deleted: gone from the list, said, and the focus on the list
        await page.click("button[aria-label='Delete the address of Aline Uwase, Kigali']")
        await _wait_text(page, "#addresses-result", "Address deleted")
        assert "KG 7 Ave" not in (await page.text_content("#address-list") or "")
        assert "KN 5 Rd" in (await page.text_content("#address-list") or "")
        await _wait_focus(page, "address-list")
        assert await page.evaluate(MARKER)

        # The orders filter: choosing "Paid" reloads the table alone and the page's URL
        assert await page.locator(".account-orders tbody").count() == 2
        await page.select_option("#orders-status", "paid")
        await page.wait_for_url(f"{base}/account?status=paid", timeout=WAIT_MS)
        await page.wait_for_function(
            "() => document.querySelectorAll('.account-orders tbody').length === 1",
            timeout=WAIT_MS,
        )
        assert await page.text_content(".account-orders .status") == "Paid"
        await _wait_text(page, "#orders-result", "1 order")
        assert await page.evaluate(MARKER)
        await shoot(page, "account-phone", full_page=True)

        # Back: htmx asks the server for the page (it keeps no copy of it) and every
        # order is listed again
        await page.go_back()
        await page.wait_for_function(
            "() => document.querySelectorAll('.account-orders tbody').length === 2",
            timeout=WAIT_MS,
        )
        assert await page.input_value("#orders-status") == ""
    assert errors == []
