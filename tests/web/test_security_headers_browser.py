"""The Content-Security-Policy holds in Debian's Chromium: an inline script does not run and is
reported (so every browser test would fail on one, tests/web/conftest.py), and no other site
can frame the sign-in form. Skips without Chromium, fails without it in CI."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.web.browser import ARGS, CHROMIUM, PHONE, WAIT_MS, require_chromium, served_app

require_chromium()


async def _reported(violations: list[str], what: str) -> None:
    """Wait for the browser's report of `what`, then forget it (it was provoked)."""
    for _ in range(WAIT_MS // 50):  # a safety net, not a measure of speed
        if any(what in report for report in violations):
            violations.clear()
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no report of {what}: {violations}")


async def test_an_inline_script_is_blocked_and_reported_and_no_page_can_be_framed(
    tmp_path: Path, csp_violations: list[str]
) -> None:
    from playwright.async_api import async_playwright

    async with served_app(tmp_path) as (base, _), async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport=PHONE)
            page.set_default_timeout(WAIT_MS)
            # Given the sign-in page
            await page.goto(f"{base}/login")
            # When something injects an inline script into it
            await page.evaluate(
                """() => { const s = document.createElement('script');
                           s.textContent = 'window.__injected = 1'; document.body.append(s); }"""
            )
            # Then it does not run, and the browser reports it
            assert await page.evaluate("window.__injected") is None
            await _reported(csp_violations, "'violated-directive': 'script-src-elem'")
            # And another site framing the sign-in form gets no form
            framing = await browser.new_page(viewport=PHONE)
            await framing.set_content(f'<iframe src="{base}/login" width="300" height="300">')
            frame = framing.frames[-1]
            await framing.wait_for_load_state()
            assert await frame.query_selector("#password") is None
            await _reported(csp_violations, "'violated-directive': 'frame-ancestors'")
        finally:
            await browser.close()
