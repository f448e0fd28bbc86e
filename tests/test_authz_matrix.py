"""The authorization matrix: who may call each endpoint that needs a role in a shop.

Each row is plain data: method, path template, body, which callers may, and what success looks
like. Every row is tried by every caller against one fresh world:

- anonymous:     no token (always 401 not_authenticated)
- buyer:         an account with no role anywhere
- producer:      holds the producer role in shop X
- moderator:     holds the moderator role in shop X
- foreign_host:  host of shop Y, acting on shop X
- host, owner:   their roles in shop X
- admin:         a platform admin (no membership)

Refused callers go first, and a row's `probe` (a public GET) must read the same after them: a
refusal changes nothing. Then the allowed callers each get the success status.

To add rows for another feature (shows, drops): append `Row(...)`s to ROWS; if a path names a
new placeholder such as `{show_id}`, add one maker for it to MAKERS (it receives the api and the
world, and returns the id of a thing that belongs to shop X).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from livebazaar.accounts import Role, do_register
from livebazaar.web.routes import accounts as accounts_routes
from livebazaar.web.routes import catalog as catalog_routes
from tests.factories import grant, make_product, make_shop
from tests.support import Account, Api

CALLERS = ("anonymous", "buyer", "producer", "moderator", "foreign_host", "host", "owner", "admin")
SIGNED_IN = frozenset(CALLERS) - {"anonymous"}
EDITORS = frozenset({"owner", "host", "admin"})
OWNERS = frozenset({"owner", "admin"})
MEMBERS = frozenset({"owner", "host", "producer", "moderator", "admin"})


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # placeholders: {shop_id} {other_shop_id} {product_id} {variant_id} ...
    body: Any = None
    allowed: frozenset[str] = EDITORS
    ok: int = 200
    denied: tuple[int, str] = (403, "role_required")
    probe: str | None = None  # a public GET that a refused call must leave unchanged

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


ROWS: list[Row] = [
    # accounts
    Row("GET", "/api/v1/shops/{shop_id}/members", allowed=MEMBERS),
    Row("POST", "/api/v1/shops/{shop_id}/members",
        {"email": "{newcomer_email}", "role": "host"}, allowed=OWNERS, ok=201),
    # catalog: shops and producers
    Row("POST", "/api/v1/shops", {"name": "Mine", "country": "RW", "currency": "RWF"},
        allowed=SIGNED_IN, ok=201),
    Row("PATCH", "/api/v1/shops/{shop_id}", {"description": "Edited"},
        probe="/api/v1/shops/{shop_id}"),
    Row("POST", "/api/v1/shops/{shop_id}/producers", {"name": "Farmer"}, ok=201,
        probe="/api/v1/shops/{shop_id}/producers"),
    Row("PATCH", "/api/v1/producers/{producer_id}", {"bio": "Edited"},
        probe="/api/v1/shops/{shop_id}/producers"),
    # catalog: products
    Row("POST", "/api/v1/shops/{shop_id}/products",
        {"title": "Studs", "price": {"amount_minor": 5900, "currency": "CNY"}, "stock": 3},
        ok=201, probe="/api/v1/shops/{shop_id}/products"),
    Row("PATCH", "/api/v1/products/{product_id}", {"title": "Edited"},
        probe="/api/v1/products/{product_id}"),
    Row("PUT", "/api/v1/products/{product_id}/revenue-shares",
        [{"producer_id": "{producer_id}", "bps": 10000}], probe="/api/v1/products/{product_id}"),
    Row("POST", "/api/v1/products/{product_id}/images", {"url": "/static/new.svg", "alt": "new"},
        ok=201, probe="/api/v1/products/{product_id}"),
    Row("PUT", "/api/v1/variants/{variant_id}/stock", {"quantity": 7},
        probe="/api/v1/products/{product_id}"),
]  # fmt: skip


@dataclass
class World:
    accounts: dict[str, Account]
    ids: dict[str, str] = field(default_factory=dict)


Maker = Callable[[Api, World], Awaitable[str]]
_admins = itertools.count(1)


async def _make_producer(api: Api, world: World) -> str:
    r = await api.client.post(
        f"/api/v1/shops/{world.ids['shop_id']}/producers",
        json={"name": "Wang Lei", "village": "Xinchangle"},
        headers=world.accounts["owner"].headers,
    )
    assert r.status_code == 201, r.text
    producer_id: str = r.json()["id"]
    return producer_id


# Placeholders beyond the base world, made only for rows that name them.
MAKERS: dict[str, Maker] = {"producer_id": _make_producer}


async def _admin(api: Api) -> Account:
    c = api.container
    email, password = f"root.{next(_admins)}@example.org", "admin password"
    user = await do_register(
        c.db, c.passwords, c.clock, email=email, password=password, display_name="Root",
        is_admin=True,
    )  # fmt: skip
    r = await api.client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return Account(user_id=user.id, email=email, token=r.json()["access_token"])


async def _world(api: Api, row: Row) -> World:
    c = api.container
    names = ("buyer", "producer", "moderator", "foreign_host", "host", "owner", "newcomer")
    accounts = {name: await api.account(name) for name in names}
    accounts["admin"] = await _admin(api)
    shop_id = await make_shop(c, accounts["owner"])
    for name, role in [("host", Role.HOST), ("producer", Role.PRODUCER),
                       ("moderator", Role.MODERATOR)]:  # fmt: skip
        await grant(c, shop_id, accounts[name], role)
    other_shop_id = await make_shop(c, await api.account("other owner"), name="Other shop")
    await grant(c, other_shop_id, accounts["foreign_host"], Role.HOST)
    product = await make_product(c, shop_id)
    world = World(accounts)
    world.ids.update(
        shop_id=shop_id,
        other_shop_id=other_shop_id,
        product_id=product.id,
        variant_id=product.variant_id,
        newcomer_email=accounts["newcomer"].email,
    )
    for name in sorted(_placeholders(row) - world.ids.keys()):
        world.ids[name] = await MAKERS[name](api, world)
    return world


def _placeholders(row: Row) -> set[str]:
    text = f"{row.path} {row.body!r} {row.probe or ''}"
    return set(re.findall(r"\{([a-z_]+)\}", text))


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _outcome(r: httpx.Response) -> tuple[int, str | None]:
    if r.status_code < 400:
        return r.status_code, None
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    return r.status_code, r.json()["code"]


def _expected(row: Row, caller: str) -> tuple[int, str | None]:
    if caller == "anonymous":
        return 401, "not_authenticated"
    return (row.ok, None) if caller in row.allowed else row.denied


async def _attempt(
    client: httpx.AsyncClient, row: Row, world: World, caller: str
) -> tuple[int, str | None]:
    account = world.accounts.get(caller)
    r = await client.request(
        row.method,
        _fill(row.path, world.ids),
        json=_fill(row.body, world.ids),
        headers=account.headers if account else {},
    )
    return _outcome(r)


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
async def test_only_the_allowed_callers_may(row: Row, api: Api, client: httpx.AsyncClient) -> None:
    # Given a shop X with members of every role, a host of another shop, and an admin
    world = await _world(api, row)
    probe = _fill(row.probe, world.ids) if row.probe else None
    before = (await client.get(probe)).json() if probe else None
    observed: dict[str, tuple[int, str | None]] = {}
    # When each refused caller tries the endpoint
    for caller in (c for c in CALLERS if c not in row.allowed):
        observed[caller] = await _attempt(client, row, world, caller)
    # Then none of them changed anything
    if probe:
        assert (await client.get(probe)).json() == before
    # And each allowed caller succeeds (in a fresh world, so "only once" actions count too)
    for caller in (c for c in CALLERS if c in row.allowed):
        observed[caller] = await _attempt(client, row, await _world(api, row), caller)
    assert observed == {caller: _expected(row, caller) for caller in CALLERS}


def test_every_write_endpoint_of_the_covered_routers_has_a_row() -> None:
    # Given the routers this matrix covers (append the shows and drops routers here later)
    covered = [*catalog_routes.router.routes, *accounts_routes.router.routes]
    shop_owned = ("/api/v1/shops", "/api/v1/producers", "/api/v1/products", "/api/v1/variants")
    writes = {
        (method, route.path)
        for route in covered
        if isinstance(route, APIRoute) and route.path.startswith(shop_owned)
        for method in (route.methods or set()) - {"GET", "HEAD"}
    }
    # Then each of their writes on shop-owned things is a row of the matrix
    assert writes
    assert writes <= {(row.method, row.path) for row in ROWS}
