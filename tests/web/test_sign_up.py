"""Signing up from the pages (/register), "forgot password", and the per-address limits on
creating accounts and signing in, on the pages and the API."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from livebazaar.accounts import User
from livebazaar.bootstrap import Container
from livebazaar.kernel.clock import ManualClock
from livebazaar.settings import Settings
from tests.conftest import make_settings
from tests.support import Api, assert_problem, form_token, sign_in_page

PASSWORD = "correct horse"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Low limits, so that a test reaches them: 3 accounts an hour, 4 sign-ins in 10 min."""
    return make_settings(tmp_path, register_rate_per_hour=3, sign_in_rate_per_10min=4)


async def _form(client: httpx.AsyncClient, next_: str = "/") -> str:
    """Open /register as a browser does: its form token (also set as the lb_form cookie)."""
    page = await client.get(f"/register?next={next_}")
    assert page.status_code == 200
    match = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert match is not None
    assert client.cookies.get("lb_form") == match.group(1)
    return match.group(1)


def _fields(**values: str) -> dict[str, str]:
    return {"display_name": "Aline", "email": "aline@example.org", "password": PASSWORD, **values}


async def _users(container: Container) -> int:
    async with container.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def test_sign_up_creates_the_account_signs_it_in_and_goes_back(
    client: httpx.AsyncClient, container: Container
) -> None:
    # Given a viewer sent to /register from a show
    token = await _form(client, "/shows/abc")
    # When they sign up
    r = await client.post(
        "/register", data={**_fields(), "form_token": token, "next": "/shows/abc"}
    )
    # Then they are back at the show, signed in with a session cookie
    assert r.status_code == 303
    assert r.headers["location"] == "/shows/abc"
    assert r.headers["set-cookie"].startswith(f"{container.settings.session_cookie_name}=")
    assert "Aline" in (await client.get("/")).text
    # And the account signs in from /login too
    client.cookies.clear()
    r = await sign_in_page(client, "ALINE@example.org", PASSWORD)
    assert r.status_code == 303
    # A foreign `next` is not followed
    client.cookies.clear()
    token = await _form(client)
    r = await client.post(
        "/register",
        data={**_fields(email="b@example.org"), "form_token": token, "next": "//evil.example"},
    )
    assert r.headers["location"] == "/"


async def test_sign_up_refuses_a_taken_email_beside_the_field(
    client: httpx.AsyncClient, api: Api, container: Container
) -> None:
    # Given an account with this email
    taken = (await api.account("Aline")).email.upper()
    # When someone signs up with it again (another case)
    token = await _form(client)
    r = await client.post("/register", data={**_fields(email=taken), "form_token": token})
    # Then the form comes back with the message beside the email, their input kept
    assert r.status_code == 409
    assert 'id="email-error" data-error-for="email">An account with this email exists' in r.text
    assert f'value="{taken}"' in r.text
    assert PASSWORD not in r.text
    assert await _users(container) == 1


async def test_sign_up_says_what_is_missing_and_keeps_the_input(
    client: httpx.AsyncClient, container: Container
) -> None:
    token = await _form(client)
    r = await client.post(
        "/register",
        data={"display_name": "  ", "email": "", "password": "short", "form_token": token},
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    for field, words in (
        ("display_name", "Enter your name"),
        ("email", "Enter an email address"),
        ("password", "at least 8 characters"),
    ):
        assert re.search(f'data-error-for="{field}">[^<]*{words}', r.text), field
    assert re.search(r'id="display_name"[^>]*autofocus', r.text)  # the first one to fix
    assert r.text.count("autofocus") == 1
    assert await _users(container) == 0


async def test_a_long_paste_is_refused_beside_its_field_and_a_huge_one_with_a_problem(
    client: httpx.AsyncClient, container: Container
) -> None:
    token = await _form(client)
    long_name = "Ferme " * 500  # 3,000 characters
    r = await client.post(
        "/register", data={**_fields(display_name=long_name), "form_token": token}
    )
    assert r.status_code == 422
    assert re.search('data-error-for="display_name">[^<]*at most 80 characters', r.text)
    r = await client.post("/register", data={**_fields(password="x" * 300), "form_token": token})
    assert re.search('data-error-for="password">[^<]*at most 256 characters', r.text)
    # Beyond any form's bounds, a problem, never a 500
    r = await client.post("/register", data={**_fields(email="a" * 20_000), "form_token": token})
    assert_problem(r, 422, "validation_failed")
    assert await _users(container) == 0


async def test_sign_up_needs_the_form_token(
    client: httpx.AsyncClient, container: Container
) -> None:
    # Another site posting the form has no lb_form cookie, or not the one it sends
    r = await client.post("/register", data={**_fields(), "form_token": "x" * 32})
    assert r.status_code == 403
    assert "This form had expired" in r.text
    await _form(client)
    r = await client.post("/register", data={**_fields(), "form_token": "y" * 32})
    assert r.status_code == 403
    r = await client.post("/register", data={**_fields(), "form_token": "é" * 32})
    assert r.status_code == 403  # not ASCII: refused, not a 500
    r = await client.post("/register", data={**_fields()}, headers={"Accept": "application/json"})
    assert_problem(r, 403, "csrf_failed")
    assert await _users(container) == 0
    assert container.settings.session_cookie_name not in client.cookies


async def test_the_sheet_signs_up_and_in_over_json(
    client: httpx.AsyncClient, container: Container
) -> None:
    json_ = {"Accept": "application/json"}
    token = await _form(client)
    # A refusal names each field's problem
    r = await client.post(
        "/register", data={**_fields(email="nope"), "form_token": token}, headers=json_
    )
    body = assert_problem(r, 422, "validation_failed")
    assert set(body["fields"]) == {"email"}
    # Success answers the session's CSRF token, for the page's later calls
    r = await client.post("/register", data={**_fields(), "form_token": token}, headers=json_)
    assert r.status_code == 200, r.text
    csrf = r.json()["csrf_token"]
    assert r.json()["display_name"] == "Aline"
    me = await client.get("/api/v1/me")
    assert me.json()["email"] == "aline@example.org"
    r = await client.post("/api/v1/me/addresses", json={}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422  # past the CSRF check: the address is what is wrong
    # Signing in answers the same way, and a wrong password as a problem
    client.cookies.clear()
    r = await sign_in_page(client, "aline@example.org", "wrong one", headers=json_)
    assert_problem(r, 401, "bad_credentials")
    r = await sign_in_page(client, "aline@example.org", PASSWORD, headers=json_)
    assert r.status_code == 200
    assert r.json()["display_name"] == "Aline"


async def test_sign_ups_per_address_are_limited_on_the_page_and_the_api(
    client: httpx.AsyncClient, container: Container, clock: ManualClock
) -> None:
    # Given three accounts made from one address this hour (the limit), by page and API
    token = await _form(client)
    for n in range(2):
        r = await client.post(
            "/register", data={**_fields(email=f"p{n}@example.org"), "form_token": token}
        )
        assert r.status_code == 303
        client.cookies.delete(container.settings.session_cookie_name)
    body = {"email": "api@example.org", "password": PASSWORD, "display_name": "Api"}
    assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201
    # When a fourth is tried, the page says so and the API answers 429 with Retry-After
    r = await client.post(
        "/register", data={**_fields(email="p9@example.org"), "form_token": token}
    )
    assert r.status_code == 429
    assert "Too many new accounts from your network" in r.text
    assert 'value="p9@example.org"' in r.text
    assert int(r.headers["Retry-After"]) > 0
    r = await client.post("/api/v1/auth/register", json={**body, "email": "api2@example.org"})
    assert_problem(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) > 3000
    assert await _users(container) == 3
    # An hour later it works again
    clock.advance(3601)
    r = await client.post(
        "/register", data={**_fields(email="p9@example.org"), "form_token": token}
    )
    assert r.status_code == 303


async def test_sign_ins_per_address_are_limited_on_the_page_and_the_api(
    client: httpx.AsyncClient, api: Api, clock: ManualClock
) -> None:
    account = await api.account("Kofi")  # one sign-in, by the API
    for _ in range(2):
        r = await sign_in_page(client, account.email, "wrong!")
        assert r.status_code == 401
    r = await sign_in_page(client, account.email, PASSWORD)
    assert r.status_code == 303  # the fourth: at the limit, still in
    r = await sign_in_page(client, account.email, PASSWORD)
    assert r.status_code == 429
    assert "Too many sign-in attempts from your network" in r.text
    assert "Retry-After" in r.headers
    r = await client.post("/api/v1/auth/token", json={"email": account.email, "password": PASSWORD})
    assert_problem(r, 429, "rate_limited")
    clock.advance(601)
    r = await sign_in_page(client, account.email, PASSWORD)
    assert r.status_code == 303


async def test_the_pages_link_each_other_in_four_languages(client: httpx.AsyncClient) -> None:
    login = await client.get("/login?next=/shows/abc")
    assert 'href="/register?next=/shows/abc"' in login.text
    assert 'href="/forgot-password?next=/shows/abc"' in login.text
    assert "The demo prints its logins" not in login.text  # only the demo says that
    register = await client.get("/register?next=/shows/abc")
    assert 'href="/login?next=/shows/abc"' in register.text
    forgot = await client.get("/forgot-password", headers={"Accept-Language": "fr"})
    assert forgot.status_code == 200
    assert "Mot de passe oublié" in forgot.text
    for lang, words in (("zh", "创建账户"), ("es", "Crear una cuenta"), ("fr", "Créer un compte")):
        page = await client.get("/register", headers={"Accept-Language": lang})
        assert words in page.text, lang


async def test_the_limits_hold_across_nodes_sharing_a_redis(
    tmp_path: Path, clock: ManualClock
) -> None:
    """Sign-ins through node A count on node B when both count in one Redis."""
    from redis.asyncio import Redis

    from tests.brokers import forget_redis, redis_url, unique_prefix
    from tests.checkout.test_claims_across_nodes import two_nodes

    url, prefix = redis_url(), unique_prefix()
    shared = {"ratelimit_url": url, "broker_prefix": prefix, "sign_in_rate_per_10min": 4}
    client = Redis.from_url(url)
    try:
        async with two_nodes(tmp_path, clock, **shared) as (a, b):
            account = await a.account("Kofi")  # one sign-in, on node A
            for n in (b, a):
                assert (await sign_in_page(n.client, account.email, "wrong!")).status_code == 401
            assert (await sign_in_page(b.client, account.email, PASSWORD)).status_code == 303
            for n in (a, b):
                assert (await sign_in_page(n.client, account.email, PASSWORD)).status_code == 429
        # One key per limit and client address (and account: a digest, not the email),
        # namespaced by installation
        keys = sorted([k.decode() async for k in client.scan_iter(match=f"{prefix}:*")])
        assert keys[:2] == [f"{prefix}:ratelimit:{n}:127.0.0.1" for n in ("register", "sign_in")]
        assert re.fullmatch(f"{prefix}:ratelimit:sign_in_account:127.0.0.1:[0-9a-f]{{32}}", keys[2])
        assert len(keys) == 3
    finally:
        await client.aclose()
        await forget_redis(url, prefix)


async def test_a_nul_character_is_refused_not_a_500(client: httpx.AsyncClient) -> None:
    """PostgreSQL text cannot hold NUL: a name or a sign-in email with one is refused."""
    token = await _form(client)
    r = await client.post("/register", data={**_fields(display_name="A\x00"), "form_token": token})
    assert r.status_code == 422
    assert re.search('data-error-for="display_name">[^<]+', r.text)
    body = {"email": "a@example.org", "password": PASSWORD, "display_name": "A\x00"}
    assert_problem(await client.post("/api/v1/auth/register", json=body), 422, "validation_failed")
    r = await sign_in_page(client, "a\x00@example.org", PASSWORD)
    assert r.status_code == 401
    body = {"email": "a\x00@example.org", "password": PASSWORD}
    assert_problem(await client.post("/api/v1/auth/token", json=body), 401, "bad_credentials")


async def test_sign_in_needs_the_form_token(client: httpx.AsyncClient, api: Api) -> None:
    """Login CSRF: another site posting /login with its own account's password must not sign
    the visitor in to that account (it has no lb_form cookie, or not the one it sends)."""
    attacker = await api.account("Mallory")
    creds = {"email": attacker.email, "password": PASSWORD}
    r = await client.post("/login", data=creds)
    assert r.status_code == 403
    assert "This form had expired" in r.text
    assert 'name="form_token" value="' in r.text  # the form again, with a token to send it
    token = await form_token(client)
    for wrong in ("y" * 32, "é" * 32, ""):
        r = await client.post("/login", data={**creds, "form_token": wrong})
        assert r.status_code == 403
    r = await client.post("/login", data=creds, headers={"Accept": "application/json"})
    assert_problem(r, 403, "csrf_failed")
    assert container_cookie(client) is None
    # The page's own form signs in
    r = await client.post("/login", data={**creds, "form_token": token})
    assert r.status_code == 303
    assert container_cookie(client) is not None


def container_cookie(client: httpx.AsyncClient) -> str | None:
    return client.cookies.get("lb_session")
