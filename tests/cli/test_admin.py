"""The operator makes a platform admin from the command line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from livebazaar.accounts import User, do_register
from livebazaar.bootstrap import build_container
from livebazaar.cli.main import cli
from livebazaar.settings import Settings
from tests.databases import database_url

EMAIL = "ops@example.org"


async def _register() -> None:
    c = build_container(Settings())
    try:
        await do_register(
            c.db, c.passwords, c.clock, email=EMAIL, password="ops on call", display_name="Ops"
        )
    finally:
        await c.close()


async def _is_admin() -> bool:
    c = build_container(Settings())
    try:
        async with c.db.read() as session:
            return bool(await session.scalar(select(User.is_admin).where(User.email == EMAIL)))
    finally:
        await c.close()


def test_admin_grants_and_revokes_the_platform_role(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEBAZAAR_DATABASE_URL", database_url(tmp_path, "ops"))
    monkeypatch.setenv("LIVEBAZAAR_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("LIVEBAZAAR_ARGON2_MEMORY_KIB", "64")
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0

    missing = runner.invoke(cli, ["admin", EMAIL])
    assert missing.exit_code == 1
    assert "No account has this email" in missing.output

    asyncio.run(_register())
    granted = runner.invoke(cli, ["admin", "Ops@Example.org"])
    assert granted.exit_code == 0, granted.output
    assert asyncio.run(_is_admin()) is True
    assert runner.invoke(cli, ["admin", EMAIL, "--revoke"]).exit_code == 0
    assert asyncio.run(_is_admin()) is False
