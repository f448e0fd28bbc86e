"""A synthetic publisher for CI and benchmarks: barcode-stamped frames pushed by RTMP or WHIP.

Every video frame carries a barcode band along its top: 3 rows of 32 black/white cells holding
a 4-bit marker, a 32-bit frame counter, the 44-bit wall clock (ms since the epoch) at which the
frame was made, and a CRC-16 of those. The cells are large (1/32 of the width, 1/25 of the
height) and are read by averaging the luma at the centre of each, at positions relative to the
frame size, so the code survives x264 at streaming bitrates and downscaling to 360p; a frame
without a band (or with noise in its place) reads as None. Under the band the counter is drawn
in digits, on a background that drifts, so a demo player shows something alive.

`SyntheticSource` and `SyntheticAudio` make paced frames; `publish_rtmp` pushes H.264 + AAC in
FLV to an RTMP URL and `publish_whip` pushes WebRTC to a WHIP endpoint. Run the publishers as
a separate process (`python -m livebazaar.media.synthetic rtmp URL --seconds N`): PyAV holds
the GIL while it connects, which would stall a server running in the same process.
"""

from __future__ import annotations

import argparse
import asyncio
import binascii
import functools
import json
import math
import sys
import time
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import overload
from urllib.parse import urljoin

import av
import httpx
import numpy as np
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError
from numpy.typing import NDArray

ROWS, COLUMNS = 3, 32
BAND_FRACTION = 0.12  # of the height
_MARKER = 0b1011
_BLACK, _WHITE, _THRESHOLD, _DOUBT = 16, 235, 126, 48  # luma; a cell within _DOUBT is unread
MS = Fraction(1, 1000)
REFUSED = 3  # the CLI's exit status when the peer refuses or cannot be reached
CONNECT_TIMEOUT_S = 15.0

# --- the barcode ----------------------------------------------------------------------------


def _checksum(counter: int, wall_ms: int) -> int:
    payload = (_MARKER << 76) | (counter << 44) | wall_ms
    return binascii.crc_hqx(payload.to_bytes(10, "big"), 0xFFFF)


def encode_bits(counter: int, wall_ms: int) -> NDArray[np.bool_]:
    """The band's cells (ROWS x COLUMNS, True = white) for `counter` and `wall_ms`."""
    if not (0 <= counter < 1 << 32 and 0 <= wall_ms < 1 << 44):
        raise ValueError("the counter takes 32 bits and the wall clock 44")
    value = (_MARKER << 92) | (counter << 60) | (wall_ms << 16) | _checksum(counter, wall_ms)
    bits = [(value >> (ROWS * COLUMNS - 1 - i)) & 1 for i in range(ROWS * COLUMNS)]
    return np.array(bits, dtype=np.bool_).reshape(ROWS, COLUMNS)


def decode_bits(bits: NDArray[np.bool_]) -> tuple[int, int] | None:
    """(counter, wall_ms) from the band's cells, or None if the marker or the CRC is wrong."""
    value = int("".join("1" if bit else "0" for bit in bits.reshape(-1)), 2)
    counter, wall_ms = (value >> 60) & 0xFFFFFFFF, (value >> 16) & ((1 << 44) - 1)
    if value >> 92 != _MARKER or value & 0xFFFF != _checksum(counter, wall_ms):
        return None
    return counter, wall_ms


def band_height(height: int) -> int:
    return max(ROWS * 2, round(height * BAND_FRACTION))


@functools.lru_cache(maxsize=16)
def _cell_index(width: int, height: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """For each pixel row of the band its cell row, and for each pixel column its cell column."""
    band = band_height(height)
    rows = (np.arange(band) * ROWS) // band
    columns = (np.arange(width) * COLUMNS) // width
    return rows[:, None], columns[None, :]


def _band(width: int, height: int, counter: int, wall_ms: int) -> NDArray[np.bool_]:
    rows, columns = _cell_index(width, height)
    band: NDArray[np.bool_] = encode_bits(counter, wall_ms)[rows, columns]
    return band


def yuv_planes(
    image: NDArray[np.uint8], width: int, height: int
) -> tuple[NDArray[np.uint8], NDArray[np.uint8], NDArray[np.uint8]]:
    """Views of the Y, U and V planes of a yuv420p array laid out as PyAV does: (h * 3 / 2, w)."""
    flat, size, chroma = image.reshape(-1), width * height, (width // 2) * (height // 2)
    u = flat[size : size + chroma].reshape(height // 2, width // 2)
    v = flat[size + chroma : size + 2 * chroma].reshape(height // 2, width // 2)
    return image[:height], u, v


@overload
def burn(image: NDArray[np.uint8], counter: int, wall_ms: int) -> NDArray[np.uint8]: ...
@overload
def burn(image: av.VideoFrame, counter: int, wall_ms: int) -> av.VideoFrame: ...
def burn(
    image: NDArray[np.uint8] | av.VideoFrame, counter: int, wall_ms: int
) -> NDArray[np.uint8] | av.VideoFrame:
    """Stamp the barcode on a picture.

    An ndarray is changed in place and returned: (h, w, 3) is RGB, (h * 3 / 2, w) is yuv420p
    as PyAV lays it out. A `VideoFrame` is converted to yuv420p and a new frame returned,
    keeping the pts and time base.
    """
    if isinstance(image, av.VideoFrame):
        array = np.asarray(image.to_ndarray(format="yuv420p"), dtype=np.uint8)
        frame = av.VideoFrame.from_ndarray(burn(array, counter, wall_ms), format="yuv420p")
        frame.pts, frame.time_base = image.pts, image.time_base
        return frame
    if image.ndim == 3:
        band = _band(image.shape[1], image.shape[0], counter, wall_ms)
        image[: band.shape[0]] = np.where(band, 255, 0).astype(np.uint8)[:, :, None]
        return image
    height, width = image.shape[0] * 2 // 3, image.shape[1]
    band = _band(width, height, counter, wall_ms)
    y, u, v = yuv_planes(image, width, height)
    y[: band.shape[0]] = np.where(band, _WHITE, _BLACK)
    u[: (band.shape[0] + 1) // 2] = v[: (band.shape[0] + 1) // 2] = 128
    return image


def luma(frame: av.VideoFrame) -> NDArray[np.uint8]:
    """The frame's luma as an (h, w) array (a view of plane 0 where the frame is planar YUV)."""
    if frame.format.name not in ("yuv420p", "yuvj420p", "yuv422p", "yuv444p", "nv12"):
        frame = frame.reformat(format="gray")
    plane = frame.planes[0]
    rows = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(-1, plane.line_size)
    return rows[: frame.height, : frame.width]


def read_barcode(frame: av.VideoFrame) -> tuple[int, int] | None:
    """(counter, wall_ms) burnt in `frame`, or None if it has no readable barcode."""
    y = luma(frame)
    row_height, cell_width = band_height(frame.height) / ROWS, frame.width / COLUMNS
    means = np.empty((ROWS, COLUMNS))
    for row in range(ROWS):
        top = int((row + 0.25) * row_height)
        strip = y[top : max(int((row + 0.75) * row_height), top + 1)].mean(axis=0)
        for column in range(COLUMNS):
            left = int((column + 0.25) * cell_width)
            right = max(int((column + 0.75) * cell_width), left + 1)
            means[row, column] = strip[left:right].mean()
    if np.any(np.abs(means - _THRESHOLD) < _DOUBT):
        return None
    return decode_bits(means > _THRESHOLD)


# --- the sources ----------------------------------------------------------------------------

_DIGITS = (  # a 3 x 5 pixel font, row after row
    "111101101101111",
    "010110010010111",
    "111001111100111",
    "111001111001111",
    "101101111001001",
    "111100111001111",
    "111100111101111",
    "111001010010010",
    "111101111101111",
    "111101111001111",
)


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


def _sleep_until(deadline: float) -> None:
    delay = deadline - time.monotonic()
    if delay > 0:
        time.sleep(delay)


class SyntheticSource:
    """Barcode-stamped yuv420p frames on a drifting colour background, the counter in digits.

    `frame(i)` makes frame i at once: pts i / fps in milliseconds (time base 1/1000), counter
    i, the wall clock now. Iterating yields frames 0, 1, 2, ... forever, frame i at
    start + i / fps (late frames are not dropped, so counters never skip).
    """

    def __init__(self, width: int = 1280, height: int = 720, fps: int = 30) -> None:
        if width % 2 or height % 2 or width < COLUMNS or height < 2 * ROWS or fps < 1:
            raise ValueError("yuv420p needs an even size, at least 32 x 6, and fps >= 1")
        self.width, self.height, self.fps = width, height, fps
        x = np.arange(2 * width) * (2 * math.pi / width)  # two periods: any window of w
        y = np.linspace(0.0, 1.0, height)[:, None]
        self._y = (70 + 60 * np.sin(x)[None, :] + 60 * y).astype(np.uint8)
        self._u = np.repeat(128 + 60 * np.cos(x[None, ::2]), height // 2, axis=0).astype(np.uint8)
        self._v = (128 + 60 * np.sin(x[None, ::2] + 1.0) - 40 * y[::2]).astype(np.uint8)
        self._scale = max(1, height // 60)
        pixel = np.ones((self._scale, self._scale), dtype=np.bool_)
        self._glyphs = [
            np.kron(np.array([c == "1" for c in g]).reshape(5, 3), pixel) for g in _DIGITS
        ]

    def frame(self, index: int, wall_ms: int | None = None) -> av.VideoFrame:
        w, h = self.width, self.height
        image = np.empty((h * 3 // 2, w), dtype=np.uint8)
        y, u, v = yuv_planes(image, w, h)
        shift = (index * 4 * w // (self.fps * 10)) % w // 2  # across the picture in 2.5 s
        y[:] = self._y[:, 2 * shift : 2 * shift + w]
        u[:] = self._u[:, shift : shift + w // 2]
        v[:] = self._v[:, shift : shift + w // 2]
        self._draw_number(image, index)
        burn(image, index, wall_clock_ms() if wall_ms is None else wall_ms)
        frame = av.VideoFrame.from_ndarray(image, format="yuv420p")
        frame.pts, frame.time_base = index * 1000 // self.fps, MS
        return frame

    def _draw_number(self, image: NDArray[np.uint8], number: int) -> None:
        """White digits on black, just under the barcode band, at the left."""
        s, top, digits = self._scale, band_height(self.height) + self._scale, str(number)
        bottom, right = top + 7 * s, (4 * len(digits) + 1) * s
        if bottom > self.height or right > self.width:
            return
        y, u, v = yuv_planes(image, self.width, self.height)
        y[top:bottom, :right] = _BLACK
        u[top // 2 : (bottom + 1) // 2, : (right + 1) // 2] = 128
        v[top // 2 : (bottom + 1) // 2, : (right + 1) // 2] = 128
        for i, digit in enumerate(digits):
            left = (4 * i + 1) * s
            y[top + s : top + 6 * s, left : left + 3 * s][self._glyphs[int(digit)]] = _WHITE

    def __iter__(self) -> Iterator[av.VideoFrame]:
        start = time.monotonic()
        for index in range(1 << 32):
            _sleep_until(start + index / self.fps)
            yield self.frame(index)


class SyntheticAudio:
    """A quiet 440 Hz tone: fltp stereo frames of `samples` samples, pts counted in samples.

    `frame(i)` makes frame i at once; iterating yields them forever, paced in real time.
    """

    def __init__(self, sample_rate: int = 48_000, samples: int = 1024) -> None:
        self.sample_rate, self.samples = sample_rate, samples

    def frame(self, index: int) -> av.AudioFrame:
        t = (index * self.samples + np.arange(self.samples)) / self.sample_rate
        tone = (0.1 * np.sin(2 * math.pi * 440.0 * t)).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(np.stack([tone, tone]), format="fltp", layout="stereo")
        frame.sample_rate = self.sample_rate
        frame.pts, frame.time_base = index * self.samples, Fraction(1, self.sample_rate)
        return frame

    def __iter__(self) -> Iterator[av.AudioFrame]:
        start = time.monotonic()
        index = 0
        while True:
            _sleep_until(start + index * self.samples / self.sample_rate)
            yield self.frame(index)
            index += 1


# --- RTMP -----------------------------------------------------------------------------------


def x264_options(
    gop: int, preset: str = "veryfast", bitrate_kbps: int | None = None
) -> dict[str, str]:
    """libx264 for live ingest: no B-frames, a keyframe exactly every `gop` frames, and
    x264's default CRF or, given a bitrate, that rate capped (a VBV buffer of 2 s) as OBS does."""
    options = {
        "preset": preset,
        "tune": "zerolatency",
        "profile": "main",
        "bf": "0",
        "g": str(gop),
        "keyint_min": str(gop),
        "sc_threshold": "0",  # no extra keyframes on scene cuts
    }
    if bitrate_kbps is not None:
        rate = f"{bitrate_kbps}k"
        options |= {"b": rate, "maxrate": rate, "bufsize": f"{2 * bitrate_kbps}k"}
    return options


def publish_rtmp(
    url: str,
    seconds: float,
    fps: int = 30,
    width: int = 1280,
    height: int = 720,
    gop_s: float = 1.0,
    audio: bool = True,
    *,
    bitrate_kbps: int | None = None,
    preset: str = "veryfast",
) -> int:
    """Push `seconds` of H.264 (+ AAC) in FLV to `url` in real time; the video frames sent.

    A `gop_s` above the ingest's segment length (e.g. 4) forces the server to transcode.
    `bitrate_kbps` None means x264's default CRF. Raises `av.error.FFmpegError` or `OSError`
    when the peer cannot be reached or refuses the stream. Blocks, holding the GIL while it
    connects: run it in its own process (see the module's CLI).
    """
    source, tone = SyntheticSource(width, height, fps), SyntheticAudio()
    total = round(seconds * fps)
    with av.open(
        url,
        mode="w",
        format="flv",
        options={"flvflags": "no_duration_filesize"},
        timeout=CONNECT_TIMEOUT_S,
    ) as container:
        gop = max(1, round(gop_s * fps))
        video = container.add_stream(
            "libx264", rate=fps, options=x264_options(gop, preset, bitrate_kbps)
        )
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        sound = (
            container.add_stream("aac", rate=tone.sample_rate, layout="stereo") if audio else None
        )
        start, sent, heard = time.monotonic(), 0, 0
        while sent < total:
            audio_due = start + heard * tone.samples / tone.sample_rate
            if sound is not None and audio_due <= start + sent / fps:
                _sleep_until(audio_due)
                container.mux(sound.encode(tone.frame(heard)))
                heard += 1
            else:
                _sleep_until(start + sent / fps)
                container.mux(video.encode(source.frame(sent)))
                sent += 1
        container.mux(video.encode(None))
        if sound is not None:
            container.mux(sound.encode(None))
    return sent


# --- WHIP -----------------------------------------------------------------------------------


class WhipError(Exception):
    """The WHIP endpoint refused the offer, or media never flowed."""


class BarcodeTrack(MediaStreamTrack):
    """`SyntheticSource` frames as an aiortc video track, paced in real time; ends after
    `frames` frames (`done` is set when the sender asks for one more: the last was sent)."""

    kind = "video"

    def __init__(self, source: SyntheticSource, frames: int) -> None:
        super().__init__()
        self.source, self.frames, self.sent = source, frames, 0
        self.done = asyncio.Event()
        self._start: float | None = None

    async def recv(self) -> av.VideoFrame:
        if self.sent >= self.frames:
            self.done.set()
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        await asyncio.sleep(max(0.0, self._start + self.sent / self.source.fps - time.monotonic()))
        frame = self.source.frame(self.sent)
        self.sent += 1
        return frame


class ToneTrack(MediaStreamTrack):
    """`SyntheticAudio` frames of 20 ms as an aiortc audio track, paced in real time."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.tone, self.index = SyntheticAudio(samples=960), 0
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self.index * self.tone.samples / self.tone.sample_rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        self.index += 1
        return self.tone.frame(self.index - 1)


def _peer(video: BarcodeTrack, audio: bool, ice_servers: Sequence[str]) -> RTCPeerConnection:
    """A send-only peer connection, H.264 preferred (an ingest can then remux, not transcode)."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[RTCIceServer(u) for u in ice_servers]))
    transceiver = pc.addTransceiver(video, direction="sendonly")
    codecs = RTCRtpSender.getCapabilities("video").codecs
    transceiver.setCodecPreferences(sorted(codecs, key=lambda c: c.mimeType != "video/H264"))
    if audio:
        pc.addTransceiver(ToneTrack(), direction="sendonly")
    return pc


async def publish_whip(
    url: str,
    key: str,
    seconds: float,
    fps: int = 30,
    width: int = 1280,
    height: int = 720,
    *,
    audio: bool = True,
    ice_servers: Sequence[str] = (),
) -> int:
    """Push `seconds` of WebRTC (H.264 + Opus) to a WHIP endpoint; the video frames sent.

    POSTs the offer (all ICE candidates gathered) with `Authorization: Bearer <key>`, expects
    201 with a Location, sends, then DELETEs the Location. Raises `WhipError` if the answer
    is not 201 or no media flowed within CONNECT_TIMEOUT_S, `httpx.HTTPError` on transport.
    """
    video = BarcodeTrack(SyntheticSource(width, height, fps), round(seconds * fps))
    pc = _peer(video, audio, ice_servers)
    failed = asyncio.Event()

    @pc.on("connectionstatechange")
    def on_state() -> None:
        if pc.connectionState == "failed":
            failed.set()

    auth = {"Authorization": f"Bearer {key}"}
    try:
        await pc.setLocalDescription(await pc.createOffer())  # gathers every candidate
        async with httpx.AsyncClient(timeout=CONNECT_TIMEOUT_S) as client:
            answer = await client.post(
                url,
                content=pc.localDescription.sdp,
                headers={**auth, "Content-Type": "application/sdp"},
            )
            if answer.status_code != 201 or "location" not in answer.headers:
                raise WhipError(f"WHIP endpoint answered {answer.status_code}: {answer.text[:200]}")
            location = urljoin(str(answer.url), answer.headers["location"])
            try:
                await pc.setRemoteDescription(RTCSessionDescription(sdp=answer.text, type="answer"))
                await _wait_sent(video, failed, seconds + CONNECT_TIMEOUT_S)
            finally:
                await client.delete(location, headers=auth)
    finally:
        await pc.close()
    return video.sent


async def _wait_sent(video: BarcodeTrack, failed: asyncio.Event, limit_s: float) -> None:
    waits = [asyncio.ensure_future(video.done.wait()), asyncio.ensure_future(failed.wait())]
    try:
        await asyncio.wait(waits, timeout=limit_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
    if not video.done.is_set():
        raise WhipError(f"sent {video.sent} of {video.frames} frames: the connection failed")


# --- the CLI --------------------------------------------------------------------------------


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m livebazaar.media.synthetic",
        description='Push barcode-stamped test video; prints {"frames": N} when done.',
    )
    commands = parser.add_subparsers(dest="protocol", required=True)
    rtmp, whip = commands.add_parser("rtmp"), commands.add_parser("whip")
    for command in (rtmp, whip):
        command.add_argument("url")
        command.add_argument("--seconds", type=float, default=10.0)
        command.add_argument("--fps", type=int, default=30)
        command.add_argument("--width", type=int, default=1280)
        command.add_argument("--height", type=int, default=720)
        command.add_argument("--no-audio", dest="audio", action="store_false")
    rtmp.add_argument("--gop-s", type=float, default=1.0, help="keyframe interval (s)")
    rtmp.add_argument("--bitrate-kbps", type=int, default=None, help="default: x264's CRF")
    rtmp.add_argument(
        "--preset", default="veryfast", choices=["ultrafast", "superfast", "veryfast"]
    )
    whip.add_argument("--key", required=True, help="the stream key, sent as a bearer token")
    whip.add_argument("--ice-server", action="append", default=[], help="stun:HOST:PORT")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        if args.protocol == "rtmp":
            frames = publish_rtmp(
                args.url,
                args.seconds,
                args.fps,
                args.width,
                args.height,
                args.gop_s,
                args.audio,
                bitrate_kbps=args.bitrate_kbps,
                preset=args.preset,
            )
        else:
            publish = publish_whip(
                args.url,
                args.key,
                args.seconds,
                args.fps,
                args.width,
                args.height,
                audio=args.audio,
                ice_servers=args.ice_server,
            )
            frames = asyncio.run(publish)
    except (av.error.FFmpegError, OSError, httpx.HTTPError, WhipError) as exc:
        where = args.url.rsplit("/", 1)[0] if args.protocol == "rtmp" else args.url  # no key
        refused = isinstance(exc, PermissionError)  # how FFmpeg reports an RTMP refusal
        hint = " (refused: a wrong stream key, or the show is already live)" if refused else ""
        sys.stderr.write(f"{args.protocol} publish to {where} failed: {exc}{hint}\n")
        return REFUSED
    except KeyboardInterrupt:
        return 130
    sys.stdout.write(json.dumps({"frames": frames}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
