"""The cyclic garbage collector's policy for a serving process (ADR 0013).

Python starts a full collection when enough objects have reached the oldest generation since
the last one. A worker holding 10,000 viewers tracks about two million objects (≈ 200 per
WebSocket: the ASGI stack's coroutines, closures, headers), so each full collection stopped
it for up to 1.4 s, fifteen times in the fan-out bench's two and a half minutes, and a drop
announcement caught behind one reached its viewers seconds late. Those collections found
≈ 500-1,100 unreachable objects each: the young generations catch nearly all the cycles.

So, in a serving process: everything built at start-up (modules, the app, its routes) is
frozen out of every collection; the young generations keep Python's thresholds; and the full
collection runs on a clock (`gc_full_interval_s`) instead of by allocation counts.
"""

from __future__ import annotations

import gc

from livebazaar.web.periodic import PeriodicJob

NEVER = 1_000_000_000  # gen-1 collections before an automatic full one: never, in practice


def adopt(full_interval_s: float) -> PeriodicJob | None:
    """Apply the policy to this process; the job that runs the full collection. 0 leaves
    Python's own policy in place (and returns None)."""
    if full_interval_s <= 0:
        return None
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, NEVER)

    async def full_collection() -> int:
        return gc.collect()

    return ("gc.full_collection", full_interval_s, full_collection)
