"""Where publishers' media goes: the RTMP server's FLV tags into a media worker's stdin.

The worker reads a plain FLV stream (header, then each tag and its previous-tag-size), so
the RTMP server stays a protocol parser and all codec work happens in the worker's process.
"""

from __future__ import annotations

import contextlib

from livebazaar import live
from livebazaar.accounts import Actor
from livebazaar.kernel.db import Database
from livebazaar.media.errors import InvalidStreamKey
from livebazaar.media.flv import FLV_HEADER, FlvSink, OpenSink
from livebazaar.media.queries import check_stream_key
from livebazaar.media.rtmp import Authorize
from livebazaar.media.sessions import MediaService, Worker


async def check_publisher(db: Database, show_id: str | None, key: str) -> str:
    """The show a stream key may publish to now: InvalidStreamKey for a wrong key,
    ShowEnded when its show is over (a replay is never appended to)."""
    async with db.read() as session:
        found = await check_stream_key(session, show_id, key)
        show = await live.get_show(session, found)
        if show.status is live.ShowStatus.ENDED:
            raise live.ShowEnded()
    return found


async def check_signed_in_publisher(db: Database, show_id: str, actor: Actor) -> str:
    """The show, if `actor` may go live on it from the studio's camera without a stream key
    (its hosts and co-hosts: live.Power.PUBLISH_VIDEO) and it has not ended."""
    async with db.read() as session:
        show = await live.check_power(session, actor, show_id, live.Power.PUBLISH_VIDEO)
        if show.status is live.ShowStatus.ENDED:
            raise live.ShowEnded()
    return show.id


def authorize_publishers(db: Database) -> Authorize:
    """The RTMP server's `Authorize`: the show of a valid key whose show has not ended."""

    async def authorize(key: str) -> str | None:
        try:
            return await check_publisher(db, None, key)
        except (InvalidStreamKey, live.ShowEnded):
            return None

    return authorize


class WorkerFlvSink:
    """Feeds one RTMP publish session to its media worker."""

    def __init__(self, media: MediaService, show_id: str, worker: Worker) -> None:
        self.media, self.show_id, self.worker = media, show_id, worker
        self._started = False

    async def write(self, tag: bytes) -> None:
        if self.worker.exited.is_set():
            raise ConnectionError("the media worker has stopped")
        stdin = self.worker.stdin
        if not self._started:
            stdin.write(FLV_HEADER)
            self._started = True
        stdin.write(tag)
        stdin.write(len(tag).to_bytes(4, "big"))
        await stdin.drain()  # back-pressure: a slow worker slows the publisher's socket

    async def close(self) -> None:
        with contextlib.suppress(ConnectionError):
            await self.media.stop(self.show_id, session=self.worker.session)


def worker_flv_sinks(media: MediaService) -> OpenSink:
    """The RTMP server's `OpenSink`: a new media worker per publish session."""

    async def open_sink(show_id: str) -> FlvSink:
        worker = await media.start(show_id, "rtmp")
        return WorkerFlvSink(media, show_id, worker)

    return open_sink
