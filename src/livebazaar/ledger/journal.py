"""The one function that writes to the ledger: `post_entry`. Inside the caller's unit of work
(it never commits), so an entry commits or rolls back with the change that caused it.

An entry is idempotent on its key: writing the same key again returns the entry already there;
the same key with other postings is a bug and raises EntryKeyConflict. Its postings must sum to
zero per currency (UnbalancedEntry otherwise, before anything is written). Accounts are made on
first use; their ids derive from their key, so no read is needed to post to them.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.kernel.ids import new_id
from livebazaar.kernel.money import MAX_AMOUNT_MINOR, check_currency
from livebazaar.ledger.errors import EntryKeyConflict, UnbalancedEntry
from livebazaar.ledger.models import (
    PLATFORM_OWNER,
    AccountKind,
    Bucket,
    EntryKind,
    LedgerAccount,
    LedgerEntry,
    LedgerPosting,
    OwnerType,
)

_ACCOUNT_IDS = uuid.UUID("6b0f8a52-3c1e-4f7b-9a51-1f1c0e5d2a77")  # namespace of account ids
_ACCOUNTS = cast(Table, LedgerAccount.__table__)
_ENTRIES = cast(Table, LedgerEntry.__table__)
_POSTINGS = cast(Table, LedgerPosting.__table__)


@dataclass(frozen=True, slots=True, order=True)
class AccountRef:
    """An account by what it is: whose (in which shop's books), what for, which bucket, which
    currency."""

    shop_id: str
    owner_type: OwnerType
    owner_id: str
    kind: AccountKind
    bucket: Bucket
    currency: str

    @property
    def id(self) -> str:
        name = "|".join(
            (self.shop_id, self.owner_type, self.owner_id, self.kind, self.bucket, self.currency)
        )
        return str(uuid.uuid5(_ACCOUNT_IDS, name))

    def moved(self, bucket: Bucket) -> AccountRef:
        """The same owner's account of the same kind in another bucket."""
        return AccountRef(
            self.shop_id, self.owner_type, self.owner_id, self.kind, bucket, self.currency
        )

    @classmethod
    def platform(cls, shop_id: str, kind: AccountKind, bucket: Bucket, currency: str) -> AccountRef:
        return cls(shop_id, OwnerType.PLATFORM, PLATFORM_OWNER, kind, bucket, currency)


@dataclass(frozen=True, slots=True)
class Leg:
    """One line of an entry: `amount_minor` (signed) to `account`, in its currency."""

    account: AccountRef
    amount_minor: int


@dataclass(frozen=True, slots=True)
class Posted:
    entry_id: str
    key: str
    created: bool  # False: the key was already written (a retry), nothing new


def balanced_legs(legs: Iterable[Leg]) -> list[Leg]:
    """`legs` with one line per account (summed), zero lines dropped, in a stable order;
    UnbalancedEntry unless they sum to zero in every currency."""
    per_account: dict[AccountRef, int] = {}
    for leg in legs:
        check_currency(leg.account.currency)
        if abs(leg.amount_minor) > MAX_AMOUNT_MINOR:
            raise UnbalancedEntry(f"a posting of {leg.amount_minor} is out of range")
        per_account[leg.account] = per_account.get(leg.account, 0) + leg.amount_minor
    totals: dict[str, int] = {}
    for account, amount in per_account.items():
        totals[account.currency] = totals.get(account.currency, 0) + amount
    left = {currency: total for currency, total in totals.items() if total}
    if left:
        raise UnbalancedEntry(f"the postings leave {left} over")
    return [Leg(a, n) for a, n in sorted(per_account.items()) if n]


def digest(legs: Sequence[Leg]) -> str:
    text = ";".join(f"{leg.account.id}={leg.amount_minor}" for leg in legs)
    return hashlib.sha256(text.encode()).hexdigest()


async def post_entry(
    session: AsyncSession, key: str, kind: EntryKind, legs: Iterable[Leg], *, shop_id: str,
    now: datetime, order_id: str | None = None, show_id: str | None = None,
    reverses_entry_id: str | None = None,
) -> Posted:  # fmt: skip
    """Write the entry `key` with its postings, or find it written already (see the module)."""
    lines = balanced_legs(legs)
    if any(leg.account.shop_id != shop_id for leg in lines):
        raise UnbalancedEntry("an entry posts to the accounts of one shop only")
    fingerprint = digest(lines)
    entry_id = new_id()
    inserted = await session.scalar(
        _insert(session, _ENTRIES)
        .values(
            id=entry_id,
            key=key,
            kind=kind,
            shop_id=shop_id,
            order_id=order_id,
            show_id=show_id,
            reverses_entry_id=reverses_entry_id,
            digest=fingerprint,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(_ENTRIES.c.id)
    )
    if inserted is None:
        return await _written_before(session, key, fingerprint)
    if lines:
        await _ensure_accounts(session, {leg.account for leg in lines}, now)
        await session.execute(
            _POSTINGS.insert(),
            [
                {"id": new_id(), "entry_id": entry_id, "account_id": leg.account.id,
                 "amount_minor": leg.amount_minor, "currency": leg.account.currency}
                for leg in lines
            ],
        )  # fmt: skip
    return Posted(entry_id, key, created=True)


async def _written_before(session: AsyncSession, key: str, fingerprint: str) -> Posted:
    row = (
        await session.execute(
            select(LedgerEntry.id, LedgerEntry.digest).where(LedgerEntry.key == key)
        )
    ).one()
    if row.digest != fingerprint:
        raise EntryKeyConflict(f"ledger entry {key!r} was written with other postings")
    return Posted(row.id, key, created=False)


async def _ensure_accounts(session: AsyncSession, accounts: set[AccountRef], now: datetime) -> None:
    rows = [
        {"id": a.id, "shop_id": a.shop_id, "owner_type": a.owner_type, "owner_id": a.owner_id,
         "kind": a.kind, "bucket": a.bucket, "currency": a.currency, "created_at": now}
        for a in sorted(accounts)
    ]  # fmt: skip
    await session.execute(_insert(session, _ACCOUNTS).on_conflict_do_nothing(), rows)


def _insert(session: AsyncSession, table: Any) -> Any:
    """INSERT for the session's dialect, with its ON CONFLICT clause."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
