"""The Redis HotStock: a drop's claims admitted by one Lua script, recorded in the database in
batches, answered once recorded (ADR 0011; the scripts are in hotstock_scripts.py).

A claim goes through two stages, each batching whatever is waiting:

1. **Admit** (one script call per drop per batch): against the drop's counts in Redis (units
   available, units per buyer, Idempotency-Keys) each claim is admitted or refused in
   arrival order; the admitted ones become ONE entry in the stream `<p>:log`, delivered in
   the same script to this node's consumer of the group `writers`, and count as `inflight`.
2. **Record** (one transaction per batch): order rows (the order id, chosen before admission,
   is the key: recording twice changes nothing), the pool's reserved count through its
   conditional UPDATE, the buyers' counters, idempotency records, one stock event. The
   database stays the arbiter: if the pool or a buyer's limit would not hold what Redis
   admitted (a crash, a lost Redis, the drop ended early), the batch is decided again under
   the pool's lock, as the HoldQueue does, and Redis gets the refused units back. Then the
   entry is acknowledged and deleted, and the claims are answered.

What can go wrong, and what happens:

- **The database is unreachable**: the admissions are undone in Redis (units, counters and
  keys back) if the entry is still this node's, and the claims answer 503.
- **The node dies** between admit and record: its entries stay pending in the group. Every
  node's upkeep (`maintain`, every sweeper beat) claims entries idle for `recovery_idle_s`
  (XAUTOCLAIM) and records them. Nobody was told of those holds; unpaid, they expire and
  their units come back.
- **Redis loses its memory** (restart without persistence): the next claim finds no state,
  reads the drop from the database (units, buyers' counts, Idempotency-Keys) and loads it;
  in-flight batches finish against the database, which refuses anything that no longer
  fits. Claims answer 503 while Redis is away.
- **Holds close** in the database (the sweeper's expiry): `returned` gives their units back,
  once per order id. Units stranded by a crash between the two come back with the upkeep's
  reconciliation, which only ever raises what Redis may admit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import select

from livebazaar import inventory
from livebazaar.broker import Broker
from livebazaar.checkout import hotstock_scripts as lua
from livebazaar.checkout.actions import do_expire_due_holds
from livebazaar.checkout.hotstock import ClosedHold, DropTerms, DropTermsCache
from livebazaar.checkout.hotstock_claims import (
    RETRY_AFTER_EXPIRY,
    Claim,
    Entry,
    epoch_ms,
    own,
    record_claims,
    recovered,
    refusal,
    returned_hold,
    settle_all,
    verdict_kind,
)
from livebazaar.checkout.models import DropBuyer, Order
from livebazaar.checkout.queries import drop_has_ended, get_drop
from livebazaar.checkout.reservations import HoldRequest, Outcome, reservation
from livebazaar.checkout.schemas import ReservationOut
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database, is_unreachable
from livebazaar.kernel.errors import DomainError, IdempotencyKeyInFlight, Unavailable
from livebazaar.kernel.idempotency import IdempotencyRecord
from livebazaar.kernel.ids import new_id

log = logging.getLogger(__name__)

REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
MAX_ADMIT = 500  # claims per script call
MAX_RECORD = 1000  # claims per transaction
# After "sold out" (or "limit"), the drop's due holds are expired at once, at most this often.
DUE_CHECK = timedelta(milliseconds=250)
GROUP = "writers"
KEEP_AFTER_END = timedelta(hours=1)  # a drop's keys outlive its end by this much


class RedisHotStock:
    def __init__(
        self, client: Redis, prefix: str, db: Database, broker: Broker, clock: Clock, *,
        recovery_idle_s: float = 10.0, reconcile_every_s: float = 10.0,
        consumer: str | None = None,
    ) -> None:  # fmt: skip
        self._redis = client
        self._prefix = f"{prefix}:hot"
        self._log = f"{self._prefix}:log"
        self._db, self._broker, self._clock = db, broker, clock
        self._terms = DropTermsCache(db)
        self._recovery_idle_ms = max(1, round(recovery_idle_s * 1000))
        self._reconcile_every_s = reconcile_every_s
        self.consumer = consumer or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._claim = client.register_script(lua.CLAIM)
        self._load_script = client.register_script(lua.LOAD)
        self._ack_script = client.register_script(lua.ACK)
        self._return_script = client.register_script(lua.RETURN)
        self._undo_script = client.register_script(lua.UNDO)
        self._reconcile_script = client.register_script(lua.RECONCILE)
        self._incoming: asyncio.Queue[Claim] = asyncio.Queue()
        self._admitted: asyncio.Queue[Entry] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._waiting: dict[str, asyncio.Future[Outcome]] = {}  # order id -> its claim's answer
        self._in_hand: set[str] = set()  # entries admitted here and not yet recorded
        self._active: dict[str, float] = {}  # drop id -> when this node last admitted for it
        self._due_checked: dict[str, datetime] = {}  # drop id -> when its due holds expired
        self._last_reconcile = 0.0

    def _keys(self, drop_id: str) -> list[str]:
        base = f"{self._prefix}:{{{drop_id}}}"
        return [f"{base}:state", f"{base}:buyers", f"{base}:idem", f"{base}:returned"]

    async def drop_terms(self, drop_id: str) -> DropTerms:
        return await self._terms.get(drop_id)

    async def claim(self, request: HoldRequest) -> ReservationOut:
        now = self._clock.now()
        request = replace(request, order_id=new_id(), admitted_at=now)
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        claim = Claim(request, reservation(request, now), future)
        self._start()
        self._incoming.put_nowait(claim)
        self._waiting[claim.answer.order_id] = future
        try:
            outcome = await future
        finally:
            self._waiting.pop(claim.answer.order_id, None)
        if isinstance(outcome, DomainError):
            raise outcome
        return outcome

    def _start(self) -> None:
        if not self._tasks or any(t.done() for t in self._tasks):
            for task in self._tasks:
                task.cancel()
            self._tasks = [
                asyncio.create_task(self._forever(self._admit_waiting)),
                asyncio.create_task(self._forever(self._record_admitted)),
            ]

    async def _forever(self, step: Callable[[], Awaitable[None]]) -> None:
        while True:
            try:
                await step()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug must not stop claims for good: the step settles its own
                log.exception("hotstock step failed")

    # -- stage 1: admit -------------------------------------------------------------------

    async def _admit_waiting(self) -> None:
        batch = [await self._incoming.get()]
        while len(batch) < MAX_ADMIT and not self._incoming.empty():
            batch.append(self._incoming.get_nowait())
        by_drop: dict[str, list[Claim]] = defaultdict(list)
        for claim in batch:
            assert claim.request.drop_id is not None
            by_drop[claim.request.drop_id].append(claim)
        for drop_id, claims in by_drop.items():
            try:
                await self._admit(drop_id, claims)
            except DomainError as exc:  # the drop is gone
                settle_all(claims, exc)
            except REDIS_ERRORS:
                log.warning("redis unreachable: claims refused for now")
                settle_all(claims, Unavailable("Claims cannot be taken right now; try again"))
            except Exception:
                log.exception("admitting %d claims failed", len(claims))
                settle_all(claims, Unavailable("Claims cannot be taken right now; try again"))

    async def _admit(self, drop_id: str, claims: list[Claim]) -> None:
        self._active[drop_id] = time.monotonic()
        entry_id, verdicts = await self._run_claim(drop_id, claims)
        # Refused for want of units, or by the limit: holds past their expiry count no more
        # (as in the HoldQueue, which expires them first), so expire them and try again.
        retry = {
            id(c): v
            for c, v in zip(claims, verdicts, strict=True)
            if verdict_kind(v) in RETRY_AFTER_EXPIRY
        }
        self._take_verdicts(drop_id, entry_id, claims, verdicts, skip=retry)
        if not retry:
            return
        again = [c for c in claims if id(c) in retry]
        try:
            if await self._expire_due_holds(drop_id):
                entry_id, verdicts = await self._run_claim(drop_id, again)
                self._take_verdicts(drop_id, entry_id, again, verdicts, skip={})
                return
        except Exception as exc:  # the first answers stand; those admitted are on their way
            log.warning("hotstock: a second try after expiring due holds failed: %r", exc)
        for claim in again:
            claim.settle(refusal(retry[id(claim)]))

    def _take_verdicts(
        self, drop_id: str, entry_id: str, claims: list[Claim], verdicts: list[bytes],
        skip: dict[int, bytes],
    ) -> None:  # fmt: skip
        """Admitted claims go to be recorded (one entry); the others are answered now, but
        those in `skip` (by id), which are tried again."""
        admitted = []
        for claim, verdict in zip(claims, verdicts, strict=True):
            if verdict == b"ok":
                admitted.append(claim)
            elif verdict.startswith(b"replay\t"):
                answer = ReservationOut.model_validate_json(verdict[len(b"replay\t") :])
                asyncio.create_task(self._replay(claim, answer))  # noqa: RUF006 (settles it)
            elif id(claim) not in skip:
                claim.settle(refusal(verdict))
        if admitted:
            self._in_hand.add(entry_id)
            self._admitted.put_nowait(Entry(entry_id, drop_id, admitted))

    async def _run_claim(self, drop_id: str, claims: list[Claim]) -> tuple[str, list[bytes]]:
        """The claim script over `claims` (loading the drop first if Redis has not got it):
        the entry id of the admitted ones ('' if none), and a verdict per claim."""
        args: list[str | int] = [self.consumer, epoch_ms(self._clock.now()), drop_id]
        for c in claims:
            args += c.script_args()
        keys = [*self._keys(drop_id)[:3], self._log]
        result = await self._claim(keys=keys, args=args)
        if result[0] == b"missing":
            await self._load(drop_id)
            result = await self._claim(keys=keys, args=args)
            if result[0] == b"missing":  # its keys outlived the drop, and so did this claim
                return "", [b"ended"] * len(claims)
        return result[0].decode(), list(result[2:])

    async def _expire_due_holds(self, drop_id: str) -> bool:
        """Expire the drop's due holds now, not at the sweeper's next beat (at most once per
        DUE_CHECK per drop); True if any units came back."""
        now = self._clock.now()
        last = self._due_checked.get(drop_id)
        if last is not None and now - last < DUE_CHECK:
            return False
        self._due_checked[drop_id] = now
        pool_id = (await self._terms.get(drop_id)).pool_id
        return await do_expire_due_holds(self._db, self._broker, self._clock, pool_id=pool_id) > 0

    async def _replay(self, claim: Claim, answer: ReservationOut) -> None:
        """A retried Idempotency-Key: the first claim's answer, once that one is recorded."""
        first = self._waiting.get(answer.order_id)
        if first is not None:  # still being recorded here
            await asyncio.wait([first])
            if not first.cancelled():
                claim.settle(first.result())
                return
        try:
            async with self._db.read() as session:
                recorded = await session.get(Order, answer.order_id)
        except Exception as exc:
            log.warning("replaying a claim: %s", exc)
            claim.settle(Unavailable("This claim's record could not be read; try again"))
            return
        # Not recorded yet: the first is on its way through another node (or this one's
        # earlier life, whose entry another node records): 409 and Retry-After.
        claim.settle(answer if recorded is not None else IdempotencyKeyInFlight())

    async def _load(self, drop_id: str) -> None:
        """Put the drop's counts in Redis, as the database has them (unless a node did)."""
        async with self._db.read() as session:
            drop = await get_drop(session, drop_id)
            pool = await inventory.get_pool(session, drop.pool_id)
            assert pool is not None, "a drop always has its pool"
            buyers = await session.execute(
                select(DropBuyer.buyer_id, DropBuyer.units).where(DropBuyer.drop_id == drop_id)
            )
            records = await session.scalars(
                select(IdempotencyRecord).where(IdempotencyRecord.scope == f"claim:{drop_id}")
            )
            now = self._clock.now()
            pairs = [v for buyer, units in buyers if units > 0 for v in (buyer, str(units))]
            idem = [
                v for r in records
                for v in (f"{r.user_id} {r.key}", f"{r.request_hash}\t{json.dumps(r.body)}")
            ]  # fmt: skip
        ttl_ms = max(1, epoch_ms(drop.ends_at + KEEP_AFTER_END) - epoch_ms(now))
        args: list[str | int] = [pool.quantity - pool.reserved - pool.sold, drop.per_buyer_limit,
                epoch_ms(drop.ends_at), int(drop_has_ended(drop, now)), ttl_ms,
                len(pairs) // 2, *pairs, *idem]  # fmt: skip
        if await self._load_script(keys=self._keys(drop_id), args=args):
            log.info("hotstock: loaded drop %s from the database", drop_id)

    # -- stage 2: record ------------------------------------------------------------------

    async def _record_admitted(self) -> None:
        entries = [await self._admitted.get()]
        count = len(entries[0].claims)
        while count < MAX_RECORD and not self._admitted.empty():
            entries.append(self._admitted.get_nowait())
            count += len(entries[-1].claims)
        try:
            await self._record(entries)
        finally:
            self._in_hand.difference_update(e.id for e in entries)

    async def _record(self, entries: list[Entry]) -> None:
        """Record entries in the database, then settle Redis and answer their claims."""
        by_drop: dict[str, list[Entry]] = defaultdict(list)
        for entry in entries:
            by_drop[entry.drop_id].append(entry)
        for drop_id, group in sorted(by_drop.items()):
            claims = [c for e in group for c in e.claims]
            try:
                outcomes, decided = await record_claims(
                    self._db, self._broker, self._clock, drop_id, claims
                )
            except Exception as exc:
                await self._undo(group, exc)
                continue
            try:
                await self._settle_redis(drop_id, group, claims, outcomes, decided)
            finally:
                for claim, outcome in zip(claims, outcomes, strict=True):
                    claim.settle(outcome)

    async def _settle_redis(
        self, drop_id: str, group: list[Entry], claims: list[Claim], outcomes: list[Outcome],
        decided: bool,
    ) -> None:  # fmt: skip
        """After the commit: units of refused claims back, the entries acknowledged, and, if
        the database decided again, Redis's counts set to its. A failure here leaves Redis
        behind, never the answers wrong: the upkeep repairs it."""
        refused = [c for c, o in zip(claims, outcomes, strict=True) if not own(c, o)]
        try:
            await self._give_back(drop_id, [c.returned() for c in refused])
            await self._ack(group)
            if decided:
                await self._reconcile(drop_id, mode="set")
        except Exception as exc:
            log.warning("hotstock: redis left behind after a commit (%r); upkeep repairs it", exc)

    async def _give_back(self, drop_id: str, holds: Sequence[tuple[str, str, int, str]]) -> None:
        if holds:
            args = [v for h in holds for v in h]
            await self._return_script(keys=self._keys(drop_id), args=args)

    async def _ack(self, entries: Sequence[Entry]) -> None:
        keys = [self._log, *(self._keys(e.drop_id)[0] for e in entries)]
        await self._ack_script(keys=keys, args=[v for e in entries for v in (e.id, e.units)])

    async def _undo(self, group: list[Entry], error: Exception) -> None:
        """The database did not take the batch: undo its admissions while they are still
        ours, and refuse the claims (503)."""
        if is_unreachable(error):
            log.warning("hotstock: database unreachable, %d entries undone", len(group))
        else:
            log.error("hotstock: recording failed", exc_info=error)
        for entry in group:
            keys = self._keys(entry.drop_id)
            args: list[str | int] = [self.consumer, entry.id, entry.units]
            for c in entry.claims:
                args += [c.request.buyer_id, c.request.quantity, c.idem_field]
            try:
                await self._undo_script(keys=[self._log, keys[0], keys[1], keys[2]], args=args)
            except Exception as exc:  # still pending: recorded later by the upkeep, then expired
                log.warning("hotstock: entry %s left pending (%r)", entry.id, exc)
            finally:
                settle_all(entry.claims, Unavailable("The claim could not be recorded; try again"))

    # -- units back, upkeep ---------------------------------------------------------------

    async def returned(self, holds: Sequence[ClosedHold]) -> None:
        by_drop: dict[str, list[tuple[str, str, int, str]]] = defaultdict(list)
        for h in holds:
            if h.drop_id is not None:
                by_drop[h.drop_id].append(returned_hold(h))
        for drop_id, items in by_drop.items():
            try:
                await self._give_back(drop_id, items)
            except REDIS_ERRORS as exc:  # the upkeep's reconciliation brings them back
                log.warning("hotstock: returned units not given back yet (%s)", exc)

    async def ended(self, drop_ids: Sequence[str]) -> None:
        """These drops closed in the database (committed): Redis admits no more claims."""
        for drop_id in drop_ids:
            try:
                await self._reconcile_script(keys=self._keys(drop_id)[:1], args=[0, 1, "set"])
            except REDIS_ERRORS as exc:  # a claim admitted meanwhile is refused by the database
                log.warning("hotstock: drop %s not marked ended in redis (%s)", drop_id, exc)

    async def maintain(self) -> None:
        """Record what dead nodes admitted and left pending, then, every reconcile_every_s,
        bring back units Redis no longer offers but the database has (never fewer)."""
        try:
            await self._recover()
            if time.monotonic() - self._last_reconcile >= self._reconcile_every_s:
                self._last_reconcile = time.monotonic()
                horizon = time.monotonic() - 600
                for drop_id, seen in list(self._active.items()):
                    if seen < horizon:
                        del self._active[drop_id]
                        self._due_checked.pop(drop_id, None)
                    else:
                        await self._reconcile(drop_id, mode="raise")
        except REDIS_ERRORS as exc:
            log.warning("hotstock upkeep: redis unreachable (%s)", exc)

    async def _recover(self) -> None:
        start = "0-0"
        for _ in range(20):
            try:
                start, claimed, deleted = await self._redis.xautoclaim(
                    self._log, GROUP, self.consumer, self._recovery_idle_ms, start, count=100
                )
            except ResponseError as exc:  # no stream or group yet: nothing was ever admitted
                if "NOGROUP" in str(exc):
                    return
                raise
            if deleted:
                await self._redis.xack(self._log, GROUP, *deleted)
            # This node's own entries still waiting for a busy database are recorded in turn.
            claimed = [(i, f) for i, f in claimed if i.decode() not in self._in_hand]
            entries = [e for e in [await self._entry_of(i, f) for i, f in claimed] if e]
            if entries:
                log.warning("hotstock: recording %d entries a dead node left", len(entries))
                await self._record(entries)
            if start in (b"0-0", "0-0"):
                return

    async def _entry_of(self, entry_id: bytes, fields: dict[bytes, bytes]) -> Entry | None:
        drop_id = fields[b"drop"].decode()
        try:
            terms = await self._terms.get(drop_id)
        except DomainError:
            log.error("hotstock: entry %s names no drop; dropped", entry_id)
            await self._redis.xack(self._log, GROUP, entry_id)
            return None
        claims = [recovered(terms, json.loads(line), self._clock.now())
                  for line in fields[b"claims"].decode().split("\n")]  # fmt: skip
        return Entry(entry_id.decode(), drop_id, claims)

    async def _reconcile(self, drop_id: str, *, mode: str) -> None:
        async with self._db.read() as session:
            drop = await get_drop(session, drop_id)
            pool = await inventory.get_pool(session, drop.pool_id)
        assert pool is not None
        available = pool.quantity - pool.reserved - pool.sold
        ended = int(drop_has_ended(drop, self._clock.now()))
        await self._reconcile_script(keys=self._keys(drop_id)[:1], args=[available, ended, mode])

    async def close(self) -> None:
        """Stop admitting and recording; every claim still waiting here answers 503."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # Claims admitted but not recorded stay pending in Redis: another node records them.
        for future in self._waiting.values():
            if not future.done():
                future.set_result(Unavailable("The server is stopping; try again"))
        await self._redis.aclose()
