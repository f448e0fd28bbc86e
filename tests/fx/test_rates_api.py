"""Exchange rates through the API: admins set them, anyone reads them; and the CLI."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from livebazaar.accounts import do_register
from livebazaar.bootstrap import build_container
from livebazaar.cli.main import cli
from livebazaar.fx import list_rates
from livebazaar.settings import Settings
from tests.databases import database_url
from tests.support import Account, Api, assert_problem

RATE = {"rate": "7.1234", "source": "Test feed", "as_of": "2020-01-01T00:00:00Z"}


async def admin(api: Api) -> Account:
    c = api.container
    await do_register(
        c.db, c.passwords, c.clock, email="root@example.org", password="admin password",
        display_name="Root", is_admin=True,
    )  # fmt: skip
    r = await api.client.post(
        "/api/v1/auth/token", json={"email": "root@example.org", "password": "admin password"}
    )
    return Account(user_id="root", email="root@example.org", token=r.json()["access_token"])


async def test_an_admin_sets_a_rate_and_anyone_reads_it(
    api: Api, client: httpx.AsyncClient
) -> None:
    root = await admin(api)
    r = await client.put("/api/v1/exchange-rates/USD/CNY", json=RATE, headers=root.headers)
    assert r.status_code == 200, r.text
    r = await client.put(
        "/api/v1/exchange-rates/USD/CNY", json={**RATE, "rate": "7.2"}, headers=root.headers
    )
    assert r.status_code == 200, r.text
    listed = (await client.get("/api/v1/exchange-rates")).json()
    assert listed == [
        {"base": "USD", "quote": "CNY", "rate": "7.2", "source": "Test feed",
         "as_of": "2020-01-01T00:00:00Z"},
    ]  # fmt: skip


async def test_others_may_not_set_rates(api: Api, client: httpx.AsyncClient) -> None:
    buyer = await api.account("buyer")
    r = await client.put("/api/v1/exchange-rates/USD/CNY", json=RATE, headers=buyer.headers)
    assert_problem(r, 403, "admin_required")
    r = await client.put("/api/v1/exchange-rates/USD/CNY", json=RATE)
    assert_problem(r, 401, "not_authenticated")
    assert (await client.get("/api/v1/exchange-rates")).json() == []


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("USD/USD", RATE, 422),
        ("USD/XXX", RATE, 422),
        ("usd/CNY", RATE, 422),
        ("USD/CNY", {**RATE, "rate": 7.12}, 422),  # a JSON number is not exact text
        ("USD/CNY", {**RATE, "rate": "7,12"}, 422),
        ("USD/CNY", {**RATE, "rate": "0"}, 422),
        ("USD/CNY", {**RATE, "as_of": "2999-01-01T00:00:00Z"}, 422),
        ("USD/CNY", {**RATE, "as_of": "2020-01-01T00:00:00"}, 422),  # no timezone
    ],
)
async def test_bad_rates_are_refused(
    api: Api, client: httpx.AsyncClient, path: str, body: object, status: int
) -> None:
    root = await admin(api)
    r = await client.put(f"/api/v1/exchange-rates/{path}", json=body, headers=root.headers)
    assert r.status_code == status, r.text


async def _stored(settings: Settings) -> list[tuple[str, str, str, str]]:
    c = build_container(settings)
    try:
        async with c.db.read() as session:
            return [(r.base, r.quote, r.rate, r.source) for r in await list_rates(session)]
    finally:
        await c.close()


def test_the_operator_sets_a_rate_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEBAZAAR_DATABASE_URL", database_url(tmp_path, "ops"))
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    done = runner.invoke(cli, ["rates", "set", "usd", "CNY", "7.12", "--source", "Bank feed"])
    assert done.exit_code == 0, done.output
    assert runner.invoke(cli, ["rates", "set", "USD", "CNY", "7.1.2", "--source", "x"]).exit_code
    assert runner.invoke(cli, ["rates", "set", "USD", "USD", "1", "--source", "x"]).exit_code
    assert asyncio.run(_stored(Settings())) == [("USD", "CNY", "7.12", "Bank feed")]
