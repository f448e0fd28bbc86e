"""Media actions: issuing and rotating a show's stream key."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from livebazaar import live
from livebazaar.accounts import Actor
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database
from livebazaar.media.models import StreamKey


def hash_stream_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedStreamKey:
    show_id: str
    key: str  # shown once; only its hash is kept


async def do_issue_stream_key(
    db: Database, clock: Clock, actor: Actor, show_id: str
) -> IssuedStreamKey:
    """A new 128-bit key for the show, replacing any earlier one (which stops working).
    The show's hosts and co-hosts may ask: the influencer's OBS needs it too."""
    key = secrets.token_hex(16)
    async with db.uow() as uow:
        show = await live.check_show_host(uow.session, actor, show_id)
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
