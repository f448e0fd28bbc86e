"""Just enough ISO-BMFF (fragmented MP4 / CMAF) reading to cut LL-HLS parts.

PyAV's mp4 muxer writes an init segment (ftyp + moov) and then one fragment (moof + mdat)
per ~part. `BoxSplitter` turns the muxer's byte stream back into those units, and
`read_init` / `read_fragment` read the few fields a playlist needs: each track's timescale,
and each fragment's start, duration and whether it opens with a sync sample (a keyframe,
so a player may start there: EXT-X-PART INDEPENDENT=YES).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = ["BoxSplitter", "Fragment", "InitInfo", "TrackInfo", "read_fragment", "read_init"]

_NON_SYNC = 0x00010000  # sample_is_non_sync_sample in sample flags
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"mvex", b"moof", b"traf"}


@dataclass(frozen=True, slots=True)
class TrackInfo:
    track_id: int
    handler: str  # "vide" or "soun"
    timescale: int
    default_duration: int  # trex default_sample_duration
    default_flags: int  # trex default_sample_flags


@dataclass(frozen=True, slots=True)
class InitInfo:
    tracks: dict[int, TrackInfo]

    @property
    def video(self) -> TrackInfo | None:
        return next((t for t in self.tracks.values() if t.handler == "vide"), None)


@dataclass(frozen=True, slots=True)
class Fragment:
    data: bytes
    start_s: float  # of the reference track (video when there is one)
    duration_s: float
    independent: bool  # the reference track opens with a sync sample


def _boxes(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[bytes, int, int]]:
    """(type, payload start, box end) of each box in data[start:end]."""
    end = len(data) if end is None else end
    found = []
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:
                raise ValueError("truncated largesize box")
            size = struct.unpack_from(">Q", data, pos + 8)[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ValueError(f"bad box {kind!r} of size {size}")
        found.append((kind, pos + header, pos + size))
        pos += size
    if pos != end:
        raise ValueError("trailing bytes after the last box")
    return found


def _walk(
    data: bytes, start: int, end: int, path: tuple[bytes, ...]
) -> list[tuple[bytes, int, int]]:
    """Every box under `path` (a chain of container types), depth first."""
    found = []
    for kind, body, box_end in _boxes(data, start, end):
        if kind == path[0]:
            if len(path) == 1:
                found.append((kind, body, box_end))
            elif kind in _CONTAINERS:
                found.extend(_walk(data, body, box_end, path[1:]))
    return found


def _child(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for found, body, box_end in _boxes(data, start, end):
        if found == kind:
            return body, box_end
    return None


def read_init(data: bytes) -> InitInfo:
    """Track ids, handlers, timescales and fragment defaults of an init segment."""
    defaults: dict[int, tuple[int, int]] = {}
    for _, body, _end in _walk(data, 0, len(data), (b"moov", b"mvex", b"trex")):
        track_id, _desc, duration, _size, flags = struct.unpack_from(">IIIII", data, body + 4)
        defaults[track_id] = (duration, flags)
    tracks: dict[int, TrackInfo] = {}
    for _, body, end in _walk(data, 0, len(data), (b"moov", b"trak")):
        tkhd = _child(data, body, end, b"tkhd")
        mdia = _child(data, body, end, b"mdia")
        if tkhd is None or mdia is None:
            raise ValueError("trak without tkhd or mdia")
        version = data[tkhd[0]]
        track_id = struct.unpack_from(">I", data, tkhd[0] + (20 if version == 1 else 12))[0]
        mdhd = _child(data, mdia[0], mdia[1], b"mdhd")
        hdlr = _child(data, mdia[0], mdia[1], b"hdlr")
        if mdhd is None or hdlr is None:
            raise ValueError("mdia without mdhd or hdlr")
        version = data[mdhd[0]]
        timescale = struct.unpack_from(">I", data, mdhd[0] + (20 if version == 1 else 12))[0]
        handler = data[hdlr[0] + 8 : hdlr[0] + 12].decode("latin-1")
        duration, flags = defaults.get(track_id, (0, 0))
        tracks[track_id] = TrackInfo(track_id, handler, timescale, duration, flags)
    if not tracks:
        raise ValueError("an init segment without tracks")
    return InitInfo(tracks)


def read_fragment(data: bytes, init: InitInfo) -> Fragment:
    """Start, duration and independence of a fragment (moof + mdat), by its video track
    (by whatever track it carries when it has no video, like a stream's last audio)."""
    trafs = _walk(data, 0, len(data), (b"moof", b"traf"))
    present = {_traf_track(data, body, end) for _, body, end in trafs}
    video = init.video
    reference = video if video is not None and video.track_id in present else None
    if reference is None:
        reference = next((init.tracks[t] for t in sorted(present) if t in init.tracks), None)
    if reference is None:
        raise ValueError("a fragment without any known track")
    for _, body, end in trafs:
        tfhd = _child(data, body, end, b"tfhd")
        if tfhd is None:
            raise ValueError("traf without tfhd")
        flags = int.from_bytes(data[tfhd[0] + 1 : tfhd[0] + 4], "big")
        track_id = struct.unpack_from(">I", data, tfhd[0] + 4)[0]
        if track_id != reference.track_id:
            continue
        pos = tfhd[0] + 8 + (8 if flags & 0x01 else 0) + (4 if flags & 0x02 else 0)
        default_duration, default_flags = reference.default_duration, reference.default_flags
        if flags & 0x08:
            default_duration = struct.unpack_from(">I", data, pos)[0]
            pos += 4
        if flags & 0x10:
            pos += 4
        if flags & 0x20:
            default_flags = struct.unpack_from(">I", data, pos)[0]
        tfdt = _child(data, body, end, b"tfdt")
        if tfdt is None:
            raise ValueError("traf without tfdt")
        if data[tfdt[0]] == 1:
            base = struct.unpack_from(">Q", data, tfdt[0] + 4)[0]
        else:
            base = struct.unpack_from(">I", data, tfdt[0] + 4)[0]
        ticks, first_flags = _trun_totals(data, body, end, default_duration, default_flags)
        scale = reference.timescale
        return Fragment(data, base / scale, ticks / scale, not first_flags & _NON_SYNC)
    raise ValueError("a fragment without the reference track")


def _traf_track(data: bytes, start: int, end: int) -> int:
    tfhd = _child(data, start, end, b"tfhd")
    if tfhd is None:
        raise ValueError("traf without tfhd")
    track_id: int = struct.unpack_from(">I", data, tfhd[0] + 4)[0]
    return track_id


def _trun_totals(
    data: bytes, start: int, end: int, default_duration: int, default_flags: int
) -> tuple[int, int]:
    """Summed sample durations of a traf's truns, and the flags of its first sample."""
    total = 0
    first_flags: int | None = None
    for kind, body, _box_end in _boxes(data, start, end):
        if kind != b"trun":
            continue
        flags = int.from_bytes(data[body + 1 : body + 4], "big")
        count = struct.unpack_from(">I", data, body + 4)[0]
        pos = body + 8 + (4 if flags & 0x01 else 0)
        run_first: int | None = None
        if flags & 0x04:
            run_first = struct.unpack_from(">I", data, pos)[0]
            pos += 4
        fields = [bit for bit in (0x100, 0x200, 0x400, 0x800) if flags & bit]
        for index in range(count):
            sample_flags = default_flags
            for bit in fields:
                value = struct.unpack_from(">I", data, pos)[0]
                pos += 4
                if bit == 0x100:
                    total += value
                elif bit == 0x400:
                    sample_flags = value
            if not flags & 0x100:
                total += default_duration
            if index == 0 and first_flags is None:
                first_flags = run_first if run_first is not None else sample_flags
    return total, default_flags if first_flags is None else first_flags


class BoxSplitter:
    """Cuts a muxer's output stream into its init segment and its fragments.

    Feed it bytes as the muxer writes them; `feed` returns the units completed so far:
    ("init", bytes) once, then ("fragment", bytes) per moof + mdat (with any styp/prft that
    precede the moof). A muxer's write may end in the middle of a box: the rest waits.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._pending = bytearray()  # boxes of the unit being assembled
        self._init_done = False

    def feed(self, chunk: bytes) -> list[tuple[str, bytes]]:
        self._buffer += chunk
        units: list[tuple[str, bytes]] = []
        while len(self._buffer) >= 8:
            size, kind = struct.unpack_from(">I4s", self._buffer, 0)
            if size == 1:
                if len(self._buffer) < 16:
                    break
                size = struct.unpack_from(">Q", self._buffer, 8)[0]
            if size < 8:
                raise ValueError(f"bad box {kind!r} of size {size} in the muxer's output")
            if len(self._buffer) < size:
                break
            box = bytes(self._buffer[:size])
            del self._buffer[:size]
            self._pending += box
            if kind == b"moov":
                units.append(("init", bytes(self._pending)))
                self._pending.clear()
                self._init_done = True
            elif kind == b"mdat" and self._init_done:
                units.append(("fragment", bytes(self._pending)))
                self._pending.clear()
        return units
