"""A batch as CSV: one row per payout, every method, for the treasurer's spreadsheet or the
mobile-money agent. Every cell goes through kernel/csv_cells.py's guard, so no holder name or
reference a party typed runs as a formula."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from livebazaar.kernel.csv_cells import safe_cell, writer
from livebazaar.kernel.money import Money
from livebazaar.payouts.ledger_seam import Party
from livebazaar.payouts.methods import MethodSnapshot
from livebazaar.payouts.models import Payout
from livebazaar.payouts.queries import party_of

HEADER = (
    "payout_id", "party_type", "party_id", "party_name", "method", "holder", "iban", "bic",
    "phone", "provider", "amount", "currency", "status", "reference", "failure_reason",
)  # fmt: skip


def batch_csv(payouts: Sequence[Payout], names: Mapping[Party, str]) -> bytes:
    """UTF-8 with a byte-order mark, so a spreadsheet reads names such as Uwimana Clémentine
    right; amounts in major units (`1234.50`), exact."""
    buffer = io.StringIO()
    out = writer(buffer)
    out.writerow(HEADER)
    for payout in payouts:
        out.writerow([safe_cell(cell) for cell in _row(payout, names)])
    return ("\ufeff" + buffer.getvalue()).encode()


def _row(payout: Payout, names: Mapping[Party, str]) -> list[str]:
    party = party_of(payout)
    method = MethodSnapshot.from_json(payout.method)
    return [
        payout.id, party.type.value, party.id, names.get(party, party.id), method.kind.value,
        method.holder or "", method.iban or "", method.bic or "", method.phone or "",
        method.provider or "", Money(payout.amount_minor, payout.currency).decimal(),
        payout.currency, payout.status.value, payout.reference or "",
        payout.failure_reason or "",
    ]  # fmt: skip
