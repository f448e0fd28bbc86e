"""Which errors mean "the database is away, try again" (503) and which are bugs (500)."""

from __future__ import annotations

import errno

from sqlalchemy import exc as sa_exc

from livebazaar.kernel.db import is_unreachable


def test_lost_connections_are_unreachable() -> None:
    assert is_unreachable(ConnectionRefusedError(errno.ECONNREFUSED, "refused"))
    assert is_unreachable(ConnectionResetError(errno.ECONNRESET, "reset"))
    assert is_unreachable(TimeoutError())
    assert is_unreachable(OSError(errno.EHOSTUNREACH, "no route to host"))
    assert is_unreachable(sa_exc.OperationalError("SELECT 1", {}, Exception("server closed")))
    assert is_unreachable(sa_exc.InterfaceError("SELECT 1", {}, Exception("connection is closed")))
    invalidated = sa_exc.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True)
    assert is_unreachable(invalidated)


def test_bugs_and_refusals_are_not() -> None:
    assert not is_unreachable(FileNotFoundError(errno.ENOENT, "no such file"))
    assert not is_unreachable(OSError(errno.ENOSPC, "no space left"))
    assert not is_unreachable(sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not is_unreachable(ValueError("a bug"))
