"""The home page names the year of a show that is not this year's, in Debian's Chromium
(Playwright): "Wed, Jan 1" alone read as this year. Skips without Chromium, fails without it
in CI."""

from __future__ import annotations

from datetime import UTC, datetime

from livebazaar.bootstrap import Container
from tests.factories import make_product, make_shop
from tests.support import Api
from tests.web.browser import PHONE, WAIT_MS, chromium, require_chromium

require_chromium()


async def test_an_upcoming_show_of_another_year_says_its_year(
    api: Api, container: Container, live_server: str
) -> None:

    # Given a show scheduled for the 1st of May two years from now
    owner = await api.account("Ana")
    shop = await make_shop(container, owner)
    product = await make_product(container, shop)
    year = datetime.now(UTC).year + 2
    body = {"shop_id": shop, "title": "Far ahead", "lineup": [product.id],
            "scheduled_at": f"{year}-05-01T10:00:00Z"}  # fmt: skip
    r = await api.client.post("/api/v1/shows", json=body, headers=owner.headers)
    assert r.status_code == 201, r.text
    async with chromium() as browser:
        page = await browser.new_page(viewport=PHONE, timezone_id="UTC")
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # When a visitor opens the home page
        await page.goto(f"{live_server}/")
        when = page.locator(f"#show-{r.json()['id']} time[data-local]")
        await when.wait_for(timeout=WAIT_MS)
        await page.wait_for_function(  # rewritten in the device's zone (no "UTC" left)
            "t => !t.textContent.includes('UTC')", arg=await when.element_handle()
        )
        # Then the date names its year
        text = await when.text_content()
        assert text is not None
        assert str(year) in text, text
        assert errors == []
