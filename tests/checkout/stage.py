"""Setting the stage for checkout tests (given ...): a live show with a product in its lineup,
many buyers at once, and the API calls the tests repeat. Rows are written directly; the
behaviour under test always goes through the HTTP API."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from livebazaar.accounts.actions import hash_token
from livebazaar.accounts.models import AuthToken, TokenKind, User
from livebazaar.bootstrap import Container
from livebazaar.checkout.models import Drop, DropBuyer, Order, OrderStatus
from livebazaar.inventory.models import StockPool
from livebazaar.kernel.ids import new_id
from livebazaar.live.channel import show_topic
from livebazaar.live.models import LineupItem, Show, ShowStatus
from tests.factories import MadeProduct, make_product, make_shop
from tests.support import Account, Api


@dataclass(frozen=True)
class Stage:
    owner: Account
    shop_id: str
    product: MadeProduct
    show_id: str


async def make_show(
    c: Container, shop_id: str, owner: Account, product_ids: list[str], *, live: bool = True
) -> str:
    now = c.clock.now()
    async with c.db.uow() as uow:
        show = Show(
            id=new_id(), shop_id=shop_id, title="Pearl harvest live", description="",
            status=ShowStatus.LIVE if live else ShowStatus.SCHEDULED, scheduled_at=now,
            started_at=now if live else None, slow_mode_s=0, created_by=owner.user_id,
            created_at=now,
        )  # fmt: skip
        uow.session.add(show)
        await uow.session.flush()
        for position, product_id in enumerate(product_ids):
            uow.session.add(LineupItem(show_id=show.id, product_id=product_id, position=position))
        await uow.commit()
    return show.id


async def set_stage(api: Api, *, stock: int = 100) -> Stage:
    c = api.container
    owner = await api.account("Owner")
    shop_id = await make_shop(c, owner)
    product = await make_product(c, shop_id, stock=stock)
    show_id = await make_show(c, shop_id, owner, [product.id])
    return Stage(owner, shop_id, product, show_id)


async def make_buyers(c: Container, n: int) -> list[Account]:
    """`n` accounts with API tokens, written in one transaction (no password hashing)."""
    now = c.clock.now()
    buyers = [
        Account(user_id=new_id(), email=f"buyer{i}.{secrets.token_hex(4)}@example.org",
                token=secrets.token_urlsafe(24))
        for i in range(n)
    ]  # fmt: skip
    async with c.db.uow() as uow:
        for i, b in enumerate(buyers):
            uow.session.add(
                User(id=b.user_id, email=b.email, display_name=f"Buyer {i}",
                     password_hash="-", is_admin=False, created_at=now)
            )  # fmt: skip
        await uow.session.flush()
        for b in buyers:
            uow.session.add(
                AuthToken(user_id=b.user_id, token_hash=hash_token(b.token), kind=TokenKind.API,
                          created_at=now, expires_at=now.replace(year=now.year + 1),
                          last_used_at=now)
            )  # fmt: skip
        await uow.commit()
    return buyers


def drop_body(stage: Stage, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "product_id": stage.product.id,
        "quantity": 10,
        "price": {"amount_minor": 9900, "currency": "CNY"},
        "per_buyer_limit": 2,
        "duration_s": 600,
        "hold_s": 60,
    }
    body.update(overrides)
    return body


async def start_drop(client: httpx.AsyncClient, stage: Stage, **overrides: Any) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/shows/{stage.show_id}/drops",
        json=drop_body(stage, **overrides),
        headers=stage.owner.headers,
    )
    assert r.status_code == 201, r.text
    drop: dict[str, Any] = r.json()
    return drop


async def claim(
    client: httpx.AsyncClient, buyer: Account, drop_id: str, quantity: int = 1,
    key: str | None = None,
) -> httpx.Response:  # fmt: skip
    headers = dict(buyer.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return await client.post(
        f"/api/v1/drops/{drop_id}/claims", json={"quantity": quantity}, headers=headers
    )


async def get_drop(client: httpx.AsyncClient, drop_id: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/drops/{drop_id}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def pool(c: Container, pool_id: str) -> StockPool:
    async with c.db.read() as session:
        found = await session.get(StockPool, pool_id)
    assert found is not None
    return found


async def drop_pool_id(c: Container, drop_id: str) -> str:
    async with c.db.read() as session:
        drop = await session.get(Drop, drop_id)
    assert drop is not None
    return drop.pool_id


async def units_by_status(c: Container, pool_id: str) -> dict[OrderStatus, int]:
    async with c.db.read() as session:
        rows = await session.execute(
            select(Order.status, func.sum(Order.quantity))
            .where(Order.pool_id == pool_id)
            .group_by(Order.status)
        )
        return {status: int(units) for status, units in rows}


async def buyer_units(c: Container, drop_id: str) -> dict[str, int]:
    async with c.db.read() as session:
        rows = await session.execute(
            select(DropBuyer.buyer_id, DropBuyer.units).where(DropBuyer.drop_id == drop_id)
        )
        return {buyer: int(units) for buyer, units in rows}


async def events(c: Container, show_id: str) -> list[dict[str, Any]]:
    messages = await c.broker.replay(show_topic(show_id), 0) or []
    return [json.loads(m.body) for m in messages]
