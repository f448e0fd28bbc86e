"""`livebazaar serve --workers N`: several processes on one port, sharing PostgreSQL and the
Redis broker, so a chat line posted through whichever worker takes the request reaches every
viewer, whichever worker holds its socket; and a clear refusal where workers cannot share."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from websockets.asyncio.client import ClientConnection

from livebazaar.bootstrap import build_container
from livebazaar.cli.main import cli
from tests.brokers import forget_redis, redis_url, unique_prefix
from tests.conftest import make_settings
from tests.databases import database_url, on_postgres
from tests.live.stage import make_stage, next_frame, post_chat, viewer
from tests.servers import AppServer
from tests.support import Api

WORKERS = 2
VIEWERS = 12


def test_workers_refuse_sqlite_and_a_memory_broker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.setenv("LIVEBAZAAR_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/one.db")
    refused = runner.invoke(cli, ["serve", "--workers", "2"])
    assert refused.exit_code == 2
    assert "--workers needs PostgreSQL" in refused.output
    monkeypatch.setenv("LIVEBAZAAR_DATABASE_URL", "postgresql+asyncpg://nobody@127.0.0.1/none")
    monkeypatch.setenv("LIVEBAZAAR_BROKER_URL", "memory://")
    refused = runner.invoke(cli, ["serve", "--workers", "2"])
    assert refused.exit_code == 2
    assert "--workers needs a shared broker" in refused.output
    assert runner.invoke(cli, ["serve", "--workers", "0"]).exit_code == 2
    assert not (tmp_path / "one.db").exists()  # refused before migrating anything


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, str, str, int]]:
    if not on_postgres():
        pytest.skip("--workers needs PostgreSQL: set LIVEBAZAAR_TEST_DATABASE_URL (CI does)")
    broker, prefix = redis_url(), unique_prefix()
    db = database_url(tmp_path, "workers")
    env = {
        **os.environ,
        "LIVEBAZAAR_DATABASE_URL": db,
        "LIVEBAZAAR_BROKER_URL": broker,
        "LIVEBAZAAR_BROKER_PREFIX": prefix,
        "LIVEBAZAAR_ARGON2_TIME_COST": "1",
        "LIVEBAZAAR_ARGON2_MEMORY_KIB": "64",
        "LIVEBAZAAR_MEDIA_DIR": str(tmp_path / "media"),
        "LIVEBAZAAR_CHAT_RATE_PER_10S": "1000",
    }
    server = AppServer(env, ("--workers", str(WORKERS)))
    await server.start()
    try:
        yield server.url, db, prefix, server.pid
    finally:
        await server.stop()
        await forget_redis(broker, prefix)


async def test_two_workers_share_one_port_and_every_viewer_hears_every_chat_line(
    served: tuple[str, str, str, int], tmp_path: Path
) -> None:
    base, db, prefix, server_pid = served
    workers = [p for p in _children(server_pid) if b"spawn_main" in _cmdline(p)]
    assert len(workers) == WORKERS

    # Rows are written straight to the shared database; everything else goes over HTTP.
    settings = make_settings(tmp_path, database_url=db, broker_url=redis_url())
    container = build_container(settings.model_copy(update={"broker_prefix": prefix}))
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            api = Api(client, container)
            stage = await make_stage(api)
            async with contextlib.AsyncExitStack() as stack:
                sockets = [
                    await stack.enter_async_context(viewer(base, stage.show_id))
                    for _ in range(VIEWERS)
                ]
                for i in range(3):  # each post may land on either worker
                    async with httpx.AsyncClient(base_url=base) as fresh:
                        await post_chat(Api(fresh, container), stage, stage.owner, f"line {i}")
                for ws in sockets:
                    assert await _chat_lines(ws, 3) == ["line 0", "line 1", "line 2"]
    finally:
        await container.close()


async def _chat_lines(ws: ClientConnection, n: int) -> list[str]:
    """The next `n` chat lines on the socket (other frames, such as viewer counts, skipped)."""
    lines: list[str] = []
    while len(lines) < n:
        frame = await next_frame(ws)
        if frame.get("type") == "chat.message":
            lines.append(frame["data"]["text"])
    return lines


def _cmdline(pid: int) -> bytes:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    return b""
