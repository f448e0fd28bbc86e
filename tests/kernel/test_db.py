"""The unit of work: commit runs on-commit callbacks, a rollback never does; UTC round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from livebazaar.bootstrap import Container
from livebazaar.catalog.models import Shop


async def test_on_commit_runs_only_after_a_commit(container: Container) -> None:
    ran: list[str] = []

    async def note_committed() -> None:
        ran.append("committed")

    async with container.db.uow() as uow:
        uow.session.add(Shop(name="A", country="CN", currency="CNY", created_at=datetime.now(UTC)))
        uow.on_commit(note_committed)
        assert ran == []
        await uow.commit()
    assert ran == ["committed"]


async def test_leaving_without_commit_rolls_back_and_skips_callbacks(
    container: Container,
) -> None:
    ran: list[str] = []

    async def note() -> None:
        ran.append("x")

    async def fail_midway() -> None:
        async with container.db.uow() as uow:
            uow.session.add(
                Shop(name="B", country="RW", currency="RWF", created_at=datetime.now(UTC))
            )
            uow.on_commit(note)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await fail_midway()
    async with container.db.read() as session:
        assert (await session.scalars(select(Shop))).all() == []
    assert ran == []


async def test_datetimes_come_back_as_aware_utc(container: Container) -> None:
    plus8 = timezone(timedelta(hours=8))
    local = datetime(2026, 11, 22, 20, 0, tzinfo=plus8)
    async with container.db.uow() as uow:
        shop = Shop(name="C", country="CN", currency="CNY", created_at=local)
        uow.session.add(shop)
        await uow.commit()
    async with container.db.read() as session:
        loaded = await session.get(Shop, shop.id)
    assert loaded is not None
    assert loaded.created_at == local
    assert loaded.created_at.tzinfo == UTC


async def test_naive_datetimes_are_refused(container: Container) -> None:
    async def store_naive() -> None:
        async with container.db.uow() as uow:
            naive = datetime(2026, 1, 1)
            uow.session.add(Shop(name="D", country="CN", currency="CNY", created_at=naive))
            await uow.commit()

    with pytest.raises(Exception, match="naive"):
        await store_naive()
