"""Database engine, declarative base and the unit of work.

Only actions open a unit of work (`db.uow()`), and only they commit. Side effects such as
broker publishes are registered with `uow.on_commit` and run after the commit succeeded, so
no client ever hears of a change that was rolled back.

SQLite (the embedded default) gets WAL, foreign keys, a busy timeout and, for writes,
`BEGIN IMMEDIATE` behind one in-process lock: SQLite has a single writer anyway, and waiting on
an asyncio lock is cheaper and fairer than SQLite's sleeping busy handler.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)
# Advisory locks on several names, each key once, in key order (UnitOfWork.lock_names).
_LOCK_NAMES = text(
    "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(n, 0) AS k"
    " FROM unnest(CAST(:names AS text[])) AS n) AS keys ORDER BY k"
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python on every engine (SQLite stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


OnCommit = Callable[[], Awaitable[None]]
Listener = Callable[[list[Any]], Awaitable[None]]


class Database:
    def __init__(
        self, url: str, *, sqlite_synchronous: str = "FULL", echo: bool = False,
        pool_size: int = 10, max_overflow: int = 10, pool_timeout_s: float = 30.0,
    ) -> None:  # fmt: skip
        self.url = url
        pooling: dict[str, Any] = {}
        if not url.startswith("sqlite"):
            pooling = {
                "pool_size": pool_size, "max_overflow": max_overflow,
                "pool_timeout": pool_timeout_s,
            }  # fmt: skip
        self.engine: AsyncEngine = create_async_engine(url, echo=echo, **pooling)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        writer = self.engine
        if self.is_sqlite:
            _configure_sqlite(self.engine, sqlite_synchronous)
            writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._write_sessions = async_sessionmaker(writer, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        self._listeners: dict[str, list[Listener]] = {}

    def listen(self, topic: str, listener: Listener) -> None:
        """After each commit of a unit of work that noted items under `topic` (`uow.note`),
        await `listener(items)`: outside the write lock; a failure is logged, the commit
        stands. The composition root wires these (a feature's adapter hearing of another
        part's changes), so the code that makes a change need not know who listens."""
        self._listeners.setdefault(topic, []).append(listener)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only session for queries; it never commits."""
        async with self._read_sessions() as session:
            # Closing ends the transaction and detaches objects with their loaded attributes.
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


class UnitOfWork:
    """One write transaction. `await uow.commit()` ends it; leaving without commit rolls back."""

    session: AsyncSession

    def __init__(self, db: Database) -> None:
        self._db = db
        self._callbacks: list[OnCommit] = []
        self._notes: dict[str, list[Any]] = {}
        self._committed = False

    async def __aenter__(self) -> UnitOfWork:
        if self._db._write_lock is not None:
            await self._db._write_lock.acquire()
        self.session = self._db._write_sessions()
        return self

    def on_commit(self, callback: OnCommit) -> None:
        self._callbacks.append(callback)

    async def lock_name(self, name: str) -> None:
        """Hold a lock on `name` until this unit ends, against every other unit on any node
        that locks the same name (PostgreSQL: a transaction advisory lock; SQLite: the write
        lock every unit already holds). For a check that reads rows which do not exist yet."""
        if not self._db.is_sqlite:
            await self.session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name}
            )

    async def lock_names(self, names: Collection[str]) -> None:
        """`lock_name` for several names in one statement. PostgreSQL takes them in the order
        of their lock keys (it evaluates a volatile select list after ORDER BY), so two units
        locking sets that overlap wait for each other instead of deadlocking."""
        if names and not self._db.is_sqlite:
            await self.session.execute(_LOCK_NAMES, {"names": sorted(set(names))})

    def note(self, topic: str, item: object) -> None:
        """Tell `topic`'s listeners (Database.listen) of `item` once this unit commits."""
        if topic in self._db._listeners:
            self._notes.setdefault(topic, []).append(item)

    async def commit(self) -> None:
        await self.session.commit()
        self._committed = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                await self.session.rollback()
            await self.session.close()
            # Still inside the write lock: events leave in commit order, so a client never
            # sees "3 left" after "2 left". Callbacks must be quick (a publish, a task spawn).
            if self._committed and exc is None:
                for callback in self._callbacks:
                    try:
                        await callback()
                    except Exception:
                        log.exception("on-commit callback failed")
        finally:
            if self._db._write_lock is not None:
                self._db._write_lock.release()
        if self._committed and exc is None:
            await self._tell_listeners()

    async def _tell_listeners(self) -> None:
        for topic, items in self._notes.items():
            for listener in self._db._listeners.get(topic, []):
                try:
                    await listener(items)
                except Exception:
                    log.exception("listener of %s failed", topic)


def _configure_sqlite(engine: AsyncEngine, synchronous: str) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself, in the mode we choose.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


# What a lost database connection raises: handlers ask `is_unreachable` which ones it was.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (sa_exc.DBAPIError, OSError)


def is_unreachable(error: BaseException) -> bool:
    """True when `error` says the database cannot be reached (refused or dropped connection,
    server restarting), as opposed to a bug or a constraint: the request may be retried once it
    is back. SQLAlchemy has already invalidated the broken connections, so the pool opens new
    ones on the next checkout."""
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated or isinstance(
            error, sa_exc.InterfaceError | sa_exc.OperationalError
        ):
            return True
        error = error.orig if error.orig is not None else error
    # ConnectionError covers refused, reset and aborted; a missing file or a full disk is an
    # OSError too, but not a reason to tell the client the database is away.
    return isinstance(error, ConnectionError | TimeoutError) or (
        isinstance(error, OSError) and error.errno in _NETWORK_ERRNOS
    )


_NETWORK_ERRNOS = frozenset(
    {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ENETDOWN, errno.ETIMEDOUT, errno.EHOSTDOWN}
)
