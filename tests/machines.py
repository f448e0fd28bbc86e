"""What the Hypothesis state machines over the app share: one container on a manual clock and
its own database (SQLite, or PostgreSQL when its URL is set), an event loop to run the steps
in, users made straight in the database, and refusals a step may meet."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from hypothesis.stateful import RuleBasedStateMachine

from livebazaar.accounts import Actor, TokenKind
from livebazaar.accounts.models import User
from livebazaar.bootstrap import all_metadata, build_container
from livebazaar.kernel.clock import ManualClock
from livebazaar.kernel.errors import DomainError
from livebazaar.kernel.ratelimit import SlidingWindowLimiter
from livebazaar.settings import Settings
from tests.databases import database_url

T = TypeVar("T")


def machine_actor(user_id: str) -> Actor:
    return Actor(
        user_id, "someone", False, "token", TokenKind.API, None, datetime.max.replace(tzinfo=UTC)
    )


class AppMachine(RuleBasedStateMachine):
    """A state machine's world; a subclass names its database and sets its stage in
    `_set_stage` (after `_add_users`)."""

    database = "m"

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.tmp = Path(tempfile.mkdtemp())
        self.clock = ManualClock(datetime(2026, 5, 1, 12, tzinfo=UTC))
        self.c = build_container(
            Settings(database_url=database_url(self.tmp, self.database, schema=True),
                     sqlite_synchronous="NORMAL", test_payments=True,
                     test_payments_webhook_secret="state-machine-webhooks"),
            clock=self.clock,
        )  # fmt: skip
        self.limiter = SlidingWindowLimiter(10**9)
        self.run(self._set_stage())

    async def _set_stage(self) -> None:
        raise NotImplementedError

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coro)

    def teardown(self) -> None:
        self.run(self.c.close())
        self.runner.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    async def _add_users(self, count: int) -> list[str]:
        """The schema, then `count` users (u0@example.org ...): their ids, in order."""
        async with self.c.db.engine.begin() as conn:
            await conn.run_sync(all_metadata().create_all)
        ids = [f"00000000-0000-7000-8000-{i:012d}" for i in range(count)]
        async with self.c.db.uow() as uow:
            for i, user_id in enumerate(ids):
                uow.session.add(
                    User(id=user_id, email=f"u{i}@example.org", display_name="U",
                         password_hash="-", is_admin=False, created_at=self.clock.now())
                )  # fmt: skip
            await uow.commit()
        return ids

    async def _attempt(self, coro: Coroutine[Any, Any, T], *allowed: str) -> T | None:
        """The step's result, or None when refused with one of the `allowed` codes."""
        try:
            return await coro
        except DomainError as exc:
            refused = exc.code
        assert refused in allowed, refused
        return None
