"""The media worker: one OS process per live show's publish session.

    python -m livebazaar.media CONFIG_JSON   (worker_process.main picks the input)

It reads the publisher's media (FLV on stdin from the RTMP server, or WebRTC through aiortc
for WHIP: see `whip_worker`), writes CMAF init segments, parts and segments to the
SegmentStore, and reports each one to the app as a JSON line on stdout; the app keeps the
playlists. A crash or a malformed stream ends this process only.

H.264 with keyframes at most `max_gop_s` apart is repackaged as it is; anything else is
transcoded once with libx264 (zerolatency) and AAC. Every rung of the rendition ladder below
the source is transcoded from the decoded picture.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import IO, TYPE_CHECKING, Any

import av
import av.container
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler
from av.audio.stream import AudioStream
from av.packet import Packet
from av.stream import Stream
from av.video.frame import PictureType, VideoFrame
from av.video.stream import VideoStream

from livebazaar.media.fmp4 import BoxSplitter, InitInfo, read_fragment, read_init
from livebazaar.media.segmenter import PartOut, Segmenter, SegmentOut
from livebazaar.media.store import SegmentStore, segment_store_from_url

log = logging.getLogger("livebazaar.media.worker")
if TYPE_CHECKING:
    AnyPacket = Packet[Stream]
else:
    AnyPacket = Packet

MS = Fraction(1, 1000)
AUDIO_RATE = 48_000
# Bit rates of transcoded rungs by height (kb/s), and the source's guess for the master playlist.
BITRATES_KBPS = {1080: 4500, 720: 2500, 540: 1600, 480: 1200, 360: 700, 240: 400}
REMUX_BANDWIDTH_GUESS = 3_000_000


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    show_id: str
    session: int  # the show's publish session number: names this session's init segments
    first_msn: int  # of a rendition new to the show
    store_url: str
    next_msn: dict[str, int] = field(default_factory=dict)  # of renditions it already has
    ladder: tuple[int, ...] = (360,)  # heights of rungs below the source
    max_height: int = 720  # transcoded sources are scaled down to this
    part_target_s: float = 0.2
    segment_target_s: float = 1.0
    max_gop_s: float = 2.0
    fps: int = 30  # transcoded output frame rate cap (keyframes are placed by time)
    source: str = "flv"  # "flv" on stdin, or "whip"
    # When the publisher started sending (ISO 8601, the app's wall clock): the program
    # date-time of the stream's start, since this process may start reading it later.
    ingest_started_at: str | None = None

    @property
    def prefix(self) -> str:
        return f"shows/{self.show_id}"

    def to_json(self) -> str:
        return json.dumps({k: getattr(self, k) for k in self.__slots__})

    @classmethod
    def from_json(cls, text: str) -> WorkerConfig:
        raw = json.loads(text)
        raw["ladder"] = tuple(raw.get("ladder", ()))
        raw["next_msn"] = dict(raw.get("next_msn", {}))
        return cls(**raw)


Report = Callable[[dict[str, Any]], None]


def stdout_reporter(stream: IO[str]) -> Report:
    def report(message: dict[str, Any]) -> None:
        stream.write(json.dumps(message, separators=(",", ":")) + "\n")
        stream.flush()

    return report


class _Capture(io.RawIOBase):
    """The muxer's output file: every write goes to a callback."""

    def __init__(self, on_write: Callable[[bytes], None]) -> None:
        self._on_write = on_write

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._on_write(chunk)
        return len(chunk)


@dataclass
class Clock:
    """Program date-time of media time: wall clock when the first frame arrived, plus offset."""

    wall0: datetime | None = None
    media0: float = 0.0

    def start(self, media_s: float, wall: datetime | None = None) -> None:
        if self.wall0 is None:
            self.wall0 = wall or datetime.now(UTC)
            self.media0 = media_s

    def at(self, media_s: float) -> datetime:
        assert self.wall0 is not None
        return self.wall0 + timedelta(seconds=media_s - self.media0)


class Rendition:
    """One rung: a fragmented-MP4 muxer, its segmenter and where its files go."""

    def __init__(
        self,
        name: str,
        config: WorkerConfig,
        store: SegmentStore,
        report: Report,
        clock: Clock,
        frame_interval_s: float,
    ) -> None:
        self.name = name
        self.config = config
        self.store = store
        self.report = report
        self.clock = clock
        self.key_prefix = f"{config.prefix}/{name}"
        self._splitter = BoxSplitter()
        self._init: InitInfo | None = None
        self._segmenter = Segmenter(
            first_msn=config.next_msn.get(name, config.first_msn),
            part_target_s=config.part_target_s,
            segment_target_s=config.segment_target_s,
        )
        # A fragment is cut at each keyframe, and before the packet that reaches frag_us
        # past its start: one frame interval short of the part target, so that a part
        # (whose last frame lasts until the next part's first) stays within the target.
        frag_us = int((config.part_target_s - frame_interval_s) * 1_000_000) + 1
        self.container = av.open(
            _Capture(self._written),
            "w",
            format="mp4",
            options={
                "movflags": "empty_moov+default_base_moof+frag_keyframe+cmaf",
                "frag_duration": str(frag_us),
                "flush_packets": "1",
                "max_interleave_delta": "300000",
            },
        )
        self.video: VideoStream | None = None
        self.audio: AudioStream | None = None
        self.width = 0
        self.height = 0
        self.bandwidth = REMUX_BANDWIDTH_GUESS
        self.closed = False

    # -- set-up ------------------------------------------------------------------------------

    def copy_video_from(self, template: VideoStream) -> None:
        self.video = self.container.add_stream_from_template(template)
        self.width, self.height = template.codec_context.width, template.codec_context.height

    def encode_video(self, width: int, height: int, kbps: int) -> None:
        stream = self.container.add_stream("libx264", rate=self.config.fps)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = MS
        stream.codec_context.time_base = MS
        stream.bit_rate = kbps * 1000
        stream.codec_context.options = {
            "preset": "veryfast",
            "tune": "zerolatency",
            "profile": "main",
            "forced-idr": "1",
            "sc_threshold": "0",
            "g": str(self.config.fps * 4),
            "maxrate": f"{kbps * 1200}",
            "bufsize": f"{kbps * 1000}",
        }
        self.video = stream
        self.width, self.height = width, height
        self.bandwidth = kbps * 1000 + 128_000

    def copy_audio_from(self, template: AudioStream) -> None:
        self.audio = self.container.add_stream_from_template(template)

    def encode_audio(self) -> None:
        stream = self.container.add_stream("aac", rate=AUDIO_RATE)
        stream.layout = "stereo"
        stream.bit_rate = 96_000
        self.audio = stream

    @property
    def codecs(self) -> str:
        """The CODECS attribute of the master playlist (RFC 6381 names)."""
        names = []
        if self.video is not None:
            names.append(_avc1_name(self.video.codec_context.extradata))
        if self.audio is not None:
            names.append("mp4a.40.2")
        return ",".join(names)

    # -- media in ----------------------------------------------------------------------------

    def mux(self, packet: AnyPacket, stream: VideoStream | AudioStream) -> None:
        packet.stream = stream
        self.container.mux_one(packet)

    def encode_frame(self, frame: VideoFrame) -> None:
        assert self.video is not None
        for packet in self.video.encode(frame):
            self.container.mux_one(packet)

    def encode_audio_frame(self, frame: AudioFrame | None) -> None:
        assert self.audio is not None
        for packet in self.audio.encode(frame):
            self.container.mux_one(packet)

    def close(self) -> None:
        """Flush the encoders and the muxer, and close the last segment."""
        if self.closed:
            return
        self.closed = True
        try:
            if self.video is not None and self.video.codec_context.is_encoder:
                for packet in self.video.encode(None):
                    self.container.mux_one(packet)
            self.container.close()
        finally:
            for segment in self._segmenter.flush():
                self._publish_segment(segment)

    # -- what the muxer writes ---------------------------------------------------------------

    def _written(self, chunk: bytes) -> None:
        for kind, data in self._splitter.feed(chunk):
            if kind == "init":
                self._init = read_init(data)
                key = f"{self.key_prefix}/init-{self.config.session}.mp4"
                self.store.put(key, data, content_type="video/mp4", immutable=True)
                self.report(
                    {
                        "type": "init",
                        "rendition": self.name,
                        "key": key,
                        "codecs": self.codecs,
                        "width": self.width,
                        "height": self.height,
                        "bandwidth": self.bandwidth,
                    }
                )
                continue
            assert self._init is not None
            fragment = read_fragment(data, self._init)
            for out in self._segmenter.add(fragment):
                if isinstance(out, PartOut):
                    self._publish_part(out)
                else:
                    self._publish_segment(out)

    def _publish_part(self, part: PartOut) -> None:
        key = f"{self.key_prefix}/part-{part.msn}.{part.index}.m4s"
        self.store.put(key, part.data, content_type="video/iso.segment", immutable=True)
        self.report(
            {
                "type": "part",
                "rendition": self.name,
                "msn": part.msn,
                "index": part.index,
                "key": key,
                "duration": round(part.duration_s, 6),
                "independent": part.independent,
                "pdt": self.clock.at(part.start_s).isoformat(),
            }
        )

    def _publish_segment(self, segment: SegmentOut) -> None:
        key = f"{self.key_prefix}/seg-{segment.msn}.m4s"
        self.store.put(key, segment.data, content_type="video/iso.segment", immutable=True)
        self.report(
            {
                "type": "segment",
                "rendition": self.name,
                "msn": segment.msn,
                "key": key,
                "duration": round(segment.duration_s, 6),
                "parts": segment.parts,
                "pdt": self.clock.at(segment.start_s).isoformat(),
                "bytes": len(segment.data),
            }
        )


def _avc1_name(extradata: bytes | None) -> str:
    """avc1.PPCCLL from an avcC record (profile, compatibility, level), or a safe default."""
    if extradata and len(extradata) >= 4 and extradata[0] == 1:
        return f"avc1.{extradata[1]:02x}{extradata[2]:02x}{extradata[3]:02x}"
    return "avc1.4d401f"


def rung_size(source_w: int, source_h: int, height: int) -> tuple[int, int]:
    """An even-sized picture `height` tall with the source's aspect ratio."""
    width = round(source_w * height / source_h / 2) * 2 if source_h else height * 16 // 9
    return max(2, width), max(2, height - height % 2)


class Pipeline:
    """Everything one publish session produces: the source rendition and the ladder below."""

    def __init__(
        self, config: WorkerConfig, store: SegmentStore, report: Report, frame_interval_s: float
    ) -> None:
        self.config = config
        self.frame_interval_s = min(max(frame_interval_s, 1 / 60), 1 / 10)
        self.store = store
        self.report = report
        self.clock = Clock()
        self.renditions: list[Rendition] = []
        self.encoded: list[Rendition] = []  # rungs fed decoded frames
        self._last_key_ms: dict[str, int] = {}
        self._last_pts_ms: dict[str, int] = {}
        self._resampler: AudioResampler | None = None
        self._audio_samples = 0
        # A keyframe opens every segment: one per target, placed by time (not frame count).
        half_frame_ms = self.frame_interval_s * 500
        self._key_interval_ms = config.segment_target_s * 1000 - half_frame_ms

    def rendition(self, name: str) -> Rendition:
        rendition = Rendition(
            name, self.config, self.store, self.report, self.clock, self.frame_interval_s
        )
        self.renditions.append(rendition)
        return rendition

    def plan_ladder(self, source_w: int, source_h: int) -> None:
        """Add a transcoded rung for each ladder height below the source's."""
        for height in sorted(set(self.config.ladder), reverse=True):
            if height >= source_h:
                continue
            rung = self.rendition(f"{height}p")
            w, h = rung_size(source_w, source_h, height)
            rung.encode_video(w, h, BITRATES_KBPS.get(height, max(300, height * 2)))
            self.encoded.append(rung)

    def announce(self, mode: str) -> None:
        self.report(
            {
                "type": "started",
                "mode": mode,
                "renditions": [r.name for r in self.renditions],
            }
        )

    def encode_frame(self, frame: VideoFrame, pts_ms: int, force_key: bool) -> None:
        """Scale and encode one decoded picture into every transcoded rung."""
        self.clock.start(pts_ms / 1000)
        for rung in self.encoded:
            last = self._last_pts_ms.get(rung.name)
            if last is not None and pts_ms <= last:
                continue  # a repeated or reordered stamp: the muxer needs increasing ones
            if last is not None and pts_ms - last < 1000 // self.config.fps - 2:
                continue  # above the output frame rate
            self._last_pts_ms[rung.name] = pts_ms
            scaled = frame.reformat(width=rung.width, height=rung.height, format="yuv420p")
            scaled.pts = pts_ms
            scaled.time_base = MS
            last_key = self._last_key_ms.get(rung.name)
            if force_key or last_key is None or pts_ms - last_key >= self._key_interval_ms:
                scaled.pict_type = PictureType.I
                self._last_key_ms[rung.name] = pts_ms
            else:
                scaled.pict_type = PictureType.NONE
            rung.encode_frame(scaled)

    def encode_audio(self, frame: AudioFrame) -> None:
        """Resample and encode one decoded audio frame into every rung that encodes audio."""
        if self._resampler is None:
            self._resampler = AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
        frame.pts = None
        for resampled in self._resampler.resample(frame):
            resampled.pts = self._audio_samples
            resampled.time_base = Fraction(1, AUDIO_RATE)
            self._audio_samples += resampled.samples
            for rung in self.renditions:
                if rung.audio is not None and rung.audio.codec_context.is_encoder:
                    rung.encode_audio_frame(_copy_audio(resampled))

    def close(self) -> None:
        errors: list[BaseException] = []
        for rendition in self.renditions:
            try:
                if rendition.audio is not None and rendition.audio.codec_context.is_encoder:
                    rendition.encode_audio_frame(None)
                rendition.close()
            except Exception as exc:  # close every rung, then report the first failure
                errors.append(exc)
        if errors:
            raise errors[0]


def _copy_audio(frame: AudioFrame) -> AudioFrame:
    """A frame the encoder may own (the same frame cannot be handed to two encoders)."""
    copy = AudioFrame.from_ndarray(frame.to_ndarray(), format=frame.format.name, layout="stereo")
    copy.sample_rate = frame.sample_rate
    copy.pts = frame.pts
    copy.time_base = frame.time_base
    return copy


def _copy_packet(packet: AnyPacket) -> AnyPacket:
    copy = Packet(bytes(packet))
    copy.pts, copy.dts = packet.pts, packet.dts
    copy.time_base = packet.time_base
    copy.is_keyframe = packet.is_keyframe
    if packet.duration is not None:
        copy.duration = packet.duration
    return copy


def _ms(packet: AnyPacket) -> int:
    stamp = packet.pts if packet.pts is not None else packet.dts
    assert stamp is not None
    return int(stamp * packet.time_base * 1000)


def run_flv(config: WorkerConfig, source: IO[bytes], report: Report) -> None:
    """Package an FLV stream (the RTMP server's publisher) until it ends."""
    store = segment_store_from_url(config.store_url)
    container = av.open(
        source,
        "r",
        format="flv",
        options={"probesize": "65536", "analyzeduration": "500000"},
    )
    try:
        _package_flv(config, container, store, report)
    finally:
        container.close()


def _package_flv(
    config: WorkerConfig,
    container: av.container.InputContainer,
    store: SegmentStore,
    report: Report,
) -> None:
    if not container.streams.video:
        raise ValueError("the stream carries no video")
    vin = container.streams.video[0]
    ain = container.streams.audio[0] if container.streams.audio else None
    demuxed = container.demux(*(s for s in (vin, ain) if s is not None))
    held, keys, arrived = _hold_first_gop(demuxed, vin, config.max_gop_s)
    remux = (
        vin.codec_context.name == "h264"
        and len(keys) >= 2
        and keys[1] - keys[0] <= config.max_gop_s * 1000
    )
    pipeline = Pipeline(config, store, report, _frame_interval_s(held, vin, config.fps))
    width, height = vin.codec_context.width, vin.codec_context.height
    source = pipeline.rendition("source")
    if remux:
        source.copy_video_from(vin)
    else:
        w, h = rung_size(width, height, min(height, config.max_height))
        source.encode_video(w, h, BITRATES_KBPS.get(h, 2500))
        pipeline.encoded.append(source)
    pipeline.plan_ladder(width, height)
    copy_audio = ain is not None and ain.codec_context.name == "aac"
    if ain is not None:
        for rung in pipeline.renditions:
            if copy_audio:
                rung.copy_audio_from(ain)
            else:
                rung.encode_audio()
    pipeline.announce("remux" if remux else "transcode")
    base_ms = keys[0]
    if config.ingest_started_at is not None:
        arrived = datetime.fromisoformat(config.ingest_started_at)
    pipeline.clock.start(0.0, arrived)
    shared = len(pipeline.renditions) > 1
    for packet in _chain(held, demuxed):
        if packet.dts is None or packet.size == 0 or _ms(packet) < base_ms:
            continue
        if packet.stream is vin:
            if remux:
                assert source.video is not None
                source.mux(_rebased(packet, base_ms, copy=shared), source.video)
            if pipeline.encoded:
                key = remux and packet.is_keyframe
                for frame in vin.codec_context.decode(packet):
                    if frame.pts is not None and frame.time_base is not None:
                        pts = int(frame.pts * frame.time_base * 1000) - base_ms
                        pipeline.encode_frame(frame, pts, force_key=key)
        elif ain is not None and packet.stream is ain:
            if copy_audio:
                for rung in pipeline.renditions:
                    assert rung.audio is not None
                    rung.mux(_rebased(packet, base_ms, copy=True), rung.audio)
            else:
                for audio_frame in ain.codec_context.decode(packet):
                    pipeline.encode_audio(audio_frame)
    pipeline.close()


def _frame_interval_s(held: list[AnyPacket], video: VideoStream, fps_cap: int) -> float:
    """The typical time between the first GOP's frames (never below the output cap's)."""
    stamps = sorted(_ms(p) for p in held if p.stream is video)
    gaps = sorted(b - a for a, b in itertools.pairwise(stamps) if b > a)
    typical = gaps[len(gaps) // 2] / 1000 if gaps else 1 / fps_cap
    return max(typical, 1 / fps_cap)


def _hold_first_gop(
    demuxed: Iterator[AnyPacket], video: VideoStream, max_gop_s: float
) -> tuple[list[AnyPacket], list[int], datetime]:
    """Packets from the first keyframe to the second (or max_gop_s without one), the
    keyframes' times in ms (the first interval decides remux or transcode), and when the
    first keyframe arrived (the program date-time of the stream's start)."""
    held: list[AnyPacket] = []
    keys: list[int] = []
    arrived = datetime.now(UTC)
    for packet in demuxed:
        if packet.dts is None or packet.size == 0:
            continue
        if packet.stream is video and packet.is_keyframe:
            if not keys:
                arrived = datetime.now(UTC)
            keys.append(_ms(packet))
        if not keys:
            continue  # nothing decodes before the first keyframe
        held.append(packet)
        if len(keys) >= 2 or _ms(packet) - keys[0] > max_gop_s * 1000:
            break
    if not held:
        raise ValueError("the stream ended before its first keyframe")
    return held, keys, arrived


def _rebased(packet: AnyPacket, base_ms: int, *, copy: bool) -> AnyPacket:
    out = _copy_packet(packet) if copy else packet
    assert out.time_base is not None
    shift = int(Fraction(base_ms, 1000) / out.time_base)
    if out.pts is not None:
        out.pts -= shift
    if out.dts is not None:
        out.dts -= shift
    return out


def _chain(held: list[AnyPacket], rest: Iterator[AnyPacket]) -> Iterator[AnyPacket]:
    yield from held
    yield from rest
