"""The textbook peer of bench/flash_sale.py: flash-drop claims as a Python team writes them by
the book, FastAPI + SQLAlchemy 2 async (ORM) + asyncpg on PostgreSQL, one transaction per claim
under the stock row's lock.

`POST /api/drops/{id}/claims` (body `{"quantity": n}`, `Authorization: Bearer <token>`):

1. the bearer token's sha256 is looked up in a dict loaded from the `tokens` table at start
   (no database read per request, like ours with its token-owner cache warm);
2. in one transaction from the pool (10 + 10 overflow, 30 s timeout: ours' settings):
   `SELECT ... FROM stock WHERE id = :drop FOR UPDATE`; refuse 409 `sold_out` if fewer units
   remain than asked; sum the buyer's reserved and paid units in this drop (indexed on
   drop, buyer) and refuse 422 `per_buyer_limit_exceeded` past the limit; insert the order
   (`reserved`, expiring after the drop's hold); decrement the stock row; commit;
3. answer 201 with the order (id, status, expiry, total, drop, quantity).

It has no idempotency keys, no rate limit, no events to viewers, no expiry sweeper and no
drop clock: less work per claim than ours. `POST /api/ping` parses the same body and returns,
like ours' `/api/v1/ping` (neither checks the token); `GET /api/me` checks the token (the
bench's warm-up before the claims, as `GET /api/v1/me` for ours).

Served by `python -m uvicorn textbook_claims:app --app-dir bench/peers` with
TEXTBOOK_DATABASE_URL=postgresql+asyncpg://...; bench/flash_sale.py makes its database and
seeds it first with `python bench/peers/textbook_claims.py seed` (below).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, status
from pydantic import BaseModel, Field
from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)


class Token(Base):
    __tablename__ = "tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))


class Stock(Base):
    """A drop: its units left, its limit and price."""

    __tablename__ = "stock"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    quantity: Mapped[int] = mapped_column(BigInteger)
    remaining: Mapped[int] = mapped_column(BigInteger)
    per_buyer_limit: Mapped[int] = mapped_column(Integer)
    price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    hold_s: Mapped[int] = mapped_column(Integer)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_drop_buyer", "drop_id", "buyer_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    drop_id: Mapped[str] = mapped_column(ForeignKey("stock.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Drop:
    id: str
    quantity: int
    per_buyer_limit: int
    price_minor: int = 5900
    currency: str = "CNY"
    hold_s: int = 3600


async def create_and_seed(url: str, drop: Drop, tokens: list[str]) -> None:
    """Tables, one account and token per claimer, and the drop (the bench calls this)."""
    engine = create_async_engine(url)
    users = [{"id": str(uuid.uuid4()), "email": f"buyer{i}@bench.example.org"} for i in
             range(len(tokens))]  # fmt: skip
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
            await conn.execute(insert(User), users)
            await conn.execute(
                insert(Token),
                [{"token_hash": token_hash(t), "user_id": u["id"]}
                 for t, u in zip(tokens, users, strict=True)],
            )  # fmt: skip
            await conn.execute(
                insert(Stock),
                [{"id": drop.id, "quantity": drop.quantity, "remaining": drop.quantity,
                  "per_buyer_limit": drop.per_buyer_limit, "price_minor": drop.price_minor,
                  "currency": drop.currency, "hold_s": drop.hold_s}],
            )  # fmt: skip
    finally:
        await engine.dispose()


@dataclass
class State:
    engine: AsyncEngine | None = None
    sessions: async_sessionmaker[AsyncSession] | None = None
    owners: dict[str, str] = field(default_factory=dict)  # token hash -> user id


state = State()


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    url = os.environ["TEXTBOOK_DATABASE_URL"]
    state.engine = create_async_engine(url, pool_size=10, max_overflow=10, pool_timeout=30)
    state.sessions = async_sessionmaker(state.engine, expire_on_commit=False)
    async with state.sessions() as session:
        rows = await session.execute(select(Token.token_hash, Token.user_id))
        state.owners = dict(rows.tuples().all())
    yield
    await state.engine.dispose()


app = FastAPI(lifespan=lifespan)


async def get_session() -> AsyncIterator[AsyncSession]:
    assert state.sessions is not None
    async with state.sessions() as session:
        yield session


async def current_buyer(authorization: Annotated[str | None, Header()] = None) -> str:
    scheme, _, secret = (authorization or "").partition(" ")
    owner = state.owners.get(token_hash(secret)) if scheme.lower() == "bearer" else None
    if owner is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "not_authenticated")
    return owner


SessionDep = Annotated[AsyncSession, Depends(get_session)]
BuyerDep = Annotated[str, Depends(current_buyer)]


class ClaimIn(BaseModel):
    quantity: int = Field(default=1, ge=1, le=1000)


class Money(BaseModel):
    amount_minor: int
    currency: str


class ClaimOut(BaseModel):
    order_id: str
    status: str
    expires_at: datetime
    total: Money
    drop_id: str
    quantity: int


class PingIn(BaseModel):
    quantity: int = Field(default=1, ge=0, le=1_000_000)


@app.post("/api/ping")
async def ping(body: PingIn) -> dict[str, object]:
    return {"pong": True, "quantity": body.quantity}


@app.get("/api/me")
async def me(buyer: BuyerDep) -> dict[str, str]:
    """Who the token belongs to (the bench's warm-up before the claims, as for ours)."""
    return {"id": buyer}


@app.get("/api/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/api/drops/{drop_id}/claims", status_code=status.HTTP_201_CREATED)
async def claim(drop_id: str, body: ClaimIn, buyer: BuyerDep, session: SessionDep) -> ClaimOut:
    async with session.begin():
        stock = await session.scalar(select(Stock).where(Stock.id == drop_id).with_for_update())
        if stock is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "drop_not_found")
        if stock.remaining < body.quantity:
            raise HTTPException(status.HTTP_409_CONFLICT, "sold_out")
        held = await session.scalar(
            select(func.coalesce(func.sum(Order.quantity), 0)).where(
                Order.drop_id == drop_id,
                Order.buyer_id == buyer,
                Order.status.in_(("reserved", "paid")),
            )
        )
        if (held or 0) + body.quantity > stock.per_buyer_limit:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "per_buyer_limit_exceeded")
        now = datetime.now(UTC)
        order = Order(
            id=str(uuid.uuid4()), buyer_id=buyer, drop_id=drop_id, quantity=body.quantity,
            total_minor=stock.price_minor * body.quantity, currency=stock.currency,
            status="reserved", expires_at=now + timedelta(seconds=stock.hold_s), created_at=now,
        )  # fmt: skip
        session.add(order)
        stock.remaining -= body.quantity
    return ClaimOut(
        order_id=order.id, status=order.status, expires_at=order.expires_at,
        total=Money(amount_minor=order.total_minor, currency=order.currency),
        drop_id=drop_id, quantity=order.quantity,
    )  # fmt: skip


def main() -> None:
    """`seed URL --drop ID --units N --limit L`, the claimers' tokens on stdin, one a line."""
    parser = argparse.ArgumentParser(description="Make and seed the textbook peer's database.")
    parser.add_argument("command", choices=["seed"])
    parser.add_argument("url")
    parser.add_argument("--drop", required=True)
    parser.add_argument("--units", type=int, required=True)
    parser.add_argument("--limit", type=int, required=True)
    args = parser.parse_args()
    tokens = sys.stdin.read().split()
    drop = Drop(id=args.drop, quantity=args.units, per_buyer_limit=args.limit)
    asyncio.run(create_and_seed(args.url, drop, tokens))


if __name__ == "__main__":
    main()
