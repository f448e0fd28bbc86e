"""Tokens and page sessions end when unused for token_idle_ttl_s, their last use written at
most once per token_touch_interval_s; the token-owner cache never outlives that. Cookies are
Secure by themselves when the public URL is https."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from livebazaar.accounts.models import AuthToken
from livebazaar.bootstrap import Container, all_metadata, build_container
from livebazaar.kernel.clock import ManualClock
from livebazaar.settings import Settings
from livebazaar.web.app import create_app
from tests.conftest import make_settings
from tests.support import Api, assert_problem, sign_in_page

DAY = 24 * 3600


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The token-owner cache may remember owners for 30 days: longer than the idle time."""
    return make_settings(tmp_path, actor_cache_ttl_s=30 * DAY)


async def _last_used(container: Container) -> list[datetime]:
    async with container.db.read() as session:
        return list(await session.scalars(select(AuthToken.last_used_at)))


async def test_an_unused_token_ends_after_the_idle_time(
    client: httpx.AsyncClient, api: Api, clock: ManualClock
) -> None:
    # Given a token (30 days to live) left unused for longer than the idle time (7 days)
    account = await api.account()
    clock.advance(api.container.settings.token_idle_ttl_s + 1)
    # Then it no longer works, long before its expiry
    assert_problem(await client.get("/api/v1/me", headers=account.headers), 401, "invalid_token")


async def test_a_token_in_use_lives_on_and_its_use_is_written_once_per_interval(
    client: httpx.AsyncClient, api: Api, clock: ManualClock
) -> None:
    account = await api.account()
    [issued] = await _last_used(api.container)
    # Used again within the touch interval: nothing is written
    clock.advance(api.container.settings.token_touch_interval_s - 60)
    assert (await client.get("/api/v1/me", headers=account.headers)).status_code == 200
    assert await _last_used(api.container) == [issued]
    # Used every 6 days, it outlives the 7 days of idleness, up to its 30 days
    for _ in range(4):
        clock.advance(6 * DAY)
        assert (await client.get("/api/v1/me", headers=account.headers)).status_code == 200
    [touched] = await _last_used(api.container)
    assert touched == clock.now()
    clock.advance(6 * DAY + 1)  # 30 days and a second old
    assert_problem(await client.get("/api/v1/me", headers=account.headers), 401, "invalid_token")


async def test_the_token_owner_cache_keeps_the_idle_expiry(
    client: httpx.AsyncClient, api: Api, clock: ManualClock
) -> None:
    account = await api.account()
    assert (await client.get("/api/v1/me", headers=account.headers)).status_code == 200
    clock.advance(api.container.settings.token_idle_ttl_s + 1)
    assert_problem(await client.get("/api/v1/me", headers=account.headers), 401, "invalid_token")


@pytest.mark.parametrize(
    ("public_url", "cookie_secure", "secure"),
    [
        ("https://shop.example.org", None, True),
        ("http://127.0.0.1:8000", None, False),
        ("https://shop.example.org", False, False),
        ("http://127.0.0.1:8000", True, True),
    ],
)
def test_cookies_are_secure_by_themselves_on_an_https_site(
    tmp_path: Path, public_url: str, cookie_secure: bool | None, secure: bool
) -> None:
    s = make_settings(tmp_path, public_url=public_url, cookie_secure=cookie_secure)
    assert s.secure_cookies is secure


async def test_the_session_cookie_is_secure_on_an_https_site(
    tmp_path: Path, clock: ManualClock
) -> None:
    container = build_container(
        make_settings(tmp_path, public_url="https://shop.example.org"), clock=clock
    )
    async with container.db.engine.begin() as conn:
        await conn.run_sync(all_metadata().create_all)
    app = create_app(container, background=False)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="https://shop") as client:
                account = await Api(client, container).account("Ana")
                r = await sign_in_page(client, account.email)
    finally:
        await container.close()
    assert r.status_code == 303
    assert r.headers["set-cookie"].startswith("lb_session=")
    assert "; secure" in r.headers["set-cookie"].lower()
