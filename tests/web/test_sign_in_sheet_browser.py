"""A viewer who came by a shared link signs up, or in, over the live room and buys, in
Debian's Chromium (Playwright) at phone size: the video keeps playing behind the sheet, the
page never leaves the room, and the purchase they tapped goes on once they are in.

A synthetic publisher pushes the show's video over RTMP, as in test_video_browser.py.
Screenshots of the sheet (English and French, phone and desktop) go to var/screenshots/.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from livebazaar.accounts import User
from livebazaar.bootstrap import Container
from livebazaar.checkout import Order
from tests.live.stage import Stage, make_stage
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

PASSWORD = "a long pass phrase"


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, Container]]:
    async with served_app(tmp_path, rtmp_enabled=True) as served:
        yield served


async def _live_room_with_a_drop(client: httpx.AsyncClient, api: Api) -> tuple[Stage, str]:
    """A live show with a drop of 10; the RTMP URL to publish its video to."""
    stage = await make_stage(api)
    pearl = stage.products[0]
    drop = {
        "product_id": pearl.id, "quantity": 10, "per_buyer_limit": 2, "duration_s": 3600,
        "price": {"amount_minor": 9950, "currency": pearl.currency},
    }  # fmt: skip
    r = await client.post(f"{stage.url}/drops", json=drop, headers=stage.owner.headers)
    assert r.status_code == 201, r.text
    r = await client.post(f"{stage.url}/stream-key", headers=stage.owner.headers)
    assert r.status_code == 201, r.text
    return stage, str(r.json()["rtmp_url"])


async def _playing_time(page: Any, past: float) -> float:
    """Wait until the video has played past `past` seconds, and is not paused: its time."""
    await page.wait_for_function(
        f"""() => {{ const v = document.querySelector('#video');
                     return v && !v.paused && v.currentTime > {past}; }}""",
        timeout=WAIT_MS,
    )
    current: float = await page.evaluate("document.querySelector('#video').currentTime")
    return current


async def _tap_claim(page: Any) -> None:
    """Fill the delivery address and tap "Claim and pay", as an anonymous viewer would."""
    await page.wait_for_selector("#drop:not([hidden])", timeout=WAIT_MS)
    form = page.locator("#drop-buy")
    await form.locator("[name=ship_name]").fill("Aline Uwase")
    await form.locator("[name=ship_line1]").fill("KN 5 Rd")
    await form.locator("[name=ship_city]").fill("Kigali")
    await form.locator("[name=ship_country]").fill("RW")
    await form.locator("button[type=submit]").click()
    await page.wait_for_selector("#sign-in-sheet[open]", timeout=WAIT_MS)


async def test_a_viewer_signs_up_over_the_room_and_the_purchase_goes_on(
    served: tuple[str, Container],
) -> None:

    base, container = served
    async with httpx.AsyncClient(base_url=base) as client:
        stage, rtmp_url = await _live_room_with_a_drop(client, Api(client, container))
    room_url = f"{base}/shows/{stage.show_id}"
    publisher = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "livebazaar.media.synthetic", "rtmp", rtmp_url],
        *["--seconds", "300", "--width", "640", "--height", "360"],
        stdout=asyncio.subprocess.DEVNULL,
    )
    errors: list[str] = []
    try:
        async with chromium() as browser:
            # Given an anonymous viewer in the live room, the video playing
            page = await browser.new_page(viewport=PHONE)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await page.goto(room_url)
            before = await _playing_time(page, 1.0)

            # When they tap "Claim and pay", the sign-up sheet opens over the room
            await _tap_claim(page)
            assert await page.locator("#sheet-display_name").is_visible()
            await shoot(page, "sign-in-sheet-phone")
            # ... an empty form is refused beside each field, and nothing is bought
            await page.click("#sheet-sign-up button[type=submit]")
            await page.locator('#sheet-sign-up [data-error-for="password"]', has_text="8").wait_for(
                timeout=WAIT_MS
            )
            assert await page.get_attribute("#sheet-email", "aria-invalid") == "true"
            await shoot(page, "sign-in-sheet-errors-phone")

            # ... they sign up (a long pasted name is cut by the field, as on the page)
            await page.fill("#sheet-display_name", "Aline " * 40)
            await page.fill("#sheet-display_name", "Aline Uwase")
            await page.fill("#sheet-email", "aline@example.org")
            await page.fill("#sheet-password", PASSWORD)
            await page.click("#sheet-sign-up button[type=submit]")

            # Then the sheet closes and the claim they tapped is paid, in the same room
            await page.wait_for_selector("#sign-in-sheet", state="hidden", timeout=WAIT_MS)
            result = page.locator("#drop-buy .result", has_text="Paid")
            await result.wait_for(timeout=WAIT_MS)
            assert page.url == room_url
            # ... while the video never stopped
            assert await _playing_time(page, before) > before
            assert await page.text_content(".topbar .account .who") == "Aline Uwase"
            await shoot(page, "sign-in-sheet-after-phone")
            await page.set_viewport_size(DESKTOP)
            await shoot(page, "sign-in-sheet-after-desktop")

            # A viewer who has an account signs in from the sheet, in French
            french = await browser.new_context(viewport=PHONE, locale="fr-FR")
            page = await french.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await page.goto(room_url)
            before = await _playing_time(page, 1.0)
            await _tap_claim(page)
            assert await page.text_content("#sheet-up-title") == "Créez un compte pour acheter"
            await shoot(page, "sign-in-sheet-fr-phone")
            await page.click("#sign-in-sheet [data-pane-to=in]")
            await page.fill("#sheet-login-email", "aline@example.org")
            await page.fill("#sheet-login-password", "not the password")
            await page.click("#sheet-sign-in button[type=submit]")
            await page.locator(
                '#sheet-sign-in [data-error-for="form"]', has_text="mot de passe"
            ).wait_for(timeout=WAIT_MS)
            await page.set_viewport_size(DESKTOP)
            await page.evaluate("window.scrollTo(0, 0)")  # the video behind the sheet
            await shoot(page, "sign-in-sheet-fr-desktop")
            await page.fill("#sheet-login-password", PASSWORD)
            await page.click("#sheet-sign-in button[type=submit]")
            paid = page.locator("#drop-buy .result", has_text="Payé ✓")
            await paid.wait_for(timeout=WAIT_MS)
            assert page.url == room_url
            assert await _playing_time(page, before) > before
            await french.close()
    finally:
        if publisher.returncode is None:
            publisher.kill()
        await publisher.wait()

    async with container.db.read() as session:
        [user] = list(await session.scalars(select(User).where(User.email == "aline@example.org")))
        orders = list(await session.scalars(select(Order).where(Order.buyer_id == user.id)))
    assert user.display_name == "Aline Uwase"
    assert [o.status for o in orders] == ["paid", "paid"]
    assert errors == []


async def test_the_sign_up_page_keeps_the_input_and_comes_back(
    served: tuple[str, Container],
) -> None:
    """/register without the sheet, as a person uses it: empty, then a long paste, then a
    double tap; "Forgot password?" in French."""

    base, container = served
    errors: list[str] = []
    async with chromium() as browser:
        page = await browser.new_page(viewport=PHONE)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(f"{base}/login?next=/account")
        await page.click("a[href^='/register']")
        await page.wait_for_url(f"{base}/register?next=/account")
        # An empty form comes back with a sentence beside each field
        await page.click("form.form button[type=submit]")
        await page.wait_for_selector("#display_name[aria-invalid=true]")
        await shoot(page, "register-errors-phone")
        # A long pasted name: the field takes 80 characters, the email is kept
        await page.fill("#display_name", "Coopérative " * 30)
        assert len(await page.input_value("#display_name")) == 80
        await page.fill("#display_name", "Mei Lin")
        await page.fill("#email", "not an email")
        await page.fill("#password", PASSWORD)
        await page.click("form.form button[type=submit]")
        await page.wait_for_selector("#email[aria-invalid=true]")
        assert await page.input_value("#display_name") == "Mei Lin"
        assert await page.input_value("#password") == ""  # never sent back
        # Tapped twice, the account is made once and the viewer lands on `next`
        await page.fill("#email", "mei@example.org")
        await page.fill("#password", PASSWORD)
        await page.dblclick("form.form button[type=submit]")
        await page.wait_for_url(f"{base}/account")
        assert await page.text_content(".topbar .who") == "Mei Lin"
        await page.set_viewport_size(DESKTOP)
        # Signed in, the form sends them on
        await page.goto(f"{base}/register?next=/account")
        await page.wait_for_url(f"{base}/account")

        french = await browser.new_context(viewport=PHONE, locale="fr-FR")
        page = await french.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(f"{base}/login")
        await page.click("a[href^='/forgot-password']")
        await page.wait_for_selector("h1:has-text('Mot de passe oublié')")
        await shoot(page, "forgot-password-fr-phone")
        await page.goto(f"{base}/register")
        await page.set_viewport_size(DESKTOP)
        await page.click("form.form button[type=submit]")
        await page.wait_for_selector("#password[aria-invalid=true]")
        await shoot(page, "register-errors-fr-desktop")
        await french.close()
    async with container.db.read() as session:
        users = list(await session.scalars(select(User)))
    assert [u.email for u in users] == ["mei@example.org"]
    assert errors == []
