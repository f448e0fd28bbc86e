"""Read-only checkout queries."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.checkout.schemas import DropOut
from livebazaar.kernel.clock import Clock


async def list_show_drops(session: AsyncSession, clock: Clock, show_id: str) -> list[DropOut]:
    """Every drop of the show, oldest first, with counts that are right at `clock.now()`."""
    return []  # implemented with the drops
