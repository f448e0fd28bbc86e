"""The process's rate book, read from the database at most once per `ttl_s`.

Claims in a flash drop lock the buyer's rate into each order (ADR 0016): one query per claim
would put a database round-trip on the hot path for rates that change once a day. The book is
kept here instead, in memory, and read again when it is `ttl_s` old, or at once after this
process changed a rate (`RATES_CHANGED`, noted by fx's actions: the composition root makes
the cache listen). Another node's change reaches this one within `ttl_s`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

from livebazaar.fx.conversion import RateBook
from livebazaar.fx.queries import get_rate_book
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database

# Noted on the unit of work of every change of rates (kernel.db: Database.listen).
RATES_CHANGED = "fx.rates_changed"


class RateCache:
    def __init__(self, db: Database, clock: Clock, *, max_age: timedelta, ttl_s: float) -> None:
        self._db, self._clock = db, clock
        self._max_age, self._ttl = max_age, timedelta(seconds=ttl_s)
        self._book: RateBook | None = None
        self._loaded_at: datetime | None = None
        self._lock = asyncio.Lock()
        self._generation = 0  # moves on each change: a read begun before it is not kept

    def _fresh(self, now: datetime) -> RateBook | None:
        if self._book is None or self._loaded_at is None:
            return None
        return self._book if timedelta(0) <= now - self._loaded_at < self._ttl else None

    async def book(self) -> RateBook:
        """The rates fresh now: from memory, or read once for every caller waiting."""
        now = self._clock.now()
        book = self._fresh(now)
        if book is not None:
            return book
        async with self._lock:
            book = self._fresh(now)
            if book is None:
                generation = self._generation
                async with self._db.read() as session:
                    book = await get_rate_book(session, now=now, max_age=self._max_age)
                if generation == self._generation:
                    self._book, self._loaded_at = book, now
        return book

    def forget(self) -> None:
        """Read the rates again on the next call."""
        self._book = self._loaded_at = None
        self._generation += 1

    async def changed(self, _items: Sequence[object]) -> None:
        """RATES_CHANGED's listener."""
        self.forget()
