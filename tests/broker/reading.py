"""Reading a subscription in tests: everything up to a count, or until it ends."""

from __future__ import annotations

import asyncio

from livebazaar.broker.port import Message, Subscription

HANG_GUARD_S = 30.0  # not a speed limit: a broken subscription must fail, not hang the run


async def ready(sub: Subscription) -> None:
    """Wait until the subscription's server side is live (the memory broker's always is)."""
    async with asyncio.timeout(HANG_GUARD_S):
        await sub.ready()


async def take(sub: Subscription, count: int) -> list[Message]:
    """The next `count` messages, fewer if the subscription ends first."""
    got: list[Message] = []
    if count == 0:
        return got
    async with asyncio.timeout(HANG_GUARD_S):
        async for message in sub:
            got.append(message)
            if len(got) == count:
                break
    return got


async def drain(sub: Subscription) -> list[Message]:
    """Everything until the subscription ends."""
    async with asyncio.timeout(HANG_GUARD_S):
        return [message async for message in sub]
