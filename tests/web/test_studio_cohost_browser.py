"""Co-host invitations in Debian's Chromium (Playwright): the host invites from the studio, the
invitee declines then accepts from their /studio, the owner ticks what the co-host may also
do (and the co-host's studio shows it once reloaded), and the owner withdraws. Screenshots go
to var/screenshots/studio-cohost-*.png. Skips without Chromium, fails without it in CI."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from livebazaar.bootstrap import Container
from tests.live.stage import make_stage
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


async def _states(page: Any) -> list[str]:
    await page.locator("#cohost-list li.cohost-item").first.wait_for(timeout=WAIT_MS)
    return [" ".join(t.split()) for t in await page.locator("#cohost-list li").all_inner_texts()]


async def _open_panel(page: Any) -> None:
    await page.locator("#cohost summary").click()
    await page.locator("#cohost-email").wait_for(state="visible", timeout=WAIT_MS)


async def _invite(page: Any, email: str) -> None:
    await page.fill("#cohost-email", email)
    await page.locator("#cohost-form button[type=submit]").click()
    result = page.locator("#cohost-form .result")
    await result.filter(has_text="Invited").wait_for(timeout=WAIT_MS)


async def test_the_host_invites_and_the_invitee_answers_from_the_pages(
    served: tuple[str, Container],
) -> None:

    base, container = served
    # Given a live show and a viewer with an account, not a member of the shop
    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        stage = await make_stage(api)
        guest = await api.account("Guest")

    errors: list[str] = []
    async with chromium() as browser:
        host_ctx = await browser.new_context(viewport=PHONE)
        host = await host_ctx.new_page()
        guest_ctx = await browser.new_context(viewport=DESKTOP)
        guest_page = await guest_ctx.new_page()
        for page in (host, guest_page):
            page.on("pageerror", lambda error: errors.append(str(error)))
        host.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
        studio = f"/studio/shows/{stage.show_id}"
        await sign_in(host, base, stage.owner, studio)
        await _open_panel(host)
        # When the host submits an empty form, then invites the guest by email
        await host.locator("#cohost-form button[type=submit]").click()
        await host.locator("#cohost-form .result.bad").wait_for(timeout=WAIT_MS)
        assert await host.evaluate("document.activeElement.id") == "cohost-email"
        await _invite(host, guest.email)
        # Then the page stayed (no reload with ?email= in the address) and lists her
        assert host.url == f"{base}{studio}"
        assert await _states(host) == [f"Guest {guest.email} Waiting for an answer Withdraw"]
        await shoot(host.locator("#cohost"), "studio-cohost-pending")

        # When the guest opens her account, follows the link to her studio and declines
        await sign_in(guest_page, base, guest, "/account")
        await guest_page.click("#cohost-invites-note a")
        await guest_page.wait_for_url(f"{base}/studio#invitations")
        item = guest_page.locator("#invite-list li")
        assert "Pearls at dawn" in await item.inner_text()
        await shoot(guest_page, "studio-cohost-invitation")
        await guest_page.get_by_role("button", name="Decline Pearls at dawn").click()
        await (
            guest_page.locator("#invite-result")
            .filter(has_text="Declined")
            .wait_for(timeout=WAIT_MS)
        )
        assert await item.count() == 0
        # Then the host sees it declined (when the panel is opened again)
        await host.reload()
        await _open_panel(host)
        assert (await _states(host))[0].endswith("Declined Withdraw")

        # When the host asks again and the guest accepts, her studio of the show opens
        await _invite(host, guest.email)
        # (on her phone, in French)
        await guest_ctx.add_cookies([{"name": "lb_lang", "value": "fr", "url": base}])
        await guest_page.set_viewport_size(PHONE)
        await guest_page.goto(f"{base}/studio")
        await shoot(guest_page, "studio-cohost-invitation-fr-phone")
        await guest_page.get_by_role("button", name="Accepter Pearls at dawn").click()
        await guest_page.wait_for_url(f"{base}{studio}")
        # (a co-host without grants: no drop form, no End show, no stream key)
        for absent in ("#drop-form", "#end-show", "#rtmp-ask"):
            assert await guest_page.locator(absent).count() == 0, absent
        await host.reload()
        await _open_panel(host)
        assert "Accepted Withdraw" in (await _states(host))[0]
        # When the owner ticks "Start and end drops" for her
        box = host.get_by_role("checkbox", name="Start and end drops")
        assert not await box.is_checked()
        await box.check()
        result = host.locator("#cohost-form .result")
        await result.filter(has_text="Saved what Guest may do").wait_for(timeout=WAIT_MS)
        await shoot(host.locator("#cohost"), "studio-cohost-accepted")
        async with httpx.AsyncClient(base_url=base) as client:
            r = await client.get(
                f"/api/v1/shows/{stage.show_id}/cohosts", headers=stage.owner.headers
            )
            assert [i["grants"] for i in r.json()] == [["drops"]]
        # Then her studio, reloaded, has the drop form, its price the list price
        await guest_page.reload()
        await guest_page.locator("#drop-form").wait_for(timeout=WAIT_MS)
        assert await guest_page.locator("#drop-price").get_attribute("readonly") is not None
        await guest_page.wait_for_function(
            "() => document.getElementById('drop-price').value !== ''", timeout=WAIT_MS
        )
        await shoot(guest_page.locator("#drop-form"), "studio-cohost-drops-granted-fr-phone")
        # And when the host withdraws it, she is no longer listed, nor a host of the show
        await host.get_by_role("button", name="Withdraw Guest").click()
        await host.locator("#cohost-list li.muted").wait_for(timeout=WAIT_MS)
        async with httpx.AsyncClient(base_url=base) as client:
            hosts = (await client.get(f"/api/v1/shows/{stage.show_id}")).json()["hosts"]
        assert [h["role"] for h in hosts] == ["host"]
    assert errors == []
