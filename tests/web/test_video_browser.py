"""The viewer page plays the show's live video in a real browser (Debian's Chromium driven by
Playwright), and the replay page plays the recording.

A synthetic publisher pushes over RTMP, a media worker packages LL-HLS, and hls.js on the page
plays it: the video's currentTime must advance and its program date-time must be known.
Screenshots go to var/screenshots/ (CI keeps them). Without Chromium the test skips with a
message, except in CI (CI=true), where a missing browser fails the run.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

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
)

require_chromium()


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, Container]]:
    """The app on a real port, its public URL pointing at itself, RTMP on."""
    async with served_app(tmp_path, rtmp_enabled=True) as served:
        yield served


async def _advancing(page: Any, seconds: float) -> float:
    """Wait until the page's video has played past `seconds`; its currentTime."""
    await page.wait_for_function(
        f"() => window.livebazaarPlayer && window.livebazaarPlayer.video.currentTime > {seconds}",
        timeout=WAIT_MS,
    )
    current: float = await page.evaluate("window.livebazaarPlayer.video.currentTime")
    return current


async def test_the_viewer_page_plays_the_live_video_and_the_replay(
    served: tuple[str, Container],
) -> None:
    from playwright.async_api import async_playwright

    base, container = served
    import httpx

    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        stage = await make_stage(api)
        r = await client.post(f"{stage.url}/stream-key", headers=stage.owner.headers)
        assert r.status_code == 201, r.text
        rtmp_url = r.json()["rtmp_url"]
        publisher = await asyncio.create_subprocess_exec(
            *[sys.executable, "-m", "livebazaar.media.synthetic", "rtmp", rtmp_url],
            *["--seconds", "20", "--width", "640", "--height", "360"],
            stdout=asyncio.subprocess.DEVNULL,
        )
        errors: list[str] = []
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = await browser.new_page(viewport=PHONE)
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                await page.goto(f"{base}/shows/{stage.show_id}")
                # Then the live video plays: time advances and the picture has a date
                first = await _advancing(page, 1.0)
                later = await _advancing(page, first + 1.0)
                assert later > first
                playing_date = await page.evaluate("String(window.livebazaarPlayer.playingDate())")
                assert playing_date not in ("null", "undefined", "Invalid Date")
                await shoot(page, "viewer-live-phone")
                await page.set_viewport_size(DESKTOP)
                await shoot(page, "viewer-live-desktop")

                # When the show ends, the replay page plays the recording
                publisher.terminate()
                await publisher.wait()
                r = await client.post(f"{stage.url}/end", headers=stage.owner.headers)
                assert r.status_code == 200, r.text
                assert r.json()["playback"]["vod_url"] is not None
                replay = await browser.new_page(viewport=PHONE)
                replay.on("pageerror", lambda exc: errors.append(str(exc)))
                await replay.goto(f"{base}/shows/{stage.show_id}/replay")
                # (a replay waits for the viewer to press play)
                await replay.wait_for_function(
                    "() => window.livebazaarPlayer?.video.readyState >= 2"
                )
                await replay.evaluate("window.livebazaarPlayer.video.play()")
                assert await _advancing(replay, 1.0) > 1.0
                await shoot(replay, "replay-phone")
                await browser.close()
        finally:
            if publisher.returncode is None:
                publisher.kill()
                await publisher.wait()
    assert errors == []
