"""The manual payout provider: a cooperative's treasurer carries the batch out by hand.

The treasurer downloads the batch's file (`GET /payout-batches/{id}/file`: CSV for every
method, SEPA pain.001 XML for euro bank transfers), takes it to the bank or the mobile-money
agent, or hands out cash, and then marks each payout paid with the bank's reference or
failed with the reason. Nothing settles when the batch is made.
"""

from __future__ import annotations

from collections.abc import Sequence

from livebazaar.payouts.port import PayoutInstruction, PayoutResult


class ManualPayoutProvider:
    name = "manual"

    async def submit(
        self, batch_id: str, instructions: Sequence[PayoutInstruction]
    ) -> list[PayoutResult]:
        return []
