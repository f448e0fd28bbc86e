"""Checkout's periodic work. Each is safe to run twice and concurrently with claims: every
transition is a conditional UPDATE, so a hold or a drop is closed exactly once."""

from __future__ import annotations

from livebazaar.broker import Broker
from livebazaar.checkout.actions import do_end_due_drops, do_expire_due_holds
from livebazaar.checkout.holds import SWEEP_BATCH
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database

MAX_BATCHES = 20  # per run; what is left waits for the next beat


async def sweep_expired_holds(db: Database, broker: Broker, clock: Clock) -> int:
    """Expire every due hold (in batches): units back, per-buyer counts down, events out."""
    total = 0
    for _ in range(MAX_BATCHES):
        expired = await do_expire_due_holds(db, broker, clock)
        total += expired
        if expired < SWEEP_BATCH:
            break
    return total


async def end_due_drops(db: Database, broker: Broker, clock: Clock) -> int:
    """Close drops whose end has passed: unsold units go back to the shelf."""
    total = 0
    for _ in range(MAX_BATCHES):
        ended = await do_end_due_drops(db, broker, clock)
        total += ended
        if ended < SWEEP_BATCH:
            break
    return total
