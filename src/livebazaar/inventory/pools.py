"""Stock pool operations. Each is ONE conditional UPDATE on the pool row, never a
read-modify-write, so no interleaving of claims can oversell (the bug of django-oscar #1811,
Saleor #543, Vendure #3508, Medusa #16502). They run inside the caller's unit of work.

A hold (units reserved for a buyer until an expiry) is not a sale: `try_hold` sets units
aside, `confirm_sale` turns held units into sold ones, `release_hold` gives them back.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.inventory.models import PoolKind, StockPool

_available = StockPool.quantity - StockPool.reserved - StockPool.sold
_next_version = StockPool.version + 1  # every UPDATE below sets it


def add_pool(session: AsyncSession, variant_id: str, kind: PoolKind, quantity: int) -> StockPool:
    pool = StockPool(variant_id=variant_id, kind=kind, quantity=quantity, reserved=0, sold=0)
    session.add(pool)
    return pool


async def get_pool(session: AsyncSession, pool_id: str) -> StockPool | None:
    return await session.get(StockPool, pool_id, populate_existing=True)


async def lock_pool(session: AsyncSession, pool_id: str) -> StockPool | None:
    """The pool row, locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite: the
    writer already holds the database's single write lock)."""
    return await session.scalar(
        select(StockPool)
        .where(StockPool.id == pool_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def get_shelf(session: AsyncSession, variant_id: str) -> StockPool | None:
    return await session.scalar(
        select(StockPool).where(
            StockPool.variant_id == variant_id, StockPool.kind == PoolKind.SHELF
        )
    )


async def try_hold(session: AsyncSession, pool_id: str, quantity: int) -> bool:
    """Reserve `quantity` units if that many are available; False (and no change) if not."""
    result = await session.execute(
        update(StockPool)
        .where(StockPool.id == pool_id, _available >= quantity)
        .values(reserved=StockPool.reserved + quantity, version=_next_version)
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


async def release_hold(session: AsyncSession, pool_id: str, quantity: int) -> None:
    result = await session.execute(
        update(StockPool)
        .where(StockPool.id == pool_id, StockPool.reserved >= quantity)
        .values(reserved=StockPool.reserved - quantity, version=_next_version)
        .execution_options(synchronize_session=False)
    )
    _require(result, "release more units than are held")


async def confirm_sale(session: AsyncSession, pool_id: str, quantity: int) -> None:
    result = await session.execute(
        update(StockPool)
        .where(StockPool.id == pool_id, StockPool.reserved >= quantity)
        .values(
            reserved=StockPool.reserved - quantity,
            sold=StockPool.sold + quantity,
            version=_next_version,
        )
        .execution_options(synchronize_session=False)
    )
    _require(result, "sell more units than are held")


async def unsell(session: AsyncSession, pool_id: str, quantity: int) -> None:
    """Sold units become available again (a paid order cancelled before it ships)."""
    result = await session.execute(
        update(StockPool)
        .where(StockPool.id == pool_id, StockPool.sold >= quantity)
        .values(sold=StockPool.sold - quantity, version=_next_version)
        .execution_options(synchronize_session=False)
    )
    _require(result, "unsell more units than were sold")


async def take_units(session: AsyncSession, pool_id: str, quantity: int) -> bool:
    """Remove available units from a pool (carving a drop out of the shelf). False if short."""
    result = await session.execute(
        update(StockPool)
        .where(StockPool.id == pool_id, _available >= quantity)
        .values(quantity=StockPool.quantity - quantity, version=_next_version)
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


async def put_units(session: AsyncSession, pool_id: str, quantity: int) -> None:
    """Add units to a pool (restocking, or a drop's unsold units going back to the shelf)."""
    await session.execute(
        update(StockPool)
        .where(StockPool.id == pool_id)
        .values(quantity=StockPool.quantity + quantity, version=_next_version)
        .execution_options(synchronize_session=False)
    )


async def take_all_available(session: AsyncSession, pool_id: str) -> int:
    """Remove every available unit from a pool and return how many that was."""
    pool = await session.scalar(
        select(StockPool)
        .where(StockPool.id == pool_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if pool is None:
        return 0
    available = pool.quantity - pool.reserved - pool.sold
    if available > 0 and not await take_units(session, pool_id, available):
        raise RuntimeError("pool changed under a row lock")
    return max(available, 0)


async def set_quantity(session: AsyncSession, pool_id: str, quantity: int) -> bool:
    """Set a pool's total units (stock count after a delivery or a recount).

    Refused (False) when it would drop below what is already held or sold.
    """
    result = await session.execute(
        update(StockPool)
        .where(StockPool.id == pool_id, StockPool.reserved + StockPool.sold <= quantity)
        .values(quantity=quantity, version=_next_version)
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


def _changed(result: object) -> bool:
    rowcount: int = getattr(result, "rowcount", 0)
    return rowcount == 1


def _require(result: object, what: str) -> None:
    if not _changed(result):
        raise RuntimeError(f"inventory invariant: tried to {what}")
