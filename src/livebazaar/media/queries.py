"""Read-only media queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar import live
from livebazaar.media.actions import hash_stream_key
from livebazaar.media.errors import InvalidStreamKey
from livebazaar.media.models import Recording, StreamKey


async def check_stream_key(session: AsyncSession, show_id: str | None, key: str) -> str:
    """The show a key publishes to, or InvalidStreamKey. With `show_id` (WHIP's URL names the
    show) the key must belong to that show; without it (RTMP's URL carries only the key) the
    key alone names the show. A key works only while whoever asked for it may still hold the
    show's key (live.Power.STREAM_KEY): a co-host withdrawn, or whose `stream_key` grant was
    taken back, cannot publish with the key they were shown."""
    query = select(StreamKey.show_id, StreamKey.issued_by).where(
        StreamKey.key_hash == hash_stream_key(key)
    )
    if show_id is not None:
        query = query.where(StreamKey.show_id == show_id)
    found = (await session.execute(query)).first()
    if found is None:
        raise InvalidStreamKey()
    show = await live.get_show(session, found.show_id)
    issuer = await live.get_user_standing(session, found.issued_by, show)
    if not issuer.may(live.Power.STREAM_KEY):
        raise InvalidStreamKey()
    return show.id


async def get_recording(session: AsyncSession, show_id: str) -> Recording | None:
    return await session.get(Recording, show_id)


def recorded_show_ids() -> Select[tuple[str]]:
    """The ids of the shows that have a recording, as a subquery for another feature's search
    (the home page's replays: live.ShowSearch(within=...))."""
    return select(Recording.show_id)


def vod_offset(recording: Recording, when: datetime) -> float | None:
    """Seconds into the replay of the picture made at `when`; None when no video covers it.

    Moments in a gap (before the video started, or while the publisher reconnected) map to
    the start of the next stretch of video, so a pin made off camera still finds its place.
    """
    for pdt_text, offset, length in recording.spans:
        start = datetime.fromisoformat(pdt_text)
        into = (when - start).total_seconds()
        if into < 0:
            return float(offset)
        if into <= length:
            return float(offset) + into
    return None
