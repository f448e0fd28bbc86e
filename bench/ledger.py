"""What the ledger adds to a payment: paid orders per second with each order's ledger entry
(the split among 20 producers' revenue shares, a co-host's commission, the platform's and the
provider's fees: 24 postings), beside the same payments with the ledger switched off, in the
same run, on SQLite and on PostgreSQL.

    .venv/bin/python bench/ledger.py [--orders 300] [--rounds 3] [--in-flight 8]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--engines sqlite,postgres]

Each engine gets a fresh database (a SQLite file in a temporary directory; a PostgreSQL
database `lbledger_*`, dropped afterwards) with the schema and its triggers, one shop, one
product shared by 20 producers, a live show with a co-host on commission, and buyers. Each
round holds `--orders` units through the live-purchase path (untimed), then pays them all
through `payments.do_pay_order` with the test provider, `--in-flight` at once (timed): once
with the ledger off (`terms=None`), once on, alternating, so that drift of a shared machine
falls on both. Figures: paid orders per second per mode (the median of the rounds), and the
ledger's share of a payment's cost (1 - on/off). The run checks its books at the end: one
entry per order paid with the ledger on, each shop's accounts summing to zero.

The payment is measured without HTTP in front (the API adds the same cost to both modes, so
this is the stricter ratio). SQLite runs at the deployment's default durability
(synchronous=FULL) unless `--sqlite-synchronous NORMAL`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from sqlalchemy import func, select

from livebazaar.accounts import Actor, AddressIn, Membership, Role, TokenKind, User
from livebazaar.bootstrap import Container, all_metadata, build_container
from livebazaar.catalog import Producer, Product, RevenueShare, Shop, Variant
from livebazaar.checkout import do_purchase
from livebazaar.checkout.schemas import PurchaseIn
from livebazaar.inventory.models import PoolKind, StockPool
from livebazaar.kernel.ratelimit import SlidingWindowLimiter
from livebazaar.ledger import LedgerEntry, SaleTerms, ShowCommission, get_trial_balance
from livebazaar.live.models import HostRole, LineupItem, Show, ShowHost, ShowStatus
from livebazaar.payments import do_pay_order
from livebazaar.payments.schemas import PayIn
from livebazaar.payments.test_provider import CARD_APPROVE
from livebazaar.settings import Settings

PRODUCERS = 20
SHIP_TO = AddressIn(name="Aline Uwase", line1="KN 5 Rd", city="Kigali", country="RW")
PAYING = PayIn(card_number=CARD_APPROVE, ship_to=SHIP_TO)


def _actor(user_id: str) -> Actor:
    far = datetime.max.replace(tzinfo=UTC)
    return Actor(user_id, "bench", False, "token", TokenKind.API, None, far)


@dataclass
class World:
    show_id: str
    product_id: str
    buyers: list[Actor]


async def _seed(c: Container, buyers: int, stock: int) -> World:
    now = c.clock.now()
    ids = [str(uuid.uuid4()) for _ in range(buyers + 2)]
    async with c.db.uow() as uow:
        s = uow.session
        for i, user_id in enumerate(ids):
            s.add(User(id=user_id, email=f"b{i}.{user_id[:8]}@example.org", display_name="B",
                       password_hash="-", is_admin=False, created_at=now))  # fmt: skip
        shop = Shop(name="Bench pearls", country="CN", currency="CNY", created_at=now)
        s.add(shop)
        await s.flush()
        s.add(Membership(shop_id=shop.id, user_id=ids[0], role=Role.OWNER, created_at=now))
        product = Product(shop_id=shop.id, title="Pearls", created_at=now)
        s.add(product)
        await s.flush()
        variant = Variant(product_id=product.id, sku="BENCH", name="Standard",
                          price_minor=19_900, currency="CNY")  # fmt: skip
        s.add(variant)
        await s.flush()
        s.add(StockPool(variant_id=variant.id, kind=PoolKind.SHELF, quantity=stock))
        for i in range(PRODUCERS):
            producer = Producer(shop_id=shop.id, name=f"Farmer {i}", created_at=now)
            s.add(producer)
            await s.flush()
            s.add(RevenueShare(product_id=product.id, producer_id=producer.id,
                               bps=10_000 // PRODUCERS))  # fmt: skip
        show = Show(shop_id=shop.id, title="Bench show", status=ShowStatus.LIVE,
                    scheduled_at=now, started_at=now, created_by=ids[0],
                    created_at=now)  # fmt: skip
        s.add(show)
        await s.flush()
        s.add(LineupItem(show_id=show.id, product_id=product.id, position=0))
        s.add(ShowHost(show_id=show.id, user_id=ids[1], role=HostRole.COHOST, created_at=now))
        s.add(ShowCommission(show_id=show.id, user_id=ids[1], bps=700, set_by=ids[0],
                             created_at=now))  # fmt: skip
        await uow.commit()
    return World(show.id, product.id, [_actor(i) for i in ids[2:]])


async def _hold(c: Container, world: World, n: int) -> list[tuple[Actor, str]]:
    """`n` reserved orders of one unit, each by its own buyer (untimed)."""
    limiter = SlidingWindowLimiter(10**9)
    data = PurchaseIn(product_id=world.product_id, quantity=1)
    buyers = world.buyers[:n]
    held = await asyncio.gather(
        *(do_purchase(c.holds, c.db, c.clock, limiter, b, world.show_id, data, hold_s=3600,
                      max_open_holds=c.settings.max_open_holds_per_buyer)
          for b in buyers)
    )  # fmt: skip
    return [(b, h.order_id) for b, h in zip(buyers, held, strict=True)]


async def _pay_all(
    c: Container, orders: list[tuple[Actor, str]], in_flight: int, terms: SaleTerms | None
) -> float:
    """Pay every order, `in_flight` at once; paid orders per second."""
    gate = asyncio.Semaphore(in_flight)

    async def one(buyer: Actor, order_id: str) -> None:
        async with gate:
            out = await do_pay_order(c.db, c.broker, c.clock, c.payment_providers, buyer,
                                     order_id, PAYING, terms=terms)  # fmt: skip
            assert out.status.value == "paid", out

    start = time.perf_counter()
    await asyncio.gather(*(one(b, o) for b, o in orders))
    return len(orders) / (time.perf_counter() - start)


async def _check_books(c: Container, expected_entries: int) -> None:
    async with c.db.read() as session:
        entries = await session.scalar(select(func.count()).select_from(LedgerEntry))
        shop_id = await session.scalar(select(Shop.id))
        assert shop_id is not None
        trial = await get_trial_balance(session, shop_id)
    assert entries == expected_entries, (entries, expected_entries)
    assert all(cur.total_minor == 0 for cur in trial.currencies)


async def measure(name: str, url: str, args: argparse.Namespace) -> tuple[float, float]:
    settings = Settings(
        database_url=url, test_payments=True, test_payments_webhook_secret="bench-ledger-secret",
        sqlite_synchronous=args.sqlite_synchronous, database_pool_size=args.in_flight + 2,
    )  # fmt: skip
    c = build_container(settings)
    try:
        async with c.db.engine.begin() as conn:
            await conn.run_sync(all_metadata().create_all)
        world = await _seed(c, args.orders, stock=args.orders * args.rounds * 2 + 10)
        rates: dict[str, list[float]] = {"off": [], "on": []}
        for _ in range(args.rounds):
            for mode, terms in (("off", None), ("on", SaleTerms())):
                orders = await _hold(c, world, args.orders)
                rates[mode].append(await _pay_all(c, orders, args.in_flight, terms))
        await _check_books(c, args.orders * args.rounds)
    finally:
        await c.close()
    off, on = statistics.median(rates["off"]), statistics.median(rates["on"])
    pairs = zip(rates["off"], rates["on"], strict=True)
    rounds = " / ".join(f"{a:,.0f}:{b:,.0f}" for a, b in pairs)
    print(f"| {name} | {off:,.0f} | {on:,.0f} | {1 - on / off:+.0%} | {rounds} |", flush=True)
    return off, on


async def _postgres_database(admin_url: str) -> tuple[str, str]:
    name = f"lbledger_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    server = admin_url.removeprefix("postgresql://").rsplit("/", 1)[0]
    return name, f"postgresql+asyncpg://{server}/{name}"


async def _drop(admin_url: str, name: str) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--in-flight", type=int, default=8)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--sqlite-synchronous", default="FULL", choices=["FULL", "NORMAL"])
    args = parser.parse_args()
    engines = args.engines.split(",")
    print(f"{args.orders} orders per round and mode, {args.rounds} rounds, {args.in_flight} in "
          f"flight; {PRODUCERS} producers' shares + a co-host's commission per order; "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")  # fmt: skip
    print("| engine | paid orders/s, ledger off | ledger on | ledger's cost | rounds (off:on) |")
    print("|---|---|---|---|---|")
    if "sqlite" in engines:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'ledger.db'}"
            await measure(f"SQLite (synchronous={args.sqlite_synchronous})", url, args)
    if "postgres" in engines:
        name, url = await _postgres_database(args.postgres)
        try:
            await measure("PostgreSQL", url, args)
        finally:
            await _drop(args.postgres, name)


if __name__ == "__main__":
    asyncio.run(main())
