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
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Table, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

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


@lru_cache(maxsize=65_536)
def _account_id(name: str) -> str:
    return str(uuid.uuid5(_ACCOUNT_IDS, name))


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
    id: str = field(init=False, compare=False, repr=False)  # derived from the rest, once

    def __post_init__(self) -> None:
        name = "|".join(
            (self.shop_id, self.owner_type, self.owner_id, self.kind, self.bucket, self.currency)
        )
        object.__setattr__(self, "id", _account_id(name))

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
        _statements(session).entry,
        {
            "id": entry_id, "key": key, "kind": kind, "shop_id": shop_id, "order_id": order_id,
            "show_id": show_id, "reverses_entry_id": reverses_entry_id, "digest": fingerprint,
            "created_at": now,
        },
    )  # fmt: skip
    if inserted is None:
        return await _written_before(session, key, fingerprint)
    if lines:
        await _ensure_accounts(session, {leg.account for leg in lines}, now)
        await session.execute(
            _POSTINGS_INSERT,
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
    """Make the accounts not known to exist yet (ON CONFLICT DO NOTHING: another writer may
    be making them too). Accounts are never deleted, so once a commit has made them this
    process remembers their ids and the next entries skip the statement."""
    bind = session.get_bind()
    known = _KNOWN_ACCOUNTS.setdefault(bind, set())
    made: set[str] = session.sync_session.info.setdefault(_MADE_HERE, set())
    missing = {a for a in accounts if a.id not in known and a.id not in made}
    if not missing:
        return
    made.update(a.id for a in missing)
    rows = [
        {"id": a.id, "shop_id": a.shop_id, "owner_type": a.owner_type, "owner_id": a.owner_id,
         "kind": a.kind, "bucket": a.bucket, "currency": a.currency, "created_at": now}
        for a in sorted(missing)
    ]  # fmt: skip
    await session.execute(_statements(session).accounts, rows)


# The ids of accounts this process saw committed, per database (engine); and, in a session's
# info, those it made in its current transaction, remembered only once that commits.
_KNOWN_ACCOUNTS: WeakKeyDictionary[Any, set[str]] = WeakKeyDictionary()
_MADE_HERE = "ledger.accounts_made"


@event.listens_for(Session, "after_commit")
def _remember_accounts(session: Session) -> None:
    made = session.info.pop(_MADE_HERE, None)
    if made:
        _KNOWN_ACCOUNTS.setdefault(session.get_bind(), set()).update(made)


@event.listens_for(Session, "after_rollback")
def _forget_accounts(session: Session) -> None:
    session.info.pop(_MADE_HERE, None)


@dataclass(frozen=True)
class _Statements:
    """The journal's INSERTs for one dialect, built once (building a statement costs more
    than running it): an entry unless its key exists, returning its id; accounts unless
    they exist."""

    entry: Any
    accounts: Any


def _build(dialect: str) -> _Statements:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return _Statements(
        entry=insert(_ENTRIES).on_conflict_do_nothing().returning(_ENTRIES.c.id),
        accounts=insert(_ACCOUNTS).on_conflict_do_nothing(),
    )


_STATEMENTS = {name: _build(name) for name in ("postgresql", "sqlite")}
_POSTINGS_INSERT = _POSTINGS.insert()


def _statements(session: AsyncSession) -> _Statements:
    return _STATEMENTS[session.get_bind().dialect.name]
