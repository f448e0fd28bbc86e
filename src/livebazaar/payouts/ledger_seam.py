"""The seam to the ledger: all that payouts needs from it, and nothing more.

The ledger (accounts, entries, postings; each party's pending, available and paid-out
balances) is built apart. Payouts asks it four things, each inside the caller's unit of
work, so a batch and its ledger entries commit together or not at all:

- `available_balances(uow, shop_id, currency)`: what each party of the shop's world (the
  shop, its producers, the co-hosts of its shows, for what they earned from this shop) may
  be paid now in `currency`. Called under the shop's payout lock (`lock_shop_payouts`),
  which every change that lowers an available balance of the shop's world must also hold,
  or the ledger must keep available balances from going below what was paid out.
  An amount may be zero or negative (after a chargeback): those are not paid.
- `post_payouts_sent(uow, postings)`: each amount leaves the party's available balance at
  once (`payout:<payout_id>:sent`), so a second batch cannot pay it again.
- `post_payout_paid(uow, posting, reference)`: the money reached the party; it counts as
  paid out (`payout:<payout_id>:paid`).
- `post_payout_failed(uow, posting, reason)`: the transfer failed; the money is available
  again (`payout:<payout_id>:failed`, reversing the sent entry).

`bootstrap.build_container` wires the ledger's adapter (ledger/payouts.py: the ledger imports
payouts, never the reverse). The payouts tests put a small ledger over a table of their own in
its place (tests/payouts/ledger_fake.py); tests/ledger/test_payouts.py runs the real one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from livebazaar.kernel.db import UnitOfWork
from livebazaar.payouts.models import PartyType


@dataclass(frozen=True, order=True)
class Party:
    type: PartyType
    id: str


@dataclass(frozen=True)
class Available:
    """What `party` may be paid now, in the currency asked for."""

    party: Party
    amount_minor: int


@dataclass(frozen=True)
class PayoutPosting:
    payout_id: str
    shop_id: str
    party: Party
    amount_minor: int  # > 0
    currency: str


class PayoutLedger(Protocol):
    async def available_balances(
        self, uow: UnitOfWork, shop_id: str, currency: str
    ) -> list[Available]: ...

    async def post_payouts_sent(
        self, uow: UnitOfWork, postings: Sequence[PayoutPosting]
    ) -> None: ...

    async def post_payout_paid(
        self, uow: UnitOfWork, posting: PayoutPosting, reference: str
    ) -> None: ...

    async def post_payout_failed(
        self, uow: UnitOfWork, posting: PayoutPosting, reason: str
    ) -> None: ...


async def lock_shop_payouts(uow: UnitOfWork, shop_id: str) -> None:
    """Hold the shop's payout lock until `uow` ends, against every node: a transaction
    advisory lock on PostgreSQL, the single writer's lock on SQLite. Batches of one shop are
    made one after another, each reading the balances the one before it left (PostgreSQL's
    READ COMMITTED gives each statement after the lock a fresh snapshot)."""
    await uow.lock_name(f"payouts:shop:{shop_id}")
