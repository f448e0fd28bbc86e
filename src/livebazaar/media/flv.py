"""FLV tags and where they go: the `FlvSink` port and a file adapter (one file per publish)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

FLV_AUDIO, FLV_VIDEO, FLV_SCRIPT = 8, 9, 18
TAG_HEADER_SIZE = 11
_HAS_AUDIO, _HAS_VIDEO = 0x04, 0x01
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# The file header (audio and video flags set) and PreviousTagSize0.
FLV_HEADER = (
    b"FLV\x01" + bytes([_HAS_AUDIO | _HAS_VIDEO]) + b"\x00\x00\x00\x09" + b"\x00\x00\x00\x00"
)


class SinkUnavailable(Exception):
    """An `OpenSink` cannot take this publisher (the show already has one, say)."""


class FlvSink(Protocol):
    """Receives one publish session's FLV tags (header + body, without previous-tag-size)."""

    async def write(self, tag: bytes) -> None: ...

    async def close(self) -> None: ...


OpenSink = Callable[[str], Awaitable[FlvSink]]


def flv_tag(type_id: int, timestamp: int, payload: bytes) -> bytes:
    """An FLV tag: type, data size, timestamp (24 bits + 8 extended bits), stream id 0, data."""
    stamp = timestamp & 0xFFFFFFFF
    return (
        bytes([type_id])
        + len(payload).to_bytes(3, "big")
        + (stamp & 0xFFFFFF).to_bytes(3, "big")
        + bytes([stamp >> 24])
        + b"\x00\x00\x00"
        + payload
    )


class FlvFileSink:
    """Writes a valid FLV file: header, then each tag followed by its previous-tag-size.

    Writes go to a buffered file from the event loop: each is a memory copy, with an
    occasional short disk write when the buffer fills.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = path.open("xb", buffering=256 * 1024)
        self._file.write(b"FLV\x01" + bytes([_HAS_AUDIO | _HAS_VIDEO]) + b"\x00\x00\x00\x09")
        self._file.write(b"\x00\x00\x00\x00")  # PreviousTagSize0
        self._flags = 0

    @classmethod
    def create(cls, directory: Path, show_id: str, started_at: datetime) -> FlvFileSink:
        """A new file named by show and start time: `<show>-20250101T120000123456Z.flv`."""
        if not _SAFE_NAME.match(show_id):
            raise ValueError(f"unsafe show id for a file name: {show_id!r}")
        directory.mkdir(parents=True, exist_ok=True)
        stamp = started_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        return cls(directory / f"{show_id}-{stamp}.flv")

    async def write(self, tag: bytes) -> None:
        if len(tag) < TAG_HEADER_SIZE:
            raise ValueError("an FLV tag has an 11-byte header")
        if self._file.closed:
            raise ValueError("the sink is closed")
        self._flags |= {FLV_AUDIO: _HAS_AUDIO, FLV_VIDEO: _HAS_VIDEO}.get(tag[0], 0)
        self._file.write(tag)
        self._file.write(len(tag).to_bytes(4, "big"))

    async def close(self) -> None:
        """Finish the file; the header's flags name the kinds of media actually received."""
        if self._file.closed:
            return
        try:
            self._file.seek(4)
            self._file.write(bytes([self._flags or (_HAS_AUDIO | _HAS_VIDEO)]))
        finally:
            self._file.close()


def flv_file_sinks(directory: Path, now: Callable[[], datetime]) -> OpenSink:
    """An `OpenSink` making one `FlvFileSink` per publish session under `directory`."""

    async def open_sink(show_id: str) -> FlvSink:
        return FlvFileSink.create(directory, show_id, now())

    return open_sink
