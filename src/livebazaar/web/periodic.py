"""Work the app does on a timer (the expiry sweeper, viewer counts): the job shape and loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from livebazaar.web.problems import failure_problem

log = logging.getLogger(__name__)

# (name, interval in seconds, the job). Each job is safe to run twice and to skip a beat.
PeriodicJob = tuple[str, float, Callable[[], Awaitable[object]]]


async def run_every(job: PeriodicJob) -> None:
    """Run the job, then wait its interval, for ever; a failure is logged and retried."""
    name, interval, step = job
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if failure_problem(exc)[0] == "internal_error":
                log.exception("periodic job %s failed; it runs again in %.1fs", name, interval)
            else:  # the database away or overloaded: nothing to debug, it will pass
                log.warning("periodic job %s: %r; it runs again in %.1fs", name, exc, interval)
        await asyncio.sleep(interval)
