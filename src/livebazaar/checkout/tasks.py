"""Checkout's periodic work. Each is safe to run twice and concurrently with claims: every
transition is a conditional UPDATE, so a hold or a drop is closed exactly once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from livebazaar.broker import Broker
from livebazaar.checkout.actions import do_end_due_drops, do_expire_due_holds
from livebazaar.checkout.holds import SWEEP_BATCH
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database

MAX_BATCHES = 20  # per run; what is left waits for the next beat


async def sweep_expired_holds(db: Database, broker: Broker, clock: Clock) -> int:
    """Expire every due hold (in batches): units back, per-buyer counts down, events out."""
    return await _in_batches(lambda: do_expire_due_holds(db, broker, clock))


async def end_due_drops(db: Database, broker: Broker, clock: Clock) -> int:
    """Close drops whose end has passed: unsold units go back to the shelf."""
    return await _in_batches(lambda: do_end_due_drops(db, broker, clock))


async def _in_batches(step: Callable[[], Awaitable[int]]) -> int:
    """Run `step` (one transaction, at most SWEEP_BATCH rows) until a batch comes up short."""
    total = 0
    for _ in range(MAX_BATCHES):
        done = await step()
        total += done
        if done < SWEEP_BATCH:
            break
    return total
