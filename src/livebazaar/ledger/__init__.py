"""The ledger: double-entry accounts, entries and postings in our own database (ADR 0021);
the split of a paid order; refunds and chargebacks reversing it; releasing pending money;
balances, settlements and the trial balance; shows' commissions.

Payouts (their own feature) read balances and move money through `LedgerPayouts`, the
adapter behind their seam (ledger/payouts.py).
"""

from livebazaar.ledger import ddl as _ddl  # noqa: F401 (the tables' triggers)
from livebazaar.ledger.actions import (
    SaleTerms,
    check_platform_fee_fits,
    do_set_commissions,
    record_chargeback,
    record_refund,
    record_sale,
    release_order_funds,
)
from livebazaar.ledger.errors import (
    CommissionsTooHigh,
    EntryKeyConflict,
    NotShowCohost,
    UnbalancedEntry,
)
from livebazaar.ledger.journal import AccountRef, Leg, Posted, post_entry
from livebazaar.ledger.models import (
    AccountKind,
    Bucket,
    EntryKind,
    LedgerAccount,
    LedgerEntry,
    LedgerPosting,
    OwnerType,
    ShowCommission,
)
from livebazaar.ledger.payouts import LedgerPayouts, payout_entry_key
from livebazaar.ledger.queries import (
    get_balance_in,
    get_commission_bps,
    get_party_balances,
    get_settlement,
    get_trial_balance,
    order_entry_key,
    platform_fee_of,
)
from livebazaar.ledger.tasks import release_due_orders

__all__ = [
    "AccountKind",
    "AccountRef",
    "Bucket",
    "CommissionsTooHigh",
    "EntryKeyConflict",
    "EntryKind",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerPayouts",
    "LedgerPosting",
    "Leg",
    "NotShowCohost",
    "OwnerType",
    "Posted",
    "SaleTerms",
    "ShowCommission",
    "UnbalancedEntry",
    "check_platform_fee_fits",
    "do_set_commissions",
    "get_balance_in",
    "get_commission_bps",
    "get_party_balances",
    "get_settlement",
    "get_trial_balance",
    "order_entry_key",
    "payout_entry_key",
    "platform_fee_of",
    "post_entry",
    "record_chargeback",
    "record_refund",
    "record_sale",
    "release_due_orders",
    "release_order_funds",
]
