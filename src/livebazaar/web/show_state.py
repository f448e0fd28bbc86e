"""A show's whole state, as GET /api/v1/shows/{id} and the viewer page present it.

It spans two features (live: the show, hosts, lineup, chat; checkout: the drops), so it is
composed here in the web layer rather than making either feature import the other.
"""

from __future__ import annotations

from starlette.applications import Starlette

from livebazaar.bootstrap import Container
from livebazaar.checkout import DropOut, list_show_drops
from livebazaar.live import get_show_state, show_topic
from livebazaar.live.schemas import ShowOut
from livebazaar.media import PlaybackOut, Recording, get_recording
from livebazaar.web.realtime import hub_for


class ShowState(ShowOut):
    drops: list[DropOut]  # every drop of the show, oldest first
    playback: PlaybackOut


async def read_show_state(c: Container, app: Starlette, show_id: str) -> ShowState:
    # last_seq first: every event after it is then either in the state or still to come.
    last_seq = await c.broker.last_seq(show_topic(show_id))
    async with c.db.read() as session:
        show = await get_show_state(
            session, show_id, viewer_count=hub_for(app).viewer_count(show_id), last_seq=last_seq
        )
        drops = await list_show_drops(session, c.clock, show_id)
        recording = await get_recording(session, show_id)
    return ShowState(**dict(show), drops=drops, playback=playback_of(c, show_id, recording))


def playback_of(c: Container, show_id: str, recording: Recording | None) -> PlaybackOut:
    """Where to watch: the live playlist while the show has video, the replay after."""
    base = c.settings.public_url.rstrip("/")
    video = c.media.video(show_id)
    live = video is not None and not video.ended and c.media.master(show_id) is not None
    vod = None
    if recording is not None:
        vod = c.store.public_url(recording.vod_key)
        vod = base + vod if vod.startswith("/") else vod
    return PlaybackOut(
        hls_url=f"{base}/media/shows/{show_id}/live.m3u8" if live else None, vod_url=vod
    )
