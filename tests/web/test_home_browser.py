"""The home page in a real browser (Debian's Chromium driven by Playwright): a signed-in viewer
presses "Remind me" with the keyboard and it toggles in place (no page load), announced to
screen readers; the page fits a 360 px wide screen. Screenshots go to var/screenshots/.
Without Chromium the test skips with a message (except in CI, as the video test does)."""

from __future__ import annotations

from livebazaar.bootstrap import Container
from tests.factories import make_product, make_shop
from tests.support import Api
from tests.web.browser import (
    WAIT_MS,
    chromium,
    require_chromium,
    shoot,
)
from tests.web.test_home import PASSWORD, stage_show

require_chromium()


async def test_remind_me_toggles_in_place_on_a_phone(
    api: Api, container: Container, live_server: str
) -> None:
    # Given an upcoming show with a picture, one live, and a signed-in viewer on a phone
    owner = await api.account("Ana")
    shop = await make_shop(container, owner, name="Cusco Alpaca Weavers", country="PE")
    scarf = await make_product(container, shop, title="Alpaca scarf")
    show = await stage_show(api, owner, shop, scarf.id, title="Shearing day", state="scheduled")
    await stage_show(api, owner, shop, scarf.id, title="Weaving live", state="live")
    fan = await api.account("Fan")

    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 360, "height": 780})
        page.set_default_timeout(WAIT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(f"{live_server}/login?next=/")
        await page.fill("#email", fan.email)
        await page.fill("#password", PASSWORD)
        await page.press("#password", "Enter")
        await page.wait_for_url(f"{live_server}/")
        # When they tab to "Remind me" and press Enter
        button = page.locator(f"#show-{show} button.toggle")
        await button.focus()
        await page.keyboard.press("Enter")
        # Then it is pressed without a page load, and the live region says so
        await page.wait_for_function(
            "b => b.getAttribute('aria-pressed') === 'true'", arg=await button.element_handle()
        )
        status = page.locator("#remind-status")
        assert await status.text_content() == "Reminder set: Shearing day"
        assert await page.evaluate("performance.getEntriesByType('navigation').length") == 1
        # And the server agrees
        r = await api.client.get("/api/v1/search/shows?status=scheduled", headers=fan.headers)
        assert [s["reminded"] for s in r.json()] == [True]
        # And nothing is wider than the screen; the country reads as a name
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360
        assert await page.locator(f"#show-{show} .country").text_content() == "Peru"
        await shoot(page, "home-phone", full_page=True)
        # When they press it again, it is cleared
        await page.keyboard.press("Enter")
        await page.wait_for_function(
            "b => b.getAttribute('aria-pressed') === 'false'", arg=await button.element_handle()
        )
        assert await status.text_content() == "Reminder removed: Shearing day"
        await page.set_viewport_size({"width": 1280, "height": 800})
        await shoot(page, "home-desktop", full_page=True)
        assert errors == []
