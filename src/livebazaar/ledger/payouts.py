"""The ledger behind payouts' seam (payouts/ledger_seam.py): what each party of a shop may be
paid, and the entries that move it out: `available` -> `in_transit` when a batch is made
(`payout:<id>:sent`), then `in_transit` -> `paid_out` (`payout:<id>:paid`) or back to
`available` (`payout:<id>:failed`, reversing the sent entry).

Each entry moves money between the buckets of one party's own payable accounts, so it sums to
zero on its own and the shop's books stay at zero. Everything runs inside the caller's unit of
work (payouts holds the shop's payout lock while it reads and sends): a batch and its entries
commit together. The ledger imports payouts here, never the reverse (import-linter).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar import payouts
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import UnitOfWork
from livebazaar.ledger.journal import AccountRef, Leg, post_entry
from livebazaar.ledger.models import (
    Bucket,
    EntryKind,
    LedgerAccount,
    LedgerEntry,
    LedgerPosting,
    OwnerType,
)
from livebazaar.ledger.queries import PAYABLE_KINDS

_OWNER_OF = {
    payouts.PartyType.SHOP: OwnerType.SHOP,
    payouts.PartyType.PRODUCER: OwnerType.PRODUCER,
    payouts.PartyType.USER: OwnerType.USER,
}
_PARTY_OF = {owner: party for party, owner in _OWNER_OF.items()}


def payout_entry_key(payout_id: str, event: str) -> str:
    return f"payout:{payout_id}:{event}"


class LedgerPayouts:
    """payouts.PayoutLedger over the ledger's accounts (wired in bootstrap)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def available_balances(
        self, uow: UnitOfWork, shop_id: str, currency: str
    ) -> list[payouts.Available]:
        rows = await uow.session.execute(
            select(
                LedgerAccount.owner_type,
                LedgerAccount.owner_id,
                LedgerAccount.kind,
                func.sum(LedgerPosting.amount_minor),
            )
            .join(LedgerPosting, LedgerPosting.account_id == LedgerAccount.id)
            .where(
                LedgerAccount.shop_id == shop_id,
                LedgerAccount.currency == currency,
                LedgerAccount.bucket == Bucket.AVAILABLE,
                LedgerAccount.owner_type.in_(list(_PARTY_OF)),
            )
            .group_by(LedgerAccount.owner_type, LedgerAccount.owner_id, LedgerAccount.kind)
        )
        totals: dict[payouts.Party, int] = {}
        for owner_type, owner_id, kind, total in rows:
            if kind not in PAYABLE_KINDS[owner_type]:
                continue
            party = payouts.Party(_PARTY_OF[owner_type], owner_id)
            totals[party] = totals.get(party, 0) + int(total)
        return [payouts.Available(party, n) for party, n in sorted(totals.items())]

    async def post_payouts_sent(
        self, uow: UnitOfWork, postings: Sequence[payouts.PayoutPosting]
    ) -> None:
        for posting in postings:
            legs: list[Leg] = []
            for account, amount in await _take_available(uow.session, posting):
                legs += [Leg(account, -amount), Leg(account.moved(Bucket.IN_TRANSIT), amount)]
            await post_entry(
                uow.session, payout_entry_key(posting.payout_id, "sent"), EntryKind.PAYOUT,
                legs, shop_id=posting.shop_id, now=self.clock.now(),
            )  # fmt: skip

    async def post_payout_paid(
        self, uow: UnitOfWork, posting: payouts.PayoutPosting, reference: str
    ) -> None:
        await _settle(uow, self.clock, posting, "paid", EntryKind.PAYOUT_SETTLED, Bucket.PAID_OUT)

    async def post_payout_failed(
        self, uow: UnitOfWork, posting: payouts.PayoutPosting, reason: str
    ) -> None:
        await _settle(uow, self.clock, posting, "failed", EntryKind.PAYOUT_FAILED, Bucket.AVAILABLE)


def _accounts_of(posting: payouts.PayoutPosting, bucket: Bucket) -> list[AccountRef]:
    owner = _OWNER_OF[posting.party.type]
    return [
        AccountRef(posting.shop_id, owner, posting.party.id, kind, bucket, posting.currency)
        for kind in PAYABLE_KINDS[owner]
    ]


async def _take_available(
    session: AsyncSession, posting: payouts.PayoutPosting
) -> list[tuple[AccountRef, int]]:
    """Where the payout's amount comes from: the party's available payable accounts in order
    (a shop has two: its share and shipping), each up to its balance; any rest from the first."""
    accounts = _accounts_of(posting, Bucket.AVAILABLE)
    rows = await session.execute(
        select(LedgerPosting.account_id, func.sum(LedgerPosting.amount_minor))
        .where(LedgerPosting.account_id.in_([a.id for a in accounts]))
        .group_by(LedgerPosting.account_id)
    )
    balances = {account_id: int(total) for account_id, total in rows}
    left, taken = posting.amount_minor, []
    for account in accounts:
        amount = min(left, max(balances.get(account.id, 0), 0))
        if amount:
            taken.append((account, amount))
            left -= amount
    if left:
        first = accounts[0]
        done = dict(taken)
        done[first] = done.get(first, 0) + left
        taken = sorted(done.items())
    return taken


async def _settle(
    uow: UnitOfWork, clock: Clock, posting: payouts.PayoutPosting, event: str, kind: EntryKind,
    to: Bucket,
) -> None:  # fmt: skip
    """Move what the sent entry put in transit on to `to` (paid out, or available again)."""
    session = uow.session
    sent = await session.scalar(
        select(LedgerEntry.id).where(LedgerEntry.key == payout_entry_key(posting.payout_id, "sent"))
    )
    if sent is None:
        raise RuntimeError(f"payout {posting.payout_id} was never sent through the ledger")
    in_transit = {a.id: a for a in _accounts_of(posting, Bucket.IN_TRANSIT)}
    rows = await session.execute(
        select(LedgerPosting.account_id, LedgerPosting.amount_minor).where(
            LedgerPosting.entry_id == sent, LedgerPosting.account_id.in_(list(in_transit))
        )
    )
    legs: list[Leg] = []
    for account_id, amount in rows:
        account = in_transit[account_id]
        legs += [Leg(account, -int(amount)), Leg(account.moved(to), int(amount))]
    await post_entry(
        session, payout_entry_key(posting.payout_id, event), kind, legs,
        shop_id=posting.shop_id, now=clock.now(),
        reverses_entry_id=sent if to is Bucket.AVAILABLE else None,
    )  # fmt: skip
