"""Media actions: issuing and rotating a show's stream key; recording a show's replay."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from livebazaar import live
from livebazaar.accounts import Actor
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database
from livebazaar.media.models import Recording, StreamKey
from livebazaar.media.playlist import Segment
from livebazaar.media.sessions import VOD_NAME, ShowVideo


def hash_stream_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedStreamKey:
    show_id: str
    key: str  # shown once; only its hash is kept


async def do_issue_stream_key(
    db: Database, clock: Clock, actor: Actor, show_id: str
) -> IssuedStreamKey:
    """A new 128-bit key for the show, replacing any earlier one (which stops working). For
    the show's hosts, and a co-host the shop's owner granted `stream_key` (their OBS); other
    co-hosts go live from the studio's camera with their session (routes/media.py's WHIP)."""
    key = secrets.token_hex(16)
    async with db.uow() as uow:
        show = await live.check_power(uow.session, actor, show_id, live.Power.STREAM_KEY)
        if show.status is live.ShowStatus.ENDED:
            raise live.ShowEnded()
        row = await uow.session.scalar(select(StreamKey).where(StreamKey.show_id == show_id))
        if row is None:
            row = StreamKey(show_id=show_id, key_hash="", issued_by=actor.user_id)
            uow.session.add(row)
        row.key_hash = hash_stream_key(key)
        row.issued_by = actor.user_id
        row.issued_at = clock.now()
        await uow.commit()
    return IssuedStreamKey(show_id=show_id, key=key)


def replay_spans(segments: Sequence[Segment]) -> list[list[Any]]:
    """[pdt, vod offset, length] for each stretch of continuous video among `segments`."""
    spans: list[list[Any]] = []
    offset = 0.0
    end: datetime | None = None
    for segment in segments:
        pdt = segment.program_date_time
        continuous = end is not None and abs((pdt - end).total_seconds()) < 0.5
        if spans and continuous and not segment.discontinuity:
            spans[-1][2] = round(spans[-1][2] + segment.duration_s, 6)
        else:
            spans.append([pdt.isoformat(), round(offset, 6), round(segment.duration_s, 6)])
        offset += segment.duration_s
        end = pdt + timedelta(seconds=segment.duration_s)
    return spans


async def do_record_replay(db: Database, clock: Clock, video: ShowVideo) -> Recording | None:
    """Remember the ended show's replay (its VOD playlist is already in the store)."""
    segments = video.segments("source")
    if not segments:
        return None
    async with db.uow() as uow:
        recording = await uow.session.get(Recording, video.show_id)
        if recording is None:
            recording = Recording(show_id=video.show_id)
            uow.session.add(recording)
        recording.vod_key = f"shows/{video.show_id}/{VOD_NAME}"
        recording.duration_s = round(sum(s.duration_s for s in segments), 6)
        recording.spans = replay_spans(segments)
        recording.recorded_at = clock.now()
        await uow.commit()
    return recording
