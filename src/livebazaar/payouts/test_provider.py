"""The test payout provider: every payout settles the moment its batch is made, paid, or
failed when its account (an IBAN or a phone number) is one listed to fail
(settings.test_payouts_fail_accounts). Only in test mode (settings.test_payments), as the
test payment provider: on a real deployment it would mark payouts paid that nobody sent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from livebazaar.payouts.methods import check_iban, check_phone
from livebazaar.payouts.port import PayoutInstruction, PayoutOutcome, PayoutResult

FAILED_REASON = "test_account_refused"


class TestPayoutProvider:
    __test__ = False  # not a pytest class, despite its name
    name = "test"

    def __init__(self, fail_accounts: Iterable[str] = ()) -> None:
        self.fail_accounts = frozenset(_normalised(account) for account in fail_accounts)

    async def submit(
        self, batch_id: str, instructions: Sequence[PayoutInstruction]
    ) -> list[PayoutResult]:
        return [self._settle(batch_id, instruction) for instruction in instructions]

    def _settle(self, batch_id: str, instruction: PayoutInstruction) -> PayoutResult:
        account = instruction.method.account
        if account is not None and account in self.fail_accounts:
            return PayoutResult(
                instruction.payout_id, PayoutOutcome.FAILED, failure_reason=FAILED_REASON
            )
        reference = f"test_{instruction.payout_id.replace('-', '')}"
        return PayoutResult(instruction.payout_id, PayoutOutcome.PAID, reference=reference)


def _normalised(account: str) -> str:
    """An IBAN compact, a phone number in E.164: as payout methods store them."""
    text = account.strip()
    return check_phone(text) if text.startswith("+") else check_iban(text).compact
