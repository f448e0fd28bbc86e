"""What the real-browser tests share: Debian's Chromium and its flags, the rule that it must
exist in CI, where screenshots go, signing in through the form, and the app served on a real
port with its public URL pointing at itself (video and WHIP URLs must reach it)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, ViewportSize

from livebazaar.bootstrap import Container, all_metadata, build_container
from livebazaar.web.app import create_app, start_rtmp
from livebazaar.web.periodic import run_every
from livebazaar.web.routes import periodic_jobs
from tests.conftest import free_port, make_settings, serving
from tests.support import Account

CHROMIUM = os.environ.get("LIVEBAZAAR_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
    "--use-fake-device-for-media-stream",  # a synthetic camera and microphone
    "--use-fake-ui-for-media-stream",
]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WAIT_MS = 60_000  # a safety net against hanging, never an assertion about speed
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PASSWORD = "correct horse"  # tests.support.Api.account's default


def require_chromium() -> None:
    """Skip the calling module without Chromium (and node, for the page modules), except in
    CI, where a missing browser fails the run (.ci/run installs it)."""
    if Path(CHROMIUM).exists() and shutil.which("node") is not None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI needs Chromium at {CHROMIUM} (.ci/run installs it)", pytrace=False)
    pytest.skip(
        f"real-browser tests need Chromium at {CHROMIUM} (apt install chromium)",
        allow_module_level=True,
    )


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium with the suite's flags, closed on the way out."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def shoot(target: Any, name: str, *, full_page: bool = False) -> None:
    """A screenshot of a page (`full_page` for all of it) or a locator to
    var/screenshots/<name>.png, to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    options = {"full_page": True} if full_page else {}
    await target.screenshot(path=str(SHOTS / f"{name}.png"), **options)


async def sign_in(page: Any, base: str, account: Account, next_path: str) -> None:
    await page.goto(f"{base}/login?next={next_path}")
    await page.fill("#email", account.email)
    await page.fill("#password", PASSWORD)
    await page.click("form.form button[type=submit]")
    await page.wait_for_url(f"{base}{next_path}")


@contextlib.asynccontextmanager
async def served_app(
    tmp_path: Path, *, background: bool = False, **settings: Any
) -> AsyncIterator[tuple[str, Container]]:
    """The app on a free port with the real clock; RTMP too when `rtmp_enabled=True`; its
    periodic work (viewer counts, the sweeper) too with `background=True`."""
    port = free_port()
    if settings.get("rtmp_enabled"):
        settings.setdefault("rtmp_port", free_port())
    config = make_settings(
        tmp_path, public_url=f"http://127.0.0.1:{port}", media_ladder=(), **settings
    )
    container = build_container(config)
    async with container.db.engine.begin() as conn:
        await conn.run_sync(all_metadata().create_all)
    app = create_app(container, background=False)
    rtmp = await start_rtmp(container)
    jobs = [asyncio.create_task(run_every(job)) for job in periodic_jobs(app)] if background else []
    try:
        async with serving(app, port) as url:
            yield url, container
    finally:
        for task in jobs:
            task.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        if rtmp is not None:
            await rtmp.close()
        await container.close()
