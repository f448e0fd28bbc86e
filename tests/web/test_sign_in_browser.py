"""Signing in as a hostile site and a password guesser would try it, in Debian's Chromium
(Playwright): another site's form cannot sign the visitor in to its account (login CSRF), and
guessing one account's password from the sign-in page soon meets a lock that says how long.
Screenshots go to var/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from livebazaar.bootstrap import Container
from tests.support import Api
from tests.web.browser import (
    DESKTOP,
    PHONE,
    WAIT_MS,
    chromium,
    require_chromium,
    served_app,
    shoot,
)

require_chromium()

ATTACKER = "http://attacker.test"


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

    base, container = served
    async with httpx.AsyncClient(base_url=base) as client:
        mallory = await Api(client, container).account("Mallory")
    async with chromium() as browser:
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
        await shoot(page, "login-cross-site-refused-phone")
        await page.goto(f"{base}/account")
        assert "Mallory" not in await page.content()
        cookies = await page.context.cookies(base)
        assert "lb_session" not in {c["name"] for c in cookies}


async def test_a_guesser_on_the_sign_in_page_meets_a_lock_and_weak_passwords_are_refused(
    tmp_path: Path,
) -> None:
    """At phone size: wrong passwords tapped in until the account locks for this address (the
    page says for how long, in French too); sign-up refuses `password` beside the field."""

    async with served_app(tmp_path, sign_in_account_rate_per_15min=3) as (base, container):
        async with httpx.AsyncClient(base_url=base) as client:
            aline = await Api(client, container).account("Aline")  # one attempt of the three
        async with chromium() as browser:
            page = await browser.new_page(viewport=PHONE)
            await page.goto(f"{base}/login")
            for guess in ("password", "12345678"):
                await page.fill("#password", guess)
                await page.fill("#email", aline.email)
                await page.click("form.form button[type=submit]")
                await page.wait_for_selector("p.error:has-text('wrong')")
            # The right password now meets the lock, said in words with a time
            await page.fill("#password", "correct horse")
            await page.click("form.form button[type=submit]")
            error = page.locator("p.error", has_text="for this account")
            await error.wait_for(timeout=WAIT_MS)
            assert "minutes" in (await error.text_content() or "")
            assert await page.input_value("#email") == aline.email  # kept
            await shoot(page, "login-locked-phone")
            await page.set_viewport_size(DESKTOP)
            await shoot(page, "login-locked-desktop")
            await page.set_viewport_size(PHONE)
            french = await browser.new_context(viewport=PHONE, locale="fr-FR")
            fr = await french.new_page()
            await fr.goto(f"{base}/login")
            await fr.fill("#email", aline.email)
            await fr.fill("#password", "correct horse")
            await fr.click("form.form button[type=submit]")
            await fr.locator("p.error", has_text="pour ce compte").wait_for(timeout=WAIT_MS)
            await shoot(fr, "login-locked-fr-phone")
            await french.close()

            # Sign-up refuses a password among the first guessed, beside its field
            await page.goto(f"{base}/register")
            await page.fill("#display_name", "Mei Lin")
            await page.fill("#email", "mei@example.org")
            await page.fill("#password", "password")
            await page.click("form.form button[type=submit]")
            await page.wait_for_selector("#password[aria-invalid=true]")
            hint = await page.text_content('[data-error-for="password"]') or ""
            assert "too easy to guess" in hint
            assert await page.input_value("#email") == "mei@example.org"
            await shoot(page, "register-weak-password-phone")
            await page.fill("#password", "mango river at dawn")
            await page.click("form.form button[type=submit]")
            await page.wait_for_url(f"{base}/")


async def test_the_rooms_sheet_says_when_an_account_is_locked_and_a_password_is_weak(
    tmp_path: Path,
) -> None:
    """The sheet over the live room (no video needed here: test_sign_in_sheet_browser.py
    plays it): a weak password beside its field, then the lock in words, in French."""

    from tests.web.test_sign_in_sheet_browser import _live_room_with_a_drop, _tap_claim

    async with served_app(tmp_path, sign_in_account_rate_per_15min=2) as (base, container):
        async with httpx.AsyncClient(base_url=base) as client:
            api = Api(client, container)
            stage, _ = await _live_room_with_a_drop(client, api)
            aline = await api.account("Aline")  # one attempt of the two
        async with chromium() as browser:
            context = await browser.new_context(viewport=PHONE, locale="fr-FR")
            page = await context.new_page()
            await page.goto(f"{base}/shows/{stage.show_id}")
            await _tap_claim(page)
            await page.fill("#sheet-display_name", "Mei Lin")
            await page.fill("#sheet-email", "mei@example.org")
            await page.fill("#sheet-password", "12345678")
            await page.click("#sheet-sign-up button[type=submit]")
            weak = page.locator(
                '#sheet-sign-up [data-error-for="password"]', has_text="trop facile"
            )
            await weak.wait_for(timeout=WAIT_MS)
            await shoot(page, "sheet-weak-password-fr-phone")
            await page.click("#sign-in-sheet [data-pane-to=in]")
            await page.fill("#sheet-login-email", aline.email)
            await page.fill("#sheet-login-password", "not it")
            await page.click("#sheet-sign-in button[type=submit]")
            form_error = page.locator('#sheet-sign-in [data-error-for="form"]')
            await form_error.filter(has_text="mot de passe").wait_for(timeout=WAIT_MS)
            await page.fill("#sheet-login-password", "correct horse")
            await page.click("#sheet-sign-in button[type=submit]")
            await form_error.filter(has_text="pour ce compte").wait_for(timeout=WAIT_MS)
            await shoot(page, "sheet-locked-fr-phone")
            assert await page.locator("#sign-in-sheet[open]").count() == 1
            await context.close()
