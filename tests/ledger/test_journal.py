"""post_entry: balanced, idempotent on its key, and the journal immutable in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from livebazaar.bootstrap import Container
from livebazaar.ledger import (
    AccountKind,
    AccountRef,
    Bucket,
    EntryKeyConflict,
    EntryKind,
    LedgerEntry,
    LedgerPosting,
    Leg,
    OwnerType,
    UnbalancedEntry,
    post_entry,
)
from tests.databases import on_postgres
from tests.factories import make_shop
from tests.support import Api


async def _shop(api: Api) -> str:
    return await make_shop(api.container, await api.account("Owner"))


def _clearing(shop_id: str, currency: str = "CNY") -> AccountRef:
    return AccountRef.platform(shop_id, AccountKind.PROVIDER_CLEARING, Bucket.POSTED, currency)


def _producer(shop_id: str, producer_id: str, currency: str = "CNY") -> AccountRef:
    return AccountRef(
        shop_id, OwnerType.PRODUCER, producer_id, AccountKind.PRODUCER_PAYABLE, Bucket.PENDING,
        currency,
    )  # fmt: skip


def _legs(shop_id: str, amounts: dict[str, int]) -> list[Leg]:
    legs = [Leg(_clearing(shop_id), -sum(amounts.values()))]
    return legs + [Leg(_producer(shop_id, p), n) for p, n in amounts.items()]


async def _post(c: Container, key: str, shop_id: str, legs: list[Leg]) -> tuple[str, bool]:
    async with c.db.uow() as uow:
        posted = await post_entry(
            uow.session, key, EntryKind.CORRECTION, legs, shop_id=shop_id, now=c.clock.now()
        )
        await uow.commit()
    return posted.entry_id, posted.created


async def _raw(c: Container, *statements: tuple[str, dict[str, str]]) -> None:
    async with c.db.uow() as uow:
        for statement, params in statements:
            await uow.session.execute(text(statement), params)
        await uow.commit()


async def _count(c: Container) -> tuple[int, int]:
    async with c.db.read() as session:
        entries = await session.scalar(select(func.count()).select_from(LedgerEntry))
        postings = await session.scalar(select(func.count()).select_from(LedgerPosting))
    return entries or 0, postings or 0


async def test_a_balanced_entry_is_written_once_per_key(api: Api) -> None:
    c = api.container
    shop_id = await _shop(api)
    legs = _legs(shop_id, {"p1": 600, "p2": 400})

    first, created = await _post(c, "test:1", shop_id, legs)
    again, created_again = await _post(c, "test:1", shop_id, list(reversed(legs)))

    assert (created, created_again) == (True, False)
    assert again == first
    assert await _count(c) == (1, 3)
    async with c.db.read() as session:
        total = await session.scalar(select(func.sum(LedgerPosting.amount_minor)))
    assert total == 0


async def test_the_same_key_with_other_postings_is_refused(api: Api) -> None:
    c = api.container
    shop_id = await _shop(api)
    await _post(c, "test:1", shop_id, _legs(shop_id, {"p1": 600, "p2": 400}))

    with pytest.raises(EntryKeyConflict):
        await _post(c, "test:1", shop_id, _legs(shop_id, {"p1": 500, "p2": 500}))

    assert await _count(c) == (1, 3)


@pytest.mark.parametrize(
    "amounts",
    [
        {"clearing": -1000, "p1": 999},  # a unit short
        {"clearing": -1000, "p1": 1000, "usd": 5},  # another currency left over
    ],
)
async def test_an_unbalanced_entry_cannot_be_stored_through_the_code(
    api: Api, amounts: dict[str, int]
) -> None:
    c = api.container
    shop_id = await _shop(api)
    legs = [
        Leg(_clearing(shop_id), amounts["clearing"]),
        Leg(_producer(shop_id, "p1"), amounts["p1"]),
    ]
    if "usd" in amounts:
        legs.append(Leg(_producer(shop_id, "p2", "USD"), amounts["usd"]))

    with pytest.raises(UnbalancedEntry):
        await _post(c, "test:unbalanced", shop_id, legs)

    assert await _count(c) == (0, 0)


async def test_an_entry_posts_to_one_shops_books(api: Api) -> None:
    c = api.container
    shop_id, other = await _shop(api), await _shop(api)
    legs = [Leg(_clearing(shop_id), -10), Leg(_producer(other, "p1"), 10)]

    with pytest.raises(UnbalancedEntry):
        await _post(c, "test:two-shops", shop_id, legs)

    assert await _count(c) == (0, 0)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_postings SET amount_minor = amount_minor * 2",
        "DELETE FROM ledger_postings",
        "UPDATE ledger_entries SET key = 'rewritten'",
        "DELETE FROM ledger_entries",
    ],
)
async def test_the_journal_refuses_updates_and_deletes(api: Api, statement: str) -> None:
    c = api.container
    shop_id = await _shop(api)
    await _post(c, "test:1", shop_id, _legs(shop_id, {"p1": 600, "p2": 400}))

    with pytest.raises((IntegrityError, DBAPIError)):
        await _raw(c, (statement, {}))

    assert await _count(c) == (1, 3)


@pytest.mark.skipif(not on_postgres(), reason="the balance trigger is PostgreSQL's")
async def test_postgres_refuses_an_unbalanced_entry_written_with_raw_sql(api: Api) -> None:
    c = api.container
    shop_id = await _shop(api)
    entry_id, _ = await _post(c, "test:1", shop_id, _legs(shop_id, {"p1": 600}))
    account = _producer(shop_id, "p1")

    entry = (
        "INSERT INTO ledger_entries (id, key, kind, shop_id, digest, created_at)"
        " VALUES ('raw-entry', 'raw', 'CORRECTION', :shop, '-', now())"
    )
    posting = (
        "INSERT INTO ledger_postings (id, entry_id, account_id, amount_minor, currency)"
        " VALUES ('raw-1', 'raw-entry', :account, 1, 'CNY')"
    )

    with pytest.raises(IntegrityError, match="does not balance"):  # deferred: at the commit
        await _raw(c, (entry, {"shop": shop_id}), (posting, {"account": account.id}))

    assert await _count(c) == (1, 2)
    assert entry_id


async def test_accounts_made_in_a_rolled_back_transaction_are_made_again(api: Api) -> None:
    # Given an entry whose transaction rolls back after it made its accounts
    c = api.container
    shop_id = await _shop(api)
    legs = _legs(shop_id, {"fresh-1": 10, "fresh-2": 20})
    async with c.db.uow() as uow:
        await post_entry(
            uow.session, "test:rolled-back", EntryKind.CORRECTION, legs, shop_id=shop_id,
            now=c.clock.now(),
        )  # fmt: skip
        # leaving without commit rolls back

    # When the same accounts are posted to again
    await _post(c, "test:again", shop_id, legs)

    # Then they exist (the process did not remember accounts that were never committed)
    assert await _count(c) == (1, 3)
