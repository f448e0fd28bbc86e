"""The studio's "Muted or banned" list in Debian's Chromium (Playwright): a host opens the
studio of a show whose shop banned and muted viewers before (through the API, as another
moderator would), sees them listed by name, lifts one, and the list stays right after a
reload. Screenshots go to var/screenshots/studio-sanctions-*.png. Skips without Chromium,
fails without it in CI."""

from __future__ import annotations

from typing import Any

import httpx

from livebazaar.bootstrap import Container
from tests.live.stage import make_stage
from tests.support import Api
from tests.web.browser import (
    DESKTOP,
    WAIT_MS,
    chromium,
    require_chromium,
    shoot,
    sign_in,
)

require_chromium()


async def test_the_studio_lists_and_lifts_sanctions_made_before_it_opened(
    served: tuple[str, Container],
) -> None:

    base, container = served
    # Given a live show whose shop banned one viewer and muted another before the studio opened
    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        stage = await make_stage(api)
        troll, loud = await api.account("Troll"), await api.account("Loud")
        for kind, target, extra in (("bans", troll, {}), ("mutes", loud, {"minutes": 30})):
            r = await client.post(
                f"{stage.url}/{kind}",
                json={"user_id": target.user_id, **extra},
                headers=stage.owner.headers,
            )
            assert r.status_code == 201, r.text

    errors: list[str] = []
    async with chromium() as browser:
        ctx = await browser.new_context(viewport=DESKTOP)
        page = await ctx.new_page()

        def page_error(error: Any) -> None:
            errors.append(str(error))

        page.on("pageerror", page_error)
        path = f"/studio/shows/{stage.show_id}"
        # When the owner opens the studio
        await sign_in(page, base, stage.owner, path)
        items = page.locator("#sanction-list li.sanction")
        await items.nth(1).wait_for(timeout=WAIT_MS)
        # Then both are listed, the most recently sanctioned first
        texts = [t.strip() for t in await items.locator(".who").all_text_contents()]
        assert texts[0].startswith("Loud: muted until "), texts
        assert texts[1] == "Troll: banned", texts
        panel = page.locator(".sanctions")
        await panel.scroll_into_view_if_needed()
        await shoot(panel, "studio-sanctions-loaded")

        # When the owner lifts the ban
        await page.click(f'#sanction-list button.lift[data-user-id="{troll.user_id}"]')
        await page.wait_for_function(
            "() => document.getElementById('chat-result').textContent.includes('may chat again')",
            timeout=WAIT_MS,
        )
        # Then only the mute is left, and a reload (a fresh GET) agrees
        assert await items.count() == 1
        await page.reload()
        await page.locator("#sanction-list li.sanction").first.wait_for(timeout=WAIT_MS)
        texts = [t.strip() for t in await items.locator(".who").all_text_contents()]
        assert len(texts) == 1
        assert texts[0].startswith("Loud: muted until "), texts

        # And in French the list reads in French
        await ctx.add_cookies([{"name": "lb_lang", "value": "fr", "url": base}])
        await page.reload()
        await page.locator("#sanction-list li.sanction").first.wait_for(timeout=WAIT_MS)
        await panel.scroll_into_view_if_needed()
        await shoot(panel, "studio-sanctions-fr")
        assert "Loud" in await page.locator("#sanction-list").inner_text()
    assert errors == []
