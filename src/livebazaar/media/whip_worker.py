"""The media worker's WHIP side: aiortc terminates the host's WebRTC session in this process.

The app hands over the SDP offer (a JSON line on stdin) and forwards our answer (a report on
stdout) to the host's browser or OBS. aiortc hands over decoded pictures only, so WHIP always
transcodes: every rendition is encoded with libx264 and the Opus audio becomes AAC. The
session ends when the app closes stdin (the host's DELETE, or the show's end) or when the
peer connection fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from asyncio import FIRST_COMPLETED
from fractions import Fraction
from typing import IO, Any

from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from av.audio.frame import AudioFrame
from av.video.frame import VideoFrame

from livebazaar.media.store import segment_store_from_url
from livebazaar.media.worker import (
    BITRATES_KBPS,
    Pipeline,
    Report,
    WorkerConfig,
    rung_size,
)

log = logging.getLogger("livebazaar.media.worker")

# The first picture decides the renditions' sizes (WebRTC may change resolution later: every
# picture is scaled to the sizes chosen here).
FIRST_FRAME_TIMEOUT_S = 20.0


def run_whip(config: WorkerConfig, control: IO[str], report: Report) -> None:
    asyncio.run(_run(config, control, report))


async def _run(config: WorkerConfig, control: IO[str], report: Report) -> None:
    loop = asyncio.get_running_loop()
    first_line = await loop.run_in_executor(None, control.readline)
    offer = json.loads(first_line)["offer"]
    store = segment_store_from_url(config.store_url)
    pc = RTCPeerConnection()
    tracks: dict[str, MediaStreamTrack] = {}
    failed = asyncio.Event()

    @pc.on("track")
    def on_track(track: MediaStreamTrack) -> None:
        tracks.setdefault(track.kind, track)

    @pc.on("connectionstatechange")
    async def on_state() -> None:
        if pc.connectionState in ("failed", "closed"):
            failed.set()

    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        report({"type": "answer", "sdp": pc.localDescription.sdp})
        stopped: asyncio.Future[Any] = loop.run_in_executor(None, control.read)  # EOF: stop
        session: asyncio.Future[Any] = asyncio.ensure_future(
            _transcode(config, store, report, tracks)
        )
        failure: asyncio.Future[Any] = asyncio.ensure_future(failed.wait())
        done, _ = await asyncio.wait({session, failure, stopped}, return_when=FIRST_COMPLETED)
        failure.cancel()
        if session not in done:
            session.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await session
    finally:
        await pc.close()


async def _transcode(
    config: WorkerConfig,
    store: object,
    report: Report,
    tracks: dict[str, MediaStreamTrack],
) -> None:
    video_track = tracks.get("video")
    if video_track is None:
        await asyncio.sleep(0.5)
        video_track = tracks.get("video")
    if video_track is None:
        raise ValueError("the WHIP offer carries no video")
    first = await asyncio.wait_for(video_track.recv(), FIRST_FRAME_TIMEOUT_S)
    assert isinstance(first, VideoFrame)
    pipeline = Pipeline(config, store, report, 1 / config.fps)  # type: ignore[arg-type]
    width, height = first.width, first.height
    top = pipeline.rendition("source")
    w, h = rung_size(width, height, min(height - height % 2, config.max_height))
    top.encode_video(w, h, BITRATES_KBPS.get(h, 2500))
    pipeline.encoded.append(top)
    pipeline.plan_ladder(w, h)
    audio_track = tracks.get("audio")
    if audio_track is not None:
        for rung in pipeline.renditions:
            rung.encode_audio()
    pipeline.announce("transcode")
    base = _seconds(first)
    pipeline.clock.start(0.0)
    audio_task = (
        asyncio.ensure_future(_pump_audio(audio_track, pipeline))
        if audio_track is not None
        else None
    )
    try:
        frame: VideoFrame = first
        while True:
            pipeline.encode_frame(frame, int((_seconds(frame) - base) * 1000), force_key=False)
            try:
                received = await video_track.recv()
            except MediaStreamError:
                break
            assert isinstance(received, VideoFrame)
            frame = received
    finally:
        if audio_task is not None:
            audio_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, MediaStreamError):
                await audio_task
        pipeline.close()


async def _pump_audio(track: MediaStreamTrack, pipeline: Pipeline) -> None:
    while True:
        frame = await track.recv()
        if isinstance(frame, AudioFrame):
            pipeline.encode_audio(frame)


def _seconds(frame: VideoFrame | AudioFrame) -> float:
    if frame.pts is None or frame.time_base is None:
        return 0.0
    return float(frame.pts * Fraction(frame.time_base))
