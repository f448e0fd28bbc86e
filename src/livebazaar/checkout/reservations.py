"""Writing holds that were decided: order rows, per-buyer counters, idempotency records, and
the pool's count, in bulk inside the caller's unit of work. Both HotStock adapters use it:
the HoldQueue after deciding a batch under the pool's lock, the Redis HotStock after its
script admitted one (`record_admitted`, where the database stays the arbiter).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from livebazaar import inventory
from livebazaar.checkout.models import DropBuyer, Order, OrderStatus
from livebazaar.checkout.schemas import DisplayOut, ReservationOut
from livebazaar.fx import LockedPrice
from livebazaar.kernel.db import UnitOfWork
from livebazaar.kernel.errors import DomainError
from livebazaar.kernel.idempotency import IdempotencyKey, IdempotencyKeyReused, IdempotencyRecord
from livebazaar.kernel.ids import new_id
from livebazaar.kernel.money import Money, MoneyOut

Outcome = ReservationOut | DomainError
# Core statements run as executemany: the ORM's bulk insert costs more per row, and a
# multi-row VALUES is compiled anew for each batch (its parameters differ in number).
_ORDERS: Table = Order.__table__  # type: ignore[assignment]
_RECORDS: Table = IdempotencyRecord.__table__  # type: ignore[assignment]
_DROP_BUYERS: Table = DropBuyer.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class HoldRequest:
    """One buyer asking to hold `quantity` units of a pool (a drop's, or a variant's shelf)."""

    buyer_id: str
    pool_id: str
    quantity: int
    unit_price: Money
    hold_s: int
    show_id: str
    shop_id: str
    product_id: str
    variant_id: str
    drop_id: str | None = None  # set for a drop: its end and per-buyer limit apply
    # A drop's limit on the units one buyer holds; for a shelf purchase, the shop's on one
    # product, and how many holds one buyer may have open at once (shelf_limits.py).
    per_buyer_limit: int | None = None
    max_open_holds: int | None = None
    idempotency: IdempotencyKey | None = None
    # Set when the hold was admitted before it is written (the Redis HotStock): its order id
    # and the moment of admission, from which its expiry counts.
    order_id: str | None = None
    admitted_at: datetime | None = None
    # The total in the buyer's currency, with its rate, as the buyer saw it (None: the shop's).
    display: LockedPrice | None = None


def reservation(r: HoldRequest, now: datetime) -> ReservationOut:
    """The answer for an admitted request: its order (the hold) and until when it holds."""
    at = r.admitted_at or now
    total = Money(r.unit_price.amount_minor * r.quantity, r.unit_price.currency)
    return ReservationOut(
        order_id=r.order_id or new_id(),
        status=OrderStatus.RESERVED,
        expires_at=at + timedelta(seconds=r.hold_s),
        total=MoneyOut.of(total),
        drop_id=r.drop_id,
        quantity=r.quantity,
        display=DisplayOut.of(r.display),
    )


async def write_holds(
    uow: UnitOfWork, pool_id: str, admitted: Sequence[tuple[HoldRequest, ReservationOut]],
    now: datetime,
) -> None:  # fmt: skip
    """A decided batch's writes (the pool is locked): one pool update, bulk order rows,
    counters, idempotency records."""
    if not await inventory.try_hold(uow.session, pool_id, sum(r.quantity for r, _ in admitted)):
        raise RuntimeError("pool counts moved under its lock")
    await uow.session.execute(insert(_ORDERS), [_order_row(r, o, now) for r, o in admitted])
    drop_id = admitted[0][0].drop_id
    if drop_id is not None:
        await add_units(uow, drop_id, _units_per_buyer(admitted))
    await _write_records(uow, admitted, now)


class NeedsDecision(Exception):
    """Admitted holds the database cannot take as they are (the drop closed, or its counts
    differ from the admitting side's after a crash or a lost Redis): decide them again."""


async def record_admitted(
    uow: UnitOfWork, admitted: Sequence[tuple[HoldRequest, ReservationOut]], now: datetime
) -> list[Outcome]:
    """Write holds admitted elsewhere (all of one drop's pool), the database being the arbiter.

    Per request: its own reservation (written now, or already by an earlier attempt: the order
    id is the key, so a replay changes nothing), or the answer the database already holds for
    its Idempotency-Key (another order), or a refusal. Only a request answered with its own
    order keeps the units the admitting side took for it. Raises NeedsDecision, leaving the
    transaction to be rolled back, when the pool or a buyer's limit would not hold them."""
    outcomes: list[Outcome | None] = [None] * len(admitted)
    fresh = await _apply_stored_answers(uow, admitted, outcomes)
    for i in fresh:
        outcomes[i] = admitted[i][1]  # written now, or by the attempt this one replays
    if fresh:
        rows = [_order_row(admitted[i][0], admitted[i][1], now) for i in fresh]
        stmt = _insert(uow, _ORDERS).on_conflict_do_nothing().returning(_ORDERS.c.id)
        inserted = set(await uow.session.scalars(stmt, rows))  # executemany: compiled once
        new = [admitted[i] for i in fresh if admitted[i][1].order_id in inserted]
        if new:
            await _take_units(uow, new)
            await _write_records(uow, new, now)
    return [o for o in outcomes if o is not None]


async def _take_units(uow: UnitOfWork, new: Sequence[tuple[HoldRequest, ReservationOut]]) -> None:
    first = new[0][0]
    if not await inventory.try_hold(uow.session, first.pool_id, sum(r.quantity for r, _ in new)):
        raise NeedsDecision("the pool has fewer units than were admitted")
    if first.drop_id is None or first.per_buyer_limit is None:
        return
    held = await add_units(uow, first.drop_id, _units_per_buyer(new))
    if any(units > first.per_buyer_limit for units in held.values()):
        raise NeedsDecision("a buyer would pass the drop's limit")


async def _apply_stored_answers(
    uow: UnitOfWork, admitted: Sequence[tuple[HoldRequest, ReservationOut]],
    outcomes: list[Outcome | None],
) -> list[int]:  # fmt: skip
    """Answer requests whose Idempotency-Key already has an answer (in the database, or earlier
    in this batch); the indexes left to write."""
    keyed = [(r.buyer_id, r.idempotency.key) for r, _ in admitted if r.idempotency is not None]
    if not keyed:
        return list(range(len(admitted)))
    found = await uow.session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id.in_({u for u, _ in keyed}),
            IdempotencyRecord.key.in_({k for _, k in keyed}),
        )
    )
    stored = {(rec.user_id, rec.key): (rec.request_hash, rec.body) for rec in found}
    fresh = []
    for i, (r, out) in enumerate(admitted):
        if r.idempotency is None:
            fresh.append(i)
            continue
        pair = (r.buyer_id, r.idempotency.key)
        prior = stored.get(pair)
        if prior is None or prior[1].get("order_id") == out.order_id:
            stored[pair] = (r.idempotency.fingerprint, out.model_dump(mode="json"))
            fresh.append(i)
        elif prior[0] == r.idempotency.fingerprint:
            outcomes[i] = ReservationOut.model_validate(prior[1])
        else:
            outcomes[i] = IdempotencyKeyReused()
    return fresh


def _units_per_buyer(admitted: Sequence[tuple[HoldRequest, ReservationOut]]) -> dict[str, int]:
    per_buyer: dict[str, int] = defaultdict(int)
    for r, _ in admitted:
        per_buyer[r.buyer_id] += r.quantity
    return per_buyer


async def _write_records(
    uow: UnitOfWork, admitted: Sequence[tuple[HoldRequest, ReservationOut]], now: datetime
) -> None:
    keyed = [_record_row(r, out, now) for r, out in admitted if r.idempotency]
    if keyed:
        await uow.session.execute(insert(_RECORDS), keyed)


def _order_row(r: HoldRequest, out: ReservationOut, now: datetime) -> dict[str, object]:
    return {
        "id": out.order_id, "buyer_id": r.buyer_id, "shop_id": r.shop_id,
        "show_id": r.show_id, "drop_id": r.drop_id, "pool_id": r.pool_id,
        "product_id": r.product_id, "variant_id": r.variant_id, "quantity": r.quantity,
        "unit_price_minor": r.unit_price.amount_minor, "total_minor": out.total.amount_minor,
        "currency": r.unit_price.currency, "status": OrderStatus.RESERVED,
        "expires_at": out.expires_at, "payment_pending": False,
        "created_at": r.admitted_at or now, **_display_columns(r.display),
    }  # fmt: skip


def _display_columns(d: LockedPrice | None) -> dict[str, object]:
    return {
        "display_currency": d.currency if d else None,
        "display_amount_minor": d.amount_minor if d else None,
        "display_rate": d.rate if d else None,
        "display_rate_source": d.source if d else None,
        "display_rate_as_of": d.as_of if d else None,
    }


def _record_row(r: HoldRequest, out: ReservationOut, now: datetime) -> dict[str, object]:
    assert r.idempotency is not None
    key = r.idempotency
    return {
        "user_id": r.buyer_id, "key": key.key, "scope": key.scope,
        "request_hash": key.fingerprint, "status_code": 201,
        "body": out.model_dump(mode="json"), "created_at": now,
    }  # fmt: skip


def _insert(uow: UnitOfWork, model: Any) -> Any:
    """INSERT for the session's dialect, with its ON CONFLICT clauses."""
    dialect = uow.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


async def add_units(uow: UnitOfWork, drop_id: str, per_buyer: dict[str, int]) -> dict[str, int]:
    """Add each buyer's newly held units to their counter; their counts after it."""
    stmt = _insert(uow, _DROP_BUYERS)
    units = _DROP_BUYERS.c.units
    stmt = stmt.on_conflict_do_update(
        index_elements=[_DROP_BUYERS.c.drop_id, _DROP_BUYERS.c.buyer_id],
        set_={"units": units + stmt.excluded.units},
    ).returning(_DROP_BUYERS.c.buyer_id, units)
    rows = [{"drop_id": drop_id, "buyer_id": b, "units": u} for b, u in per_buyer.items()]
    result = await uow.session.execute(stmt, rows)
    return {buyer: int(n) for buyer, n in result}
