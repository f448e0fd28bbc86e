"""The Alembic history builds exactly the schema the models describe, and unwinds cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from livebazaar.bootstrap import all_metadata
from livebazaar.migrations import alembic_config, upgrade_to_head


def _diff(sync_url: str) -> list[object]:
    engine = create_engine(sync_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, all_metadata()))
    finally:
        engine.dispose()


def test_upgrade_to_head_matches_the_models(tmp_path: Path) -> None:
    upgrade_to_head(f"sqlite+aiosqlite:///{tmp_path}/m.db")
    assert _diff(f"sqlite:///{tmp_path}/m.db") == []


def test_downgrade_to_base_then_upgrade_again(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/m.db"
    upgrade_to_head(url)
    command.downgrade(alembic_config(url), "base")
    engine = create_engine(f"sqlite:///{tmp_path}/m.db")
    with engine.connect() as conn:
        tables = {
            r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
        }
    engine.dispose()
    assert tables <= {"alembic_version"}
    upgrade_to_head(url)
    assert _diff(f"sqlite:///{tmp_path}/m.db") == []
