"""A small ledger over a table of the tests' own, behind payouts' seam (ledger_seam.py),
until the real ledger is wired: each row a signed movement of one party's money in one shop.

    earned  +x   what a test gives a party (`earn`): available at once
    sent    -x   a payout made: it leaves the available balance
    failed  +x   a payout failed: the money is available again
    paid    +x   a payout reached the party: counted as paid out (not in the available sum)

Its table lives on a MetaData of its own, made by `install`, so the app's schema and the
migrations never see it. Every write goes through the caller's unit of work, as the real
ledger's will, so a batch and its movements commit together; and each key is unique, so a
movement is never posted twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, func, insert, select

from livebazaar.bootstrap import Container
from livebazaar.kernel.db import UnitOfWork
from livebazaar.kernel.ids import new_id
from livebazaar.payouts import Available, Party, PartyType, PayoutPosting

metadata = MetaData()
moves = Table(
    "test_ledger_moves",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(120), nullable=False, unique=True),
    Column("shop_id", String(36), nullable=False),
    Column("party_type", String(16), nullable=False),
    Column("party_id", String(36), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
)
AVAILABLE_KINDS = ("earned", "sent", "failed")


class TableLedger:
    async def available_balances(
        self, uow: UnitOfWork, shop_id: str, currency: str
    ) -> list[Available]:
        rows = await uow.session.execute(
            select(moves.c.party_type, moves.c.party_id, func.sum(moves.c.amount_minor))
            .where(
                moves.c.shop_id == shop_id,
                moves.c.currency == currency,
                moves.c.kind.in_(AVAILABLE_KINDS),
            )
            .group_by(moves.c.party_type, moves.c.party_id)
        )
        return [Available(Party(PartyType(t), str(i)), int(total)) for t, i, total in rows.all()]

    async def post_payouts_sent(self, uow: UnitOfWork, postings: Sequence[PayoutPosting]) -> None:
        for posting in postings:
            await _move(uow, posting, "sent", -posting.amount_minor)

    async def post_payout_paid(
        self, uow: UnitOfWork, posting: PayoutPosting, reference: str
    ) -> None:
        await _move(uow, posting, "paid", posting.amount_minor)

    async def post_payout_failed(
        self, uow: UnitOfWork, posting: PayoutPosting, reason: str
    ) -> None:
        await _move(uow, posting, "failed", posting.amount_minor)


async def _move(uow: UnitOfWork, posting: PayoutPosting, kind: str, amount: int) -> None:
    await uow.session.execute(
        insert(moves).values(
            key=f"payout:{posting.payout_id}:{kind}",
            shop_id=posting.shop_id,
            party_type=posting.party.type.value,
            party_id=posting.party.id,
            currency=posting.currency,
            kind=kind,
            amount_minor=amount,
        )
    )


async def install(container: Container) -> TableLedger:
    """Make the table (if missing) and wire this ledger into the container."""
    async with container.db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    ledger = TableLedger()
    container.payout_ledger = ledger
    return ledger


async def earn(
    container: Container, shop_id: str, party: Party, amount_minor: int, currency: str
) -> None:
    """Give `party` money available in the shop's world (what a delivered sale will do)."""
    async with container.db.uow() as uow:
        await uow.session.execute(
            insert(moves).values(
                key=f"earned:{new_id()}",
                shop_id=shop_id,
                party_type=party.type.value,
                party_id=party.id,
                currency=currency,
                kind="earned",
                amount_minor=amount_minor,
            )
        )
        await uow.commit()


async def balance(container: Container, shop_id: str, party: Party, *kinds: str) -> int:
    """The sum of the party's movements of these kinds (all kinds if none given)."""
    async with container.db.read() as session:
        query = select(func.coalesce(func.sum(moves.c.amount_minor), 0)).where(
            moves.c.shop_id == shop_id,
            moves.c.party_type == party.type.value,
            moves.c.party_id == party.id,
        )
        if kinds:
            query = query.where(moves.c.kind.in_(kinds))
        return int(await session.scalar(query) or 0)


async def available(container: Container, shop_id: str, party: Party) -> int:
    return await balance(container, shop_id, party, *AVAILABLE_KINDS)
