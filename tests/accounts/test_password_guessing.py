"""Guessing passwords, as a hostile user would: one account tried from one address meets a
lock (429 sign_in_locked with Retry-After) on the API and the sign-in page, while its owner
elsewhere still gets in (ADR 0014); and passwords a guesser tries first are refused at sign-up
(422 weak_password), on the API, the page and the room's sheet."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from livebazaar.accounts import User
from livebazaar.bootstrap import Container
from livebazaar.kernel.clock import ManualClock
from livebazaar.settings import Settings
from tests.conftest import make_settings
from tests.support import Api, assert_problem, form_token, sign_in_page

PASSWORD = "correct horse"
LIMIT = 5


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, sign_in_account_rate_per_15min=LIMIT)


@pytest.fixture
async def elsewhere(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client from another address (the account's owner at home)."""
    transport = httpx.ASGITransport(app=app, client=("192.0.2.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _token(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/token", json={"email": email, "password": password})


async def test_guessing_one_password_meets_a_lock_that_its_owner_elsewhere_does_not(
    client: httpx.AsyncClient, elsewhere: httpx.AsyncClient, api: Api, clock: ManualClock
) -> None:
    account = await api.account("Aline")  # one sign-in from this address
    # Given a guesser trying wrong passwords for the account from one address
    for n in range(LIMIT - 1):
        assert_problem(await _token(client, account.email, f"guess {n}"), 401, "bad_credentials")
    # When they go on, even with the right password, the account is locked for them
    r = await _token(client, account.email, PASSWORD)
    body = assert_problem(r, 429, "sign_in_locked")
    assert 0 < int(r.headers["Retry-After"]) <= 900
    assert body["retry_after_s"] > 0
    r = await _token(client, account.email.upper(), PASSWORD)  # another spelling, same account
    assert_problem(r, 429, "sign_in_locked")
    # ... on the sign-in page as well, in the reader's language
    r = await sign_in_page(client, account.email, PASSWORD, headers={"Accept-Language": "fr"})
    assert r.status_code == 429
    assert "Trop de tentatives de connexion pour ce compte" in r.text
    assert int(r.headers["Retry-After"]) > 0
    assert "lb_session" not in r.headers.get("set-cookie", "")
    # Then its owner at another address still signs in, and so does another account here
    assert (await _token(elsewhere, account.email, PASSWORD)).status_code == 200
    other = await api.account("Kofi")
    assert (await _token(client, other.email, PASSWORD)).status_code == 200
    # And the lock is temporary: 15 minutes later the guesser's address may try again
    clock.advance(15 * 60 + 1)
    assert (await _token(client, account.email, PASSWORD)).status_code == 200


async def test_an_unknown_email_is_locked_alike(client: httpx.AsyncClient) -> None:
    """The lock must not tell which emails have an account."""
    for _ in range(LIMIT):
        r = await _token(client, "ghost@example.org", "nope nope")
        assert_problem(r, 401, "bad_credentials")
    assert_problem(await _token(client, "ghost@example.org", "nope"), 429, "sign_in_locked")


async def _users(container: Container) -> int:
    async with container.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


@pytest.mark.parametrize(
    "password",
    ["password", "12345678", "qwertyuiop", "iloveyou123", "P@ssw0rd1", "aline2026", "livebazaar1"],
)
async def test_a_guessable_password_is_refused_on_the_api(
    client: httpx.AsyncClient, container: Container, password: str
) -> None:
    body = {"email": "aline@example.org", "password": password, "display_name": "Aline"}
    r = await client.post("/api/v1/auth/register", json=body)
    assert_problem(r, 422, "weak_password")
    assert await _users(container) == 0


async def test_a_guessable_password_is_refused_beside_its_field_in_four_languages(
    client: httpx.AsyncClient, container: Container
) -> None:
    fields = {"display_name": "Aline", "email": "aline@example.org", "password": "password1"}
    for lang, words in (
        ("en", "too easy to guess"),
        ("fr", "trop facile à deviner"),
        ("es", "demasiado fácil de adivinar"),
        ("zh", "太容易被猜到"),
    ):
        token = await form_token(client, "/register")
        r = await client.post(
            "/register", data={**fields, "form_token": token}, headers={"Accept-Language": lang}
        )
        assert r.status_code == 422
        assert re.search(f'data-error-for="password">[^<]*{words}', r.text), (lang, r.text)
        assert 'value="aline@example.org"' in r.text  # the input kept
    # The room's sheet gets it as a problem naming the field
    token = await form_token(client, "/register")
    r = await client.post(
        "/register", data={**fields, "form_token": token}, headers={"Accept": "application/json"}
    )
    body = assert_problem(r, 422, "weak_password")
    assert "too easy to guess" in body["fields"]["password"]
    assert await _users(container) == 0
    # A pass phrase goes through
    token = await form_token(client, "/register")
    r = await client.post(
        "/register", data={**fields, "password": "mango river at dawn", "form_token": token}
    )
    assert r.status_code == 303
