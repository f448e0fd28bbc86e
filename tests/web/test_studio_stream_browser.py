"""The studio's "What viewers see" in Debian's Chromium (Playwright): a synthetic publisher
sends the show over RTMP (as OBS would) while the host's camera stays off; the studio says so,
marks it on air and previews the viewers' stream; when the show ends, it is off air. Before,
the panel said "Camera off" with no word of the RTMP stream and stayed "On air" after the end.
Screenshots go to var/screenshots/studio-stream-*.png. Skips without Chromium, fails without it
in CI."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from livebazaar.bootstrap import Container
from tests.live.stage import make_stage
from tests.support import Api
from tests.web.browser import (
    ARGS,
    CHROMIUM,
    DESKTOP,
    PHONE,
    WAIT_MS,
    require_chromium,
    served_app,
    shoot,
    sign_in,
)

require_chromium()


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, Container]]:
    async with served_app(tmp_path, rtmp_enabled=True) as served:
        yield served


async def test_the_studio_shows_the_stream_as_the_server_knows_it(
    served: tuple[str, Container],
) -> None:
    from playwright.async_api import async_playwright

    base, container = served
    errors: list[str] = []
    async with httpx.AsyncClient(base_url=base) as client:
        # Given a live show with no video yet, its studio open on a phone
        api = Api(client, container)
        stage = await make_stage(api)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            publisher = None
            try:
                page = await browser.new_page(viewport=PHONE)
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                await sign_in(page, base, stage.owner, f"/studio/shows/{stage.show_id}")
                state = page.locator("#stream-state")
                await state.filter(has_text="no video arrives").wait_for(timeout=WAIT_MS)
                assert await page.locator("#on-air").is_hidden()
                # When OBS (a synthetic publisher) sends the show over RTMP
                r = await client.post(f"{stage.url}/stream-key", headers=stage.owner.headers)
                assert r.status_code == 201, r.text
                publisher = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "livebazaar.media.synthetic", "rtmp",
                    r.json()["rtmp_url"], "--seconds", "60", "--width", "640", "--height", "360",
                    stdout=asyncio.subprocess.DEVNULL,
                )  # fmt: skip
                # Then the studio says it is on air over RTMP and previews what viewers get
                await state.filter(has_text="over RTMP").wait_for(timeout=WAIT_MS)
                show = (await client.get(stage.url)).json()
                assert show["playback"]["publisher"] == "rtmp"  # what the page read
                assert await page.locator("#on-air").is_visible()
                await page.wait_for_function(
                    "() => window.livebazaarPlayer?.video.currentTime > 1", timeout=WAIT_MS
                )
                assert await page.locator("#stream-video").get_attribute("muted") is not None
                await page.locator("#stream-wait").wait_for(state="hidden", timeout=WAIT_MS)
                await shoot(page, "studio-stream-rtmp-phone")
                await page.set_viewport_size(DESKTOP)
                await shoot(page, "studio-stream-rtmp-desktop")
                # When the show ends (from the API, as a co-host would)
                r = await client.post(f"{stage.url}/end", headers=stage.owner.headers)
                assert r.status_code == 200, r.text
                # Then it is off air, and says why
                await state.filter(has_text="The show has ended").wait_for(timeout=WAIT_MS)
                assert await page.locator("#on-air").is_hidden()
                await shoot(page, "studio-stream-ended-desktop")
            finally:
                await browser.close()
                if publisher is not None and publisher.returncode is None:
                    publisher.kill()
                    await publisher.wait()
    assert errors == []
