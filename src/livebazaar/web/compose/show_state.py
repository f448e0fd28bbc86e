"""A show's whole state, as GET /api/v1/shows/{id} and the viewer page present it.

It spans two features (live: the show, hosts, lineup, chat; checkout: the drops), so it is
composed here in the web layer rather than making either feature import the other.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from starlette.applications import Starlette

from livebazaar.bootstrap import Container
from livebazaar.checkout import DropOut, list_show_drops
from livebazaar.live import get_show_state, list_pin_moments, show_topic
from livebazaar.live.schemas import LineupItemOut, ShowOut
from livebazaar.media import NoRecording, PlaybackOut, Recording, get_recording, vod_offset
from livebazaar.web.channel.realtime import hub_for


class ShowState(ShowOut):
    drops: list[DropOut]  # every drop of the show, oldest first
    playback: PlaybackOut


async def read_show_state(c: Container, app: Starlette, show_id: str) -> ShowState:
    # last_seq first: every event after it is then either in the state or still to come.
    last_seq = await c.broker.last_seq(show_topic(show_id))
    async with c.db.read() as session:
        show = await get_show_state(
            session, show_id, viewer_count=hub_for(app).viewer_total(show_id), last_seq=last_seq
        )
        drops = await list_show_drops(session, c.clock, show_id)
        recording = await get_recording(session, show_id)
    return ShowState(**dict(show), drops=drops, playback=playback_of(c, show_id, recording))


def playback_of(c: Container, show_id: str, recording: Recording | None) -> PlaybackOut:
    """Where to watch: the live playlist while the show has video, the replay after; and
    who publishes now."""
    base = c.settings.public_url.rstrip("/")
    video = c.media.video(show_id)
    live = video is not None and not video.ended and c.media.master(show_id) is not None
    vod = None
    if recording is not None:
        vod = c.store.public_url(recording.vod_key)
        vod = base + vod if vod.startswith("/") else vod
    source = video.source if video is not None and video.publishing else None
    return PlaybackOut(
        hls_url=f"{base}/media/shows/{show_id}/live.m3u8" if live else None,
        vod_url=vod,
        publisher="whip" if source == "whip" else "rtmp" if source is not None else None,
    )


class ReplayMoment(BaseModel):
    """A chapter of the replay: a product pinned (or the pin cleared), or a drop."""

    kind: Literal["pin", "drop"]
    at_s: float  # seconds into the replay
    until_s: float | None = None  # a drop's end
    product: LineupItemOut | None = None
    drop: DropOut | None = None


class ReplayOut(BaseModel):
    show_id: str
    vod_url: str
    duration_s: float
    moments: list[ReplayMoment]


async def read_replay(c: Container, app: Starlette, show_id: str) -> ReplayOut:
    """The replay and, at their place in it, each pin and drop of the show."""
    state = await read_show_state(c, app, show_id)
    async with c.db.read() as session:
        recording = await get_recording(session, show_id)
        pins = await list_pin_moments(session, show_id)
    if recording is None or state.playback.vod_url is None:
        raise NoRecording()
    products = {item.product_id: item for item in state.lineup}
    moments: list[ReplayMoment] = []
    for at, product_id in pins:
        offset = vod_offset(recording, at)
        if offset is not None:
            product = products.get(product_id) if product_id is not None else None
            moments.append(ReplayMoment(kind="pin", at_s=round(offset, 3), product=product))
    for drop in state.drops:
        start = vod_offset(recording, drop.started_at)
        if start is not None:
            end = vod_offset(recording, drop.ends_at)
            until = round(end if end is not None else recording.duration_s, 3)
            moments.append(
                ReplayMoment(kind="drop", at_s=round(start, 3), until_s=until, drop=drop)
            )
    moments.sort(key=lambda m: m.at_s)
    return ReplayOut(
        show_id=show_id,
        vod_url=state.playback.vod_url,
        duration_s=recording.duration_s,
        moments=moments,
    )
