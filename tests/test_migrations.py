"""The Alembic history builds exactly the schema the models describe, and unwinds cleanly, on
the engine the suite runs against (SQLite, or PostgreSQL: tests/databases.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from livebazaar.bootstrap import all_metadata
from livebazaar.migrations import alembic_config, upgrade_to_head
from tests.databases import database_url

T = TypeVar("T")


def _diff_now(conn: Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, all_metadata()))


def _tables_now(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


async def _read(url: str, what: Callable[[Connection], T]) -> T:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(what)
    finally:
        await engine.dispose()


def test_upgrade_to_head_matches_the_models(tmp_path: Path) -> None:
    url = database_url(tmp_path, "m")
    upgrade_to_head(url)
    assert asyncio.run(_read(url, _diff_now)) == []


def test_downgrade_to_base_then_upgrade_again(tmp_path: Path) -> None:
    url = database_url(tmp_path, "m")
    upgrade_to_head(url)
    command.downgrade(alembic_config(url), "base")
    assert asyncio.run(_read(url, _tables_now)) <= {"alembic_version"}
    upgrade_to_head(url)
    assert asyncio.run(_read(url, _diff_now)) == []
