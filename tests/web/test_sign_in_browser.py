"""Signing in as a hostile site and a password guesser would try it, in Debian's Chromium
(Playwright): another site's form cannot sign the visitor in to its account (login CSRF), and
guessing one account's password from the sign-in page soon meets a lock that says how long.
Screenshots go to var/screenshots/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from livebazaar.bootstrap import Container
from tests.support import Api
from tests.web.browser import ARGS, CHROMIUM, PHONE, SHOTS, WAIT_MS, require_chromium, served_app

require_chromium()

ATTACKER = "http://attacker.test"


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, Container]]:
    async with served_app(tmp_path) as served:
        yield served


def _attacker_page(base: str, email: str, password: str) -> str:
    """A page on another site that posts its own account's login to ours as soon as it opens."""
    return f"""<!doctype html><html><body>
<form id="f" method="post" action="{base}/login">
  <input name="email" value="{email}"><input name="password" value="{password}">
  <input name="form_token" value="guessed-token-guessed-token">
  <input name="next" value="/account">
</form>
<script>document.getElementById("f").submit();</script>
</body></html>"""


async def test_another_site_cannot_sign_the_visitor_in_to_its_account(
    served: tuple[str, Container],
) -> None:
    from playwright.async_api import async_playwright

    base, container = served
    async with httpx.AsyncClient(base_url=base) as client:
        mallory = await Api(client, container).account("Mallory")
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport=PHONE)

            async def attacker_site(route: Any) -> None:
                html = _attacker_page(base, mallory.email, "correct horse")
                await route.fulfill(status=200, content_type="text/html", body=html)

            # Given a visitor who once opened our sign-in page (they hold a form cookie)
            await page.goto(f"{base}/login")
            await page.route(f"{ATTACKER}/**", attacker_site)
            # When another site's page posts its own account's login to ours
            await page.goto(f"{ATTACKER}/win-a-pearl")
            await page.wait_for_url(f"{base}/login", timeout=WAIT_MS)
            # Then the post is refused, and the visitor is not signed in to that account
            await page.wait_for_selector("p.error[role=alert]")
            assert "expired" in (await page.text_content("p.error[role=alert]") or "")
            await page.screenshot(path=str(SHOTS / "login-cross-site-refused-phone.png"))
            await page.goto(f"{base}/account")
            assert "Mallory" not in await page.content()
            cookies = await page.context.cookies(base)
            assert "lb_session" not in {c["name"] for c in cookies}
        finally:
            await browser.close()
