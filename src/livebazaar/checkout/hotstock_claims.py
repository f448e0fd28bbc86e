"""A claim on its way through the Redis HotStock (hotstock_redis.py): what the claim script
takes of it, what the stream keeps of it (so another node can record it if this one dies), how
it ends, and recording claims in the database, where the database decides what it can take.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from livebazaar.broker import Broker
from livebazaar.checkout.errors import DropEnded, PerBuyerLimitExceeded, SoldOut
from livebazaar.checkout.hold_queue import admit
from livebazaar.checkout.holds import announce_holds
from livebazaar.checkout.hotstock import ClosedHold, DropTerms
from livebazaar.checkout.models import Order
from livebazaar.checkout.queries import get_drop
from livebazaar.checkout.reservations import (
    HoldRequest,
    NeedsDecision,
    Outcome,
    record_admitted,
    reservation,
)
from livebazaar.checkout.schemas import ReservationOut
from livebazaar.fx import LockedPrice
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database
from livebazaar.kernel.errors import DomainError
from livebazaar.kernel.idempotency import IdempotencyKey, IdempotencyKeyReused

log = logging.getLogger(__name__)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_ms(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(milliseconds=1)


def from_epoch_ms(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


@dataclass
class Claim:
    request: HoldRequest  # with its order id and moment of admission
    answer: ReservationOut  # what it gets once recorded
    future: asyncio.Future[Outcome] | None  # None: recovered from a dead node, nobody waits

    @property
    def idem_field(self) -> str:
        key = self.request.idempotency
        return f"{self.request.buyer_id} {key.key}" if key else ""

    def record(self) -> str:
        """What the stream keeps of it: enough for another node to record it."""
        r, key = self.request, self.request.idempotency
        assert r.admitted_at is not None
        d = r.display
        return json.dumps(
            {"o": self.answer.order_id, "b": r.buyer_id, "q": r.quantity,
             "t": epoch_ms(r.admitted_at), "k": key.key if key else None,
             "f": key.fingerprint if key else None,
             "d": [d.currency, d.amount_minor, d.rate, d.source, epoch_ms(d.as_of)] if d else None},
            separators=(",", ":"),
        )  # fmt: skip

    def script_args(self) -> list[str | int]:
        """Its six values for the claim script."""
        r, key = self.request, self.request.idempotency
        fingerprint = key.fingerprint if key else ""
        return [r.buyer_id, r.quantity, self.idem_field, fingerprint, self.record(),
                self.answer.model_dump_json()]  # fmt: skip

    def returned(self) -> tuple[str, str, int, str]:
        """Its hold as the return script takes it, Idempotency-Key included (forgotten)."""
        r = self.request
        return self.answer.order_id, r.buyer_id, r.quantity, self.idem_field

    def settle(self, outcome: Outcome) -> None:
        if self.future is not None and not self.future.done():
            self.future.set_result(outcome)


@dataclass
class Entry:
    """One stream entry: claims of one drop admitted together."""

    id: str
    drop_id: str
    claims: list[Claim]
    units: int = field(init=False)

    def __post_init__(self) -> None:
        self.units = sum(c.request.quantity for c in self.claims)


async def record_claims(
    db: Database, broker: Broker, clock: Clock, drop_id: str, claims: list[Claim]
) -> tuple[list[Outcome], bool]:
    """Record admitted claims of one drop in one transaction: the fast path, or the decision
    made again under the pool's lock when the database cannot take what Redis admitted (holds
    it expires on the way come back to Redis through the listener). Returns the outcomes, and
    whether the decision was made again."""
    pairs = [(c.request, c.answer) for c in claims]
    with contextlib.suppress(NeedsDecision):
        async with db.uow() as uow:
            outcomes = await record_admitted(uow, pairs, clock.now())
            if any(own(c, o) for c, o in zip(claims, outcomes, strict=True)):
                drop = await get_drop(uow.session, drop_id)
                await announce_holds(uow, broker, clock, drop, took_units=True)
            await uow.commit()
        return outcomes, False
    log.info("hotstock: drop %s decided under the pool's lock", drop_id)
    async with db.uow() as uow:
        ids = [c.answer.order_id for c in claims]
        done = set(await uow.session.scalars(select(Order.id).where(Order.id.in_(ids))))
        todo = [c for c in claims if c.answer.order_id not in done]
        requests = [c.request for c in todo]
        decided = iter(await admit(uow, broker, clock, requests))
        await uow.commit()
    outcomes = [c.answer if c.answer.order_id in done else next(decided) for c in claims]
    return outcomes, True


def own(claim: Claim, outcome: Outcome) -> bool:
    """Did the claim end with its own hold (keeping the units admitted for it)?"""
    return isinstance(outcome, ReservationOut) and outcome.order_id == claim.answer.order_id


def returned_hold(hold: ClosedHold) -> tuple[str, str, int, str]:
    """A closed hold as the return script takes it (its Idempotency-Key keeps its answer)."""
    return hold.order_id, hold.buyer_id, hold.quantity, ""


def settle_all(claims: Sequence[Claim], outcome: Outcome) -> None:
    for claim in claims:
        claim.settle(outcome)


def recovered(terms: DropTerms, record: dict[str, Any], now: datetime) -> Claim:
    key = IdempotencyKey(record["k"], f"claim:{terms.id}", record["f"]) if record.get("k") else None
    request = HoldRequest(
        buyer_id=record["b"], pool_id=terms.pool_id, quantity=int(record["q"]),
        unit_price=terms.price, hold_s=terms.hold_s, show_id=terms.show_id,
        shop_id=terms.shop_id, product_id=terms.product_id, variant_id=terms.variant_id,
        drop_id=terms.id, per_buyer_limit=terms.per_buyer_limit, idempotency=key,
        order_id=record["o"], admitted_at=from_epoch_ms(int(record["t"])),
        display=_display(record.get("d")),
    )  # fmt: skip
    return Claim(request, reservation(request, now), None)


def _display(kept: list[Any] | None) -> LockedPrice | None:
    """A claim's locked display price as its stream record keeps it (Claim.record)."""
    if not kept:
        return None
    currency, amount, rate, source, as_of_ms = kept
    return LockedPrice(currency, int(amount), rate, source, from_epoch_ms(int(as_of_ms)))


RETRY_AFTER_EXPIRY = frozenset({b"sold_out", b"limit"})
REFUSALS: dict[bytes, Callable[[], DomainError]] = {
    b"sold_out": SoldOut,
    b"ended": DropEnded,
    b"reused": IdempotencyKeyReused,
}


def verdict_kind(verdict: bytes) -> bytes:
    """A claim script's verdict without its data: b"limit" for b"limit\\t2"."""
    return verdict.partition(b"\t")[0]


def refusal(verdict: bytes) -> DomainError:
    """The refusal a claim script's verdict stands for (not 'ok' nor 'replay')."""
    kind, _, data = verdict.partition(b"\t")
    if kind == b"limit":
        return PerBuyerLimitExceeded(int(data or b"0"))
    return REFUSALS[kind]()
