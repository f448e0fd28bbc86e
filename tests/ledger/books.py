"""Reading the ledger straight from its tables in tests: what each party got of an order."""

from __future__ import annotations

from sqlalchemy import func, select

from livebazaar.bootstrap import Container
from livebazaar.ledger import LedgerAccount, LedgerEntry, LedgerPosting

Lines = dict[tuple[str, str], int]  # (owner_id, kind) -> net minor units


async def entry_lines(c: Container, key: str) -> Lines:
    """The postings of the entry `key`, by (owner id, account kind) — "platform" for the
    platform's accounts."""
    async with c.db.read() as session:
        rows = await session.execute(
            select(LedgerAccount.owner_id, LedgerAccount.kind, LedgerPosting.amount_minor)
            .join(LedgerPosting, LedgerPosting.account_id == LedgerAccount.id)
            .join(LedgerEntry, LedgerEntry.id == LedgerPosting.entry_id)
            .where(LedgerEntry.key == key)
        )
        return {(owner, kind.value): amount for owner, kind, amount in rows}


async def entry_count(c: Container) -> int:
    async with c.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(LedgerEntry)) or 0)


async def account_balances(c: Container) -> dict[str, int]:
    """Every account's balance, by account id."""
    async with c.db.read() as session:
        rows = await session.execute(
            select(LedgerPosting.account_id, func.sum(LedgerPosting.amount_minor)).group_by(
                LedgerPosting.account_id
            )
        )
        return {account: int(total) for account, total in rows}
