"""Payouts: where each party's money goes (payout methods), the shop's payout rules, payout
batches and their files, the PayoutProvider port (manual and test), and the seam to the
ledger that says what is available (ledger_seam.py)."""

from livebazaar.payouts.actions import checked_method, do_set_payout_method, do_set_payout_settings
from livebazaar.payouts.batch_files import BatchFile, FileFormat, get_batch_file
from livebazaar.payouts.batches import do_create_payout_batch, do_mark_payout, plan_batch
from livebazaar.payouts.ledger_seam import (
    Available,
    Party,
    PayoutLedger,
    PayoutPosting,
    lock_shop_payouts,
)
from livebazaar.payouts.manual import ManualPayoutProvider
from livebazaar.payouts.methods import MethodSnapshot
from livebazaar.payouts.models import (
    BatchStatus,
    MethodKind,
    PartyType,
    Payout,
    PayoutBatch,
    PayoutMethod,
    PayoutSettings,
    PayoutStatus,
)
from livebazaar.payouts.port import (
    PayoutInstruction,
    PayoutOutcome,
    PayoutProvider,
    PayoutResult,
)
from livebazaar.payouts.test_provider import TestPayoutProvider
from livebazaar.payouts.views import (
    MoneyOverview,
    PartyMethod,
    get_batch_view,
    get_method_view,
    get_money_overview,
    get_settings_view,
    list_batch_views,
)

__all__ = [
    "Available",
    "BatchFile",
    "BatchStatus",
    "FileFormat",
    "ManualPayoutProvider",
    "MethodKind",
    "MethodSnapshot",
    "MoneyOverview",
    "Party",
    "PartyMethod",
    "PartyType",
    "Payout",
    "PayoutBatch",
    "PayoutInstruction",
    "PayoutLedger",
    "PayoutMethod",
    "PayoutOutcome",
    "PayoutPosting",
    "PayoutProvider",
    "PayoutResult",
    "PayoutSettings",
    "PayoutStatus",
    "TestPayoutProvider",
    "checked_method",
    "do_create_payout_batch",
    "do_mark_payout",
    "do_set_payout_method",
    "do_set_payout_settings",
    "get_batch_file",
    "get_batch_view",
    "get_method_view",
    "get_money_overview",
    "get_settings_view",
    "list_batch_views",
    "lock_shop_payouts",
    "plan_batch",
]
