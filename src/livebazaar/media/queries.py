"""Read-only media queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.media.actions import hash_stream_key
from livebazaar.media.errors import InvalidStreamKey
from livebazaar.media.models import StreamKey


async def check_stream_key(session: AsyncSession, show_id: str | None, key: str) -> str:
    """The show a key publishes to, or InvalidStreamKey. With `show_id` (WHIP's URL names the
    show) the key must belong to that show; without it (RTMP's URL carries only the key) the
    key alone names the show."""
    query = select(StreamKey.show_id).where(StreamKey.key_hash == hash_stream_key(key))
    if show_id is not None:
        query = query.where(StreamKey.show_id == show_id)
    found = await session.scalar(query)
    if found is None:
        raise InvalidStreamKey()
    return found
