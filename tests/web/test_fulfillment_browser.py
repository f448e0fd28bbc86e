"""After payment in Debian's Chromium (Playwright): on a phone, the shop's owner ships a paid
order from the dashboard (htmx, in place), then the buyer sees it on its way on /account and
says "I received it". Screenshots, phone and desktop, go to var/screenshots/fulfillment-*.png.
Skips without Chromium, fails without it in CI."""

from __future__ import annotations

from typing import Any

import httpx

from livebazaar.bootstrap import Container
from livebazaar.fx import OPERATOR, do_set_rate
from livebazaar.payments.test_provider import CARD_APPROVE
from tests.checkout.stage import make_show
from tests.factories import make_product, make_shop
from tests.support import SHIP_TO, Account, Api
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


async def _paid_orders(
    base: str, container: Container, n: int
) -> tuple[Account, Account, str, list[str]]:
    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        owner, buyer = await api.account("Uwimana"), await api.account("Aline")
        shop_id = await make_shop(container, owner, name="Maraba Coffee", country="RW")
        beans = await make_product(container, shop_id, title="Maraba washed beans")
        show_id = await make_show(container, shop_id, owner, [beans.id])
        await do_set_rate(container.db, container.clock, OPERATOR, "USD", "CNY", rate="7.1234",
                          source="Test feed")  # fmt: skip
        orders = []
        for _ in range(n):
            r = await client.post(
                f"/api/v1/shows/{show_id}/purchases",
                json={"product_id": beans.id, "display_currency": "USD"}, headers=buyer.headers,
            )  # fmt: skip
            order_id = r.json()["order_id"]
            pay = {"card_number": CARD_APPROVE, "ship_to": SHIP_TO}
            r = await client.post(f"/api/v1/orders/{order_id}/pay", json=pay, headers=buyer.headers)
            assert r.status_code == 200, r.text
            orders.append(order_id)
    return owner, buyer, shop_id, orders


async def test_the_owner_ships_and_the_buyer_says_it_arrived(
    served: tuple[str, Container],
) -> None:

    base, container = served
    owner, buyer, shop_id, [first, second] = await _paid_orders(base, container, 2)
    errors: list[str] = []
    async with chromium() as browser:
        ctx = await browser.new_context(viewport=PHONE, timezone_id="Africa/Kigali")
        page = await ctx.new_page()
        page.set_default_timeout(WAIT_MS)

        def page_error(error: Any) -> None:
            errors.append(str(error))

        page.on("pageerror", page_error)
        # Given the owner on the dashboard's orders, on a phone
        await sign_in(page, base, owner, f"/sell/shops/{shop_id}")
        await page.click(f"#ship-{first} summary")
        await page.fill(f"#carrier-{first}", "Moto Kigali")
        await page.fill(f"#tracking-{first}", "MK-2026-0042")
        await shoot(page.locator(f"#order-{first}"), "fulfillment-ship-form-phone")
        # When they save the shipping
        await page.click(f"#ship-{first} button[type=submit]")
        # Then the row says so in place, with the number, and offers to change it
        await page.wait_for_function(
            "() => document.getElementById('orders-result').textContent.includes('Moto')"
        )
        row = page.locator(f"#order-{first}")
        assert "Moto Kigali · MK-2026-0042" in await row.inner_text()
        assert await page.locator(f"#ship-{first} summary").inner_text() == ("Change the tracking")
        await shoot(page.locator("#orders"), "fulfillment-seller-phone")
        await page.set_viewport_size(DESKTOP)
        await shoot(page.locator("#orders"), "fulfillment-seller-desktop")
        await ctx.close()

        # Given the buyer on their account, on a phone
        ctx = await browser.new_context(viewport=PHONE, timezone_id="Africa/Kigali")
        page = await ctx.new_page()
        page.set_default_timeout(WAIT_MS)
        page.on("pageerror", page_error)
        await sign_in(page, base, buyer, "/account")
        orders = page.locator("#orders")
        await orders.scroll_into_view_if_needed()
        assert "On its way" in await orders.inner_text()
        assert "≈ 27.94\u00a0USD" in await orders.inner_text()  # as the buyer saw it
        await shoot(orders, "fulfillment-account-phone")
        # When they say the shipped one arrived
        shipped_row = page.locator("tr", has_text="MK-2026-0042")
        await shipped_row.get_by_role("button").click()
        # Then the list says thank you and shows it received, without the button
        await page.wait_for_selector("#orders-message")
        received = page.locator("tr", has_text="MK-2026-0042")
        assert "Received" in await received.inner_text()
        assert await received.get_by_role("button").count() == 0
        await page.set_viewport_size(DESKTOP)
        await shoot(page.locator("#orders"), "fulfillment-account-desktop")
    assert errors == []
    async with httpx.AsyncClient(base_url=base) as client:
        r = await client.get(f"/api/v1/orders/{first}", headers=buyer.headers)
        assert r.json()["fulfillment"]["status"] == "delivered"
        r = await client.get(f"/api/v1/orders/{second}", headers=buyer.headers)
        assert r.json()["fulfillment"]["status"] == "unfulfilled"
