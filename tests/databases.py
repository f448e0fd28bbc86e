"""Each test's own database: a SQLite file under its tmp_path, or, when
LIVEBAZAAR_TEST_DATABASE_URL names a PostgreSQL server, a database of its own on that server.

PostgreSQL databases are cloned from a template that already holds the schema (`CREATE
DATABASE ... TEMPLATE`, ~30 ms, against ~300 ms for building forty tables each time) and
dropped when the test ends (`tests/conftest.py`'s autouse fixture). Their names carry the
pytest process id, so a run that died leaves databases the next run recognises as orphans and
drops, and two runs on one server never touch each other's.

Tests call `database_url()` where they would have written a SQLite URL; the code under test
never knows which engine it got, which is the point.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import os
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ENV = "LIVEBAZAAR_TEST_DATABASE_URL"
PREFIX = "lbt_"
T = TypeVar("T")

_run = f"{PREFIX}{os.getpid()}_{uuid.uuid4().hex[:6]}"
_counter = itertools.count()
_created: list[str] = []
_template: str | None = None


def server_url() -> str | None:
    """The PostgreSQL server the suite runs against, as an asyncpg SQLAlchemy URL, or None."""
    url = os.environ.get(ENV, "").strip()
    if not url:
        return None
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise RuntimeError(f"{ENV} must name a PostgreSQL server, not {parsed.get_backend_name()}")
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def on_postgres() -> bool:
    return server_url() is not None


def _in_thread(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion on a private loop: callers may be inside a running loop
    (async tests) or not (sync tests, Hypothesis state machines)."""

    async def run() -> T:
        return await make()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def _dsn(database: str) -> str:
    url = make_url(server_url() or "")
    return url.set(drivername="postgresql", database=database).render_as_string(hide_password=False)


async def _admin(*statements: str) -> None:
    conn = await asyncpg.connect(_dsn(make_url(server_url() or "").database or "postgres"))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def _build_template(name: str) -> None:
    from livebazaar.bootstrap import all_metadata

    await _admin(f'CREATE DATABASE "{name}"')
    engine = create_async_engine(_url_of(name))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(all_metadata().create_all)
    finally:
        await engine.dispose()


def _url_of(database: str) -> str:
    return make_url(server_url() or "").set(database=database).render_as_string(hide_password=False)


def database_url(
    tmp_path: Path, name: str = "livebazaar", *, schema: bool = False, session: bool = False
) -> str:
    """A database for this test alone. `schema=True` asks for the tables already made (what
    `create_all` would give); otherwise the database is empty, ready for migrations or for the
    test's own `create_all`. On SQLite both are a new file named `name` under tmp_path.
    `session=True` is for a module- or session-scoped fixture: the database outlives the test
    that first asked for it and is dropped with the template when the session ends."""
    if server_url() is None:
        return f"sqlite+aiosqlite:///{tmp_path}/{name}.db"
    global _template
    if schema and _template is None:
        _template = f"{_run}_tpl"
        _in_thread(lambda: _build_template(_template or ""))
    database = f"{_run}_{next(_counter)}"
    template = f' TEMPLATE "{_template}"' if schema else ""
    _in_thread(lambda: _admin(f'CREATE DATABASE "{database}"{template}'))
    if not session:
        _created.append(database)
    return _url_of(database)


def drop_test_databases() -> None:
    """Drop what `database_url` made since the last call (FORCE ends leftover connections)."""
    if not _created:
        return
    names = list(_created)
    _created.clear()
    _in_thread(lambda: _admin(*(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names)))


def drop_template_and_orphans() -> None:
    """At the session's end: this run's template, and databases left by runs that died."""
    if server_url() is None:
        return

    async def sweep() -> None:
        conn = await asyncpg.connect(_dsn(make_url(server_url() or "").database or "postgres"))
        try:
            rows = await conn.fetch(
                "SELECT datname FROM pg_database WHERE datname LIKE $1", f"{PREFIX}%"
            )
            for row in rows:
                name: str = row["datname"]
                pid = name.removeprefix(PREFIX).split("_", 1)[0]
                mine = name.startswith(_run)
                if mine or (pid.isdigit() and not _alive(int(pid))):
                    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    _in_thread(sweep)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
