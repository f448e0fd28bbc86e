"""The synthetic publisher: its barcode, its sources, and pushes over RTMP and WHIP.

The barcode is checked through the real codecs (libx264, FFmpeg's h264 decoder, swscale); the
RTMP push goes to our own RtmpServer from a separate process (PyAV holds the GIL while it
connects); the WHIP push goes to a small aiortc answerer served by aiohttp inside the test.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from aiohttp import web
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError

from livebazaar.media.flv import flv_file_sinks
from livebazaar.media.rtmp import RtmpServer
from livebazaar.media.synthetic import (
    COLUMNS,
    REFUSED,
    ROWS,
    SyntheticAudio,
    SyntheticSource,
    WhipError,
    band_height,
    burn,
    publish_whip,
    read_barcode,
    x264_options,
)

SHOW, KEY = "show-1", "k" * 32
TIMEOUT_S = 60.0
ROOT = Path(__file__).parents[2]
Reading = tuple[int, int] | None


def _stamps(count: int) -> list[tuple[int, int]]:
    """Counters and wall clocks, the extremes first."""
    rng = random.Random(7)
    extremes = [(0, 0), ((1 << 32) - 1, (1 << 44) - 1), (1, 1_767_225_600_000)]
    randoms = [(rng.getrandbits(32), rng.getrandbits(44)) for _ in range(count)]
    return (extremes + randoms)[:count]


def _encode_decode(
    frames: list[av.VideoFrame], *, kbps: int | None = None, preset: str = "veryfast"
) -> list[Reading]:
    """The barcodes read after libx264 and FFmpeg's h264 decoder, one per frame."""
    encoder = av.CodecContext.create("libx264", "w")
    encoder.width, encoder.height, encoder.pix_fmt = frames[0].width, frames[0].height, "yuv420p"
    encoder.time_base, encoder.framerate = Fraction(1, 1000), Fraction(30)
    encoder.options = x264_options(gop=30, preset=preset, bitrate_kbps=kbps)
    packets = [p for frame in [*frames, None] for p in encoder.encode(frame)]
    decoder = av.CodecContext.create("h264", "r")
    return [read_barcode(f) for p in [*packets, None] for f in decoder.decode(p)]


def _source_frames(width: int, height: int, count: int) -> list[av.VideoFrame]:
    source = SyntheticSource(width, height, 30)
    return [source.frame(index, wall_ms) for index, wall_ms in _stamps(count)]


# --- the barcode ----------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (854, 480), (640, 360), (64, 36)])
def test_a_barcode_reads_back_from_raw_frames(width: int, height: int) -> None:
    for counter, wall_ms in _stamps(5):
        rgb = np.full((height, width, 3), 90, dtype=np.uint8)
        burnt = av.VideoFrame.from_ndarray(burn(rgb, counter, wall_ms), format="rgb24")
        assert read_barcode(burnt) == (counter, wall_ms)
        assert read_barcode(burnt.reformat(format="yuv420p")) == (counter, wall_ms)
    frames = _source_frames(width, height, 5)
    assert [read_barcode(f) for f in frames] == _stamps(5)


def test_burning_a_video_frame_keeps_its_timing() -> None:
    frame = av.VideoFrame.from_ndarray(np.zeros((360, 640, 3), dtype=np.uint8), format="rgb24")
    frame.pts, frame.time_base = 1234, Fraction(1, 1000)
    burnt = burn(frame, 42, 1_767_225_600_123)
    assert (burnt.pts, burnt.time_base, burnt.format.name) == (1234, Fraction(1, 1000), "yuv420p")
    assert read_barcode(burnt) == (42, 1_767_225_600_123)


@pytest.mark.parametrize(
    ("kbps", "preset"), [(None, "veryfast"), (1500, "veryfast"), (1500, "ultrafast")]
)
def test_a_barcode_survives_x264_at_720p(kbps: int | None, preset: str) -> None:
    frames = _source_frames(1280, 720, 12)
    assert _encode_decode(frames, kbps=kbps, preset=preset) == _stamps(12)


@pytest.mark.parametrize(("width", "height"), [(640, 360), (854, 480)])
def test_a_barcode_survives_downscaling_then_x264(width: int, height: int) -> None:
    frames = [f.reformat(width=width, height=height) for f in _source_frames(1280, 720, 12)]
    assert _encode_decode(frames, kbps=width * height * 2 // 1000) == _stamps(12)


def test_frames_without_a_barcode_read_as_none() -> None:
    rng = np.random.default_rng(3)
    pictures = {
        "noise": rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8),
        "black": np.zeros((720, 1280, 3), dtype=np.uint8),
        "white": np.full((720, 1280, 3), 255, dtype=np.uint8),
        "grey": np.full((720, 1280, 3), 128, dtype=np.uint8),
        "stripes": np.tile(np.array([0, 255], dtype=np.uint8).repeat(20), 32)[None, :, None]
        .repeat(720, axis=0)
        .repeat(3, axis=2),
    }
    for name, picture in pictures.items():
        assert read_barcode(av.VideoFrame.from_ndarray(picture, format="rgb24")) is None, name


def test_one_flipped_cell_fails_the_check() -> None:
    row_height = band_height(360) / ROWS
    for row in range(ROWS):
        for column in range(COLUMNS):
            picture = burn(np.full((360, 640, 3), 90, dtype=np.uint8), 12345, 1_767_225_600_000)
            cell = picture[int(row * row_height) : int((row + 1) * row_height)]
            cell[:, column * 20 : (column + 1) * 20] ^= 255
            assert read_barcode(av.VideoFrame.from_ndarray(picture, format="rgb24")) is None


# --- the sources ----------------------------------------------------------------------------


def test_the_source_yields_counted_frames_stamped_now_with_pts_in_ms() -> None:
    before = time.time_ns() // 1_000_000
    frames = [frame for _, frame in zip(range(4), SyntheticSource(320, 180, 30), strict=False)]
    after = time.time_ns() // 1_000_000
    readings = [read_barcode(f) for f in frames]
    assert [r[0] for r in readings if r] == [0, 1, 2, 3]
    walls = [r[1] for r in readings if r]
    assert before <= walls[0] <= walls[-1] <= after
    assert [f.pts for f in frames] == [0, 33, 66, 100]
    assert all(f.time_base == Fraction(1, 1000) and f.format.name == "yuv420p" for f in frames)


def test_the_tone_encodes_to_aac() -> None:
    encoder = av.CodecContext.create("aac", "w")
    encoder.sample_rate, encoder.layout, encoder.format = 48_000, "stereo", "fltp"
    frames = [frame for _, frame in zip(range(5), SyntheticAudio(), strict=False)]
    assert [f.pts for f in frames] == [0, 1024, 2048, 3072, 4096]
    assert [f.samples for f in frames] == [1024] * 5
    packets = [p for frame in [*frames, None] for p in encoder.encode(frame)]
    assert len(packets) >= 5


# --- RTMP -----------------------------------------------------------------------------------


async def run_cli(*args: str) -> tuple[int, str, str]:
    """`python -m livebazaar.media.synthetic ARGS` in its own process: status, stdout, stderr."""
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "livebazaar.media.synthetic", *args),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.fixture
async def rtmp_server(tmp_path: Path) -> AsyncIterator[RtmpServer]:
    async def authorize(key: str) -> str | None:
        return SHOW if key == KEY else None

    server = RtmpServer(
        authorize=authorize,
        open_sink=flv_file_sinks(tmp_path / "rec", lambda: datetime.now(UTC)),
        port=0,
        idle_timeout_s=10.0,
    )
    await server.start()
    yield server
    await asyncio.wait_for(server.close(), TIMEOUT_S)


def read_recording(path: Path) -> tuple[list[tuple[Reading, bool]], int]:
    """Each video frame's barcode and whether it is a keyframe; the count of audio frames."""
    video: list[tuple[Reading, bool]] = []
    audio = 0
    with av.open(str(path)) as container:
        assert container.streams.audio[0].codec_context.name == "aac"
        for packet in container.demux():
            for frame in packet.decode():
                if isinstance(frame, av.VideoFrame):
                    video.append((read_barcode(frame), frame.key_frame))
                else:
                    audio += 1
    return video, audio


async def test_the_rtmp_cli_publishes_every_frame_in_order_with_periodic_keyframes(
    rtmp_server: RtmpServer, tmp_path: Path
) -> None:
    url = f"rtmp://127.0.0.1:{rtmp_server.port}/live/{KEY}"
    status, out, err = await run_cli("rtmp", url, "--seconds", "2", "--gop-s", "0.5")
    assert status == 0, err
    frames = json.loads(out.splitlines()[-1])["frames"]
    assert frames == 60
    async with asyncio.timeout(TIMEOUT_S):
        while rtmp_server.publishing:  # noqa: ASYNC110 (the server's state has no event)
            await asyncio.sleep(0.02)
    [recording] = sorted((tmp_path / "rec").glob("*.flv"))
    video, audio = await asyncio.to_thread(read_recording, recording)
    readings = [reading for reading, _ in video]
    assert [r[0] if r else None for r in readings] == list(range(frames))
    walls = [r[1] for r in readings if r]
    assert walls == sorted(walls)
    assert [r[0] for r, key in video if key and r] == [0, 15, 30, 45]
    assert audio > 0


async def test_a_refused_rtmp_publish_exits_with_a_short_message(rtmp_server: RtmpServer) -> None:
    url = f"rtmp://127.0.0.1:{rtmp_server.port}/live/{'x' * 32}"
    status, out, err = await run_cli("rtmp", url, "--seconds", "1", "--width", "320")
    assert status == REFUSED
    assert out == ""
    assert f"rtmp publish to rtmp://127.0.0.1:{rtmp_server.port}/live failed" in err
    assert "refused: a wrong stream key" in err
    assert "Traceback" not in err
    assert "x" * 32 not in err


# --- WHIP -----------------------------------------------------------------------------------


@dataclass
class WhipAnswerer:
    """A WHIP endpoint for the test: aiortc answers, and reads the barcodes it receives."""

    readings: list[Reading] = field(default_factory=list)
    offers: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    sessions: dict[str, RTCPeerConnection] = field(default_factory=dict)
    readers: set[asyncio.Task[None]] = field(default_factory=set)

    def authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {KEY}"

    async def post(self, request: web.Request) -> web.Response:
        if not self.authorized(request):
            return web.Response(status=401, text="unknown stream key")
        if request.content_type != "application/sdp":
            return web.Response(status=415)
        self.offers.append(await request.text())
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video":
                reader = asyncio.create_task(self.read(track))
                self.readers.add(reader)

        await pc.setRemoteDescription(RTCSessionDescription(self.offers[-1], "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        session = uuid.uuid4().hex
        self.sessions[session] = pc
        return web.Response(
            status=201,
            text=pc.localDescription.sdp,
            content_type="application/sdp",
            headers={"Location": f"/whip/{session}"},
        )

    async def delete(self, request: web.Request) -> web.Response:
        pc = self.sessions.pop(request.match_info["session"], None)
        if not self.authorized(request) or pc is None:
            return web.Response(status=404)
        await pc.close()
        self.deleted.append(request.match_info["session"])
        return web.Response(status=200)

    async def read(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            assert isinstance(frame, av.VideoFrame)
            self.readings.append(read_barcode(frame))


@pytest.fixture
async def whip() -> AsyncIterator[tuple[WhipAnswerer, str]]:
    answerer = WhipAnswerer()
    app = web.Application()
    app.router.add_post("/whip", answerer.post)
    app.router.add_delete("/whip/{session}", answerer.delete)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield answerer, f"http://127.0.0.1:{port}/whip"
    for pc in answerer.sessions.values():
        await pc.close()
    await asyncio.wait_for(asyncio.gather(*answerer.readers), TIMEOUT_S)
    await runner.cleanup()


def _first_video_codec(sdp: str) -> str:
    payload = next(line.split()[3] for line in sdp.splitlines() if line.startswith("m=video"))
    rtpmap = next(line for line in sdp.splitlines() if line.startswith(f"a=rtpmap:{payload} "))
    return rtpmap.split()[1].split("/")[0]


async def test_a_whip_push_arrives_with_increasing_counters(
    whip: tuple[WhipAnswerer, str],
) -> None:
    answerer, url = whip
    sent = await publish_whip(url, KEY, seconds=2, fps=15, width=320, height=240)
    assert sent == 30
    assert len(answerer.deleted) == 1
    assert answerer.sessions == {}
    assert _first_video_codec(answerer.offers[0]) == "H264"
    await asyncio.wait_for(asyncio.gather(*answerer.readers), TIMEOUT_S)
    counters = [r[0] for r in answerer.readings if r]
    assert len(counters) >= sent // 2
    assert counters == sorted(set(counters))
    assert counters[-1] < sent


async def test_a_whip_push_with_a_bad_key_fails_with_the_status(
    whip: tuple[WhipAnswerer, str],
) -> None:
    answerer, url = whip
    with pytest.raises(WhipError, match="401"):
        await publish_whip(url, "wrong", seconds=1, width=320, height=240)
    status, out, err = await run_cli("whip", url, "--key", "wrong", "--seconds", "1")
    assert (status, out) == (REFUSED, "")
    assert "401" in err
    assert "Traceback" not in err
    assert answerer.offers == []
