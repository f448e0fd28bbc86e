from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class StreamKeyOut(BaseModel):
    key: str  # shown once: store it in OBS or the phone app
    whip_url: str  # POST application/sdp here with `Authorization: Bearer <key>`
    rtmp_url: str  # rtmp://HOST:PORT/live/<key>


class PlaybackOut(BaseModel):
    """Where a player finds the show's video: LL-HLS while it is live, the replay after."""

    hls_url: str | None
    vod_url: str | None
    # Who sends the live video now, as this node knows it: "rtmp" (OBS, a phone app) or
    # "whip" (the studio's camera, OBS 30+); None while nobody publishes.
    publisher: Literal["rtmp", "whip"] | None = None
