"""The PayoutProvider port: how a batch's payouts leave. Dataclasses at the boundary.

Two adapters: `manual` (manual.py), whose payouts a treasurer carries out by hand from the
batch's file and then marks paid or failed, and `test` (test_provider.py), which settles at
once. The batch is committed before `submit` is called, so no provider is ever called inside
a transaction; what `submit` answers is applied in a unit of work of its own.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from livebazaar.kernel.money import Money
from livebazaar.payouts.ledger_seam import Party
from livebazaar.payouts.methods import MethodSnapshot


class PayoutOutcome(enum.StrEnum):
    PAID = "paid"
    FAILED = "failed"


@dataclass(frozen=True)
class PayoutInstruction:
    payout_id: str  # the provider's key: a repeat of the same id must not pay twice
    party: Party
    amount: Money
    method: MethodSnapshot


@dataclass(frozen=True)
class PayoutResult:
    payout_id: str
    outcome: PayoutOutcome
    reference: str | None = None  # PAID: the provider's reference for the transfer
    failure_reason: str | None = None  # FAILED: why


class PayoutProvider(Protocol):
    name: str

    async def submit(
        self, batch_id: str, instructions: Sequence[PayoutInstruction]
    ) -> list[PayoutResult]:
        """Send the batch's payouts; the results of those already settled (none for a
        provider that settles later or by hand)."""
        ...
