"""Group commit for holds: claims and live purchases queue here, and one writer per process
admits a whole batch in one transaction.

Why: a claim touched the database with seven awaited statements, about 4 ms of CPU each time
through the async driver, and on SQLite every writer queues on one lock, so 500 concurrent
claimers convoyed at ~75 claims/s. Here a batch costs a handful of statements whatever its
size: the pool row is locked (SQLite: the writer lock and BEGIN IMMEDIATE; PostgreSQL:
SELECT ... FOR UPDATE), the buyers' counters are read, admissions are decided in order
(first come, first served) against the locked counts, and the results are written in bulk.
Nothing else can change those rows while the lock is held, so the decision is exact; the
pool's CHECK constraint (reserved + sold <= quantity) still refuses any bug.

A failed batch is retried one request at a time, so one bad request cannot fail the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from livebazaar import inventory, live
from livebazaar.broker import Broker
from livebazaar.checkout.errors import DropEnded, PerBuyerLimitExceeded, SoldOut
from livebazaar.checkout.holds import announce_holds, expire_due_holds
from livebazaar.checkout.hotstock import ClosedHold, DropTerms, DropTermsCache
from livebazaar.checkout.models import Drop, DropBuyer
from livebazaar.checkout.queries import drop_has_ended
from livebazaar.checkout.reservations import HoldRequest, Outcome, reservation, write_holds
from livebazaar.checkout.schemas import ReservationOut
from livebazaar.checkout.shelf_limits import BuyerBook, lock_and_read_book
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database, UnitOfWork
from livebazaar.kernel.errors import DomainError, Unavailable
from livebazaar.kernel.idempotency import IdempotencyKey, IdempotencyKeyReused, IdempotencyRecord

log = logging.getLogger(__name__)
MAX_BATCH = 500


Pending = tuple[HoldRequest, "asyncio.Future[Outcome]"]


class HoldQueue:
    """The database HotStock (the default), and the queue every live purchase takes."""

    def __init__(self, db: Database, broker: Broker, clock: Clock) -> None:
        self._db, self._broker, self._clock = db, broker, clock
        self._terms = DropTermsCache(db)
        self._queue: asyncio.Queue[Pending] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None

    async def drop_terms(self, drop_id: str) -> DropTerms:
        return await self._terms.get(drop_id)

    async def claim(self, request: HoldRequest) -> ReservationOut:
        return await self.submit(request)

    async def returned(self, holds: Sequence[ClosedHold]) -> None:
        """Nothing to do: the database is where this queue counts."""

    async def maintain(self) -> None:
        """Nothing to do: a batch is one transaction, and a dead process left none half-done."""

    async def submit(self, request: HoldRequest) -> ReservationOut:
        """Queue a hold and wait for the batch that decides it. Raises the refusal."""
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_forever(self._queue))
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((request, future))
        outcome = await future
        if isinstance(outcome, DomainError):
            raise outcome
        return outcome

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        _fail_all([], self._queue)  # also what a writer cancelled before it ran never saw

    async def _write_forever(self, queue: asyncio.Queue[Pending]) -> None:
        batch: list[Pending] = []
        try:
            while True:
                batch = [await queue.get()]
                while len(batch) < MAX_BATCH and not queue.empty():
                    batch.append(queue.get_nowait())
                try:
                    outcomes = await self._decide(batch)
                except Exception:
                    log.exception("hold batch of %d failed; retrying one by one", len(batch))
                    outcomes = [await self._decide_alone(item) for item in batch]
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if not future.done():
                        future.set_result(outcome)
                batch = []
        except BaseException:  # stopped (shutdown): nobody may wait for ever
            _fail_all(batch, queue)
            raise

    async def _decide(self, batch: list[Pending]) -> list[Outcome]:
        async with self._db.uow() as uow:
            outcomes = await admit(uow, self._broker, self._clock, [r for r, _ in batch])
            await uow.commit()
        return outcomes

    async def _decide_alone(self, item: Pending) -> Outcome:
        try:
            [outcome] = await self._decide([item])
        except Exception:
            log.exception("hold request for pool %s failed", item[0].pool_id)
            return Unavailable("The hold could not be recorded; try again")
        return outcome


def _fail_all(batch: list[Pending], queue: asyncio.Queue[Pending]) -> None:
    while not queue.empty():
        batch.append(queue.get_nowait())
    for _, future in batch:
        if not future.done():
            future.set_result(Unavailable("The server is stopping; try again"))


async def admit(
    uow: UnitOfWork, broker: Broker, clock: Clock, requests: Sequence[HoldRequest]
) -> list[Outcome]:
    """Decide and write a batch of holds inside `uow`; one outcome per request, in order."""
    outcomes: list[Outcome | None] = [None] * len(requests)
    fresh, copies = await _replay_idempotent(uow, requests, outcomes)
    # Buyers' locks before any pool's, in every unit that takes both: no deadlocks.
    book = await lock_and_read_book(uow, clock.now(), [requests[i] for i in fresh])
    by_pool: dict[str, list[int]] = defaultdict(list)
    for i in fresh:
        by_pool[requests[i].pool_id].append(i)
    for pool_id, indexes in sorted(by_pool.items()):  # one lock order: no deadlocks
        chosen = [requests[i] for i in indexes]
        decided = await _admit_pool(uow, broker, clock, pool_id, chosen, book)
        for i, outcome in zip(indexes, decided, strict=True):
            outcomes[i] = outcome
    for i, first in copies:  # the same key twice in one batch: the second gets the first's answer
        same = _key(requests[i]).fingerprint == _key(requests[first]).fingerprint
        outcomes[i] = outcomes[first] if same else IdempotencyKeyReused()
    return [o if o is not None else Unavailable() for o in outcomes]


def _key(request: HoldRequest) -> IdempotencyKey:
    assert request.idempotency is not None
    return request.idempotency


async def _replay_idempotent(
    uow: UnitOfWork, requests: Sequence[HoldRequest], outcomes: list[Outcome | None]
) -> tuple[list[int], list[tuple[int, int]]]:
    """Answer retries from their stored first answer. Returns the indexes still to decide, and
    (index, index of the first request with the same key) for keys repeated in this batch."""
    keyed = {(r.buyer_id, r.idempotency.key) for r in requests if r.idempotency}
    stored: dict[tuple[str, str], IdempotencyRecord] = {}
    if keyed:
        rows = await uow.session.scalars(
            select(IdempotencyRecord)
            .where(IdempotencyRecord.user_id.in_({u for u, _ in keyed}))
            .where(IdempotencyRecord.key.in_({k for _, k in keyed}))
        )
        stored = {(row.user_id, row.key): row for row in rows}
    fresh: list[int] = []
    copies: list[tuple[int, int]] = []
    first_in_batch: dict[tuple[str, str], int] = {}
    for i, r in enumerate(requests):
        if r.idempotency is None:
            fresh.append(i)
            continue
        pair = (r.buyer_id, r.idempotency.key)
        record = stored.get(pair)
        if record is not None:
            same = record.request_hash == r.idempotency.fingerprint
            outcomes[i] = (
                ReservationOut.model_validate(record.body) if same else IdempotencyKeyReused()
            )
        elif pair in first_in_batch:
            copies.append((i, first_in_batch[pair]))
        else:
            first_in_batch[pair] = i
            fresh.append(i)
    return fresh, copies


async def _admit_pool(
    uow: UnitOfWork, broker: Broker, clock: Clock, pool_id: str, requests: list[HoldRequest],
    book: BuyerBook | None,
) -> list[Outcome]:  # fmt: skip
    """Lock the pool, decide each request in order against its counts, write the admitted."""
    now = clock.now()
    expired = await expire_due_holds(uow, broker, clock, pool_id=pool_id, emit_events=False)
    pool = await inventory.lock_pool(uow.session, pool_id)
    drop_id = requests[0].drop_id
    drop = await uow.session.get(Drop, drop_id, populate_existing=True) if drop_id else None
    if pool is None or (drop is not None and drop_has_ended(drop, now)):
        return [DropEnded() for _ in requests]
    held = await _units_held(uow, drop_id, {r.buyer_id for r in requests}) if drop_id else {}
    shows = None if drop else await _selling_shows(uow, {r.show_id for r in requests})
    outcomes = decide(requests, pool.quantity - pool.reserved - pool.sold, held, now, shows, book)
    admitted = [
        (r, o) for r, o in zip(requests, outcomes, strict=True) if isinstance(o, ReservationOut)
    ]
    if admitted:
        await write_holds(uow, pool_id, admitted, now)
    if drop is not None and (admitted or expired):  # returned units are news too
        await announce_holds(uow, broker, clock, drop, took_units=bool(admitted))
    return outcomes


async def _selling_shows(uow: UnitOfWork, show_ids: set[str]) -> set[str]:
    """Which of these shows sell from their shelf: live ones, and ended ones (their replay
    stays shoppable while stock remains). Read under a share lock, as the status changes."""
    selling = (live.ShowStatus.LIVE, live.ShowStatus.ENDED)
    rows = await uow.session.scalars(
        select(live.Show.id)
        .where(live.Show.id.in_(show_ids), live.Show.status.in_(selling))
        .with_for_update(read=True)
    )
    return set(rows)


def decide(
    requests: list[HoldRequest], available: int, held: dict[str, int], now: datetime,
    live_shows: set[str] | None = None, book: BuyerBook | None = None,
) -> list[Outcome]:  # fmt: skip
    """First come, first served against the locked counts: the per-buyer limits, then stock.
    A drop's claims count against `held` (each buyer's units in the drop); shelf purchases
    against `book` (shelf_limits.py), and `live_shows`: one in a show that does not sell is
    refused."""
    held = dict(held)
    outcomes: list[Outcome] = []
    for r in requests:
        refusal = _refusal(r, held, live_shows, book)
        if refusal is None and r.quantity > available:
            refusal = SoldOut()
        if refusal is not None:
            outcomes.append(refusal)
            continue
        available -= r.quantity
        out = reservation(r, now)
        if r.drop_id is not None:
            held[r.buyer_id] = held.get(r.buyer_id, 0) + r.quantity
        elif book is not None:
            book.take(r, out.expires_at)
        outcomes.append(out)
    return outcomes


def _refusal(
    r: HoldRequest, held: dict[str, int], live_shows: set[str] | None, book: BuyerBook | None
) -> DomainError | None:
    if r.drop_id is not None:
        units = held.get(r.buyer_id, 0)
        if r.per_buyer_limit is not None and units + r.quantity > r.per_buyer_limit:
            return PerBuyerLimitExceeded(r.per_buyer_limit - units)
        return None
    if live_shows is not None and r.show_id not in live_shows:
        return live.ShowNotLive()
    return book.refusal(r) if book is not None else None


async def _units_held(uow: UnitOfWork, drop_id: str, buyers: set[str]) -> dict[str, int]:
    rows = await uow.session.execute(
        select(DropBuyer.buyer_id, DropBuyer.units).where(
            DropBuyer.drop_id == drop_id, DropBuyer.buyer_id.in_(buyers)
        )
    )
    return {buyer: int(units) for buyer, units in rows}
