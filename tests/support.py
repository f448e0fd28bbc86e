"""Test helpers that act through the real HTTP API, as a client would."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import httpx

from livebazaar.bootstrap import Container

# Where a test's paid order goes: paying needs a deliverable address (Kigali: no postal code).
SHIP_TO = {"name": "Aline Uwase", "line1": "KN 5 Rd", "city": "Kigali", "country": "RW"}

_counter = itertools.count(1)


@dataclass(frozen=True)
class Account:
    user_id: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    def __init__(self, client: httpx.AsyncClient, container: Container) -> None:
        self.client = client
        self.container = container

    async def account(self, name: str | None = None, password: str = "correct horse") -> Account:
        n = next(_counter)
        name = name or f"user{n}"
        email = f"{name.lower().replace(' ', '.')}.{n}@example.org"
        r = await self.client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": password, "display_name": name},
        )
        assert r.status_code == 201, r.text
        user_id = r.json()["id"]
        r = await self.client.post(
            "/api/v1/auth/token", json={"email": email, "password": password}
        )
        assert r.status_code == 200, r.text
        return Account(user_id=user_id, email=email, token=r.json()["access_token"])

    async def shop(
        self, owner: Account, name: str = "Xinchangle Pearls", currency: str = "CNY"
    ) -> dict[str, Any]:
        r = await self.client.post(
            "/api/v1/shops",
            json={"name": name, "country": "CN", "currency": currency},
            headers=owner.headers,
        )
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and stable code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["status"] == status
    return body


FORM_TOKEN = re.compile(r'name="form_token" value="([^"]*)"')


async def form_token(client: httpx.AsyncClient, path: str = "/login") -> str:
    """Open a sign-in or sign-up page as a browser does: its form token (the form repeats the
    `lb_form` cookie the page sets: web/pages/sign_in.py's check against cross-site posts)."""
    page = await client.get(path)
    assert page.status_code == 200, page.text
    match = FORM_TOKEN.search(page.text)
    return match.group(1) if match else ""


async def sign_in_page(
    client: httpx.AsyncClient,
    email: str,
    password: str = "correct horse",
    next_: str = "/",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """Sign in through /login as a person does: open the page, then send its form."""
    token = await form_token(client, f"/login?next={next_}")
    data = {"email": email, "password": password, "next": next_, "form_token": token}
    return await client.post("/login", data=data, headers=headers)
