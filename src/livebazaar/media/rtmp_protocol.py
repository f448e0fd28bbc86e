"""RTMP wire format, without I/O: handshake, chunk streams, AMF0.

Everything a peer controls is bounded: the chunk size (<= 65536), a message's length and the
bytes held in unfinished messages (<= 16 MiB in all), the number of chunk streams, and the
nesting depth of AMF0 values. Breaking a bound raises `ProtocolError`; the server closes that
connection.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field, replace
from typing import Any

HANDSHAKE_SIZE = 1536
RTMP_VERSION = 3
DEFAULT_CHUNK_SIZE = 128
MAX_CHUNK_SIZE = 65536
MAX_MESSAGE_SIZE = 16 * 1024 * 1024
MAX_CHUNK_STREAMS = 64
MAX_AMF_DEPTH = 16

# Message types (RTMP spec 5.4, 7.1)
SET_CHUNK_SIZE = 1
ABORT = 2
ACKNOWLEDGEMENT = 3
USER_CONTROL = 4
WINDOW_ACK_SIZE = 5
SET_PEER_BANDWIDTH = 6
AUDIO = 8
VIDEO = 9
AMF3_DATA = 15
AMF3_COMMAND = 17
AMF0_DATA = 18
AMF0_COMMAND = 20


class ProtocolError(Exception):
    """The peer sent something malformed or out of bounds."""


# --- Handshake ------------------------------------------------------------------------------


def server_handshake(c0c1: bytes, now_ms: int = 0) -> bytes:
    """S0 + S1 + S2 answering a client's C0 + C1 (the simple handshake: S2 echoes C1).

    S1's version field is zero, so clients do not look for a digest in it.
    """
    if len(c0c1) != 1 + HANDSHAKE_SIZE:
        raise ProtocolError("short handshake")
    if c0c1[0] != RTMP_VERSION:
        raise ProtocolError(f"unsupported RTMP version {c0c1[0]}")
    s1 = struct.pack(">II", now_ms & 0xFFFFFFFF, 0) + os.urandom(HANDSHAKE_SIZE - 8)
    return bytes([RTMP_VERSION]) + s1 + c0c1[1:]


# --- AMF0 -----------------------------------------------------------------------------------


class EcmaArray(dict[str, Any]):
    """A dict encoded as an AMF0 ECMA array (as in onMetaData) rather than an object."""


_NUMBER, _BOOLEAN, _STRING, _OBJECT, _NULL, _UNDEFINED = 0, 1, 2, 3, 5, 6
_ECMA_ARRAY, _OBJECT_END, _STRICT_ARRAY, _DATE, _LONG_STRING = 8, 9, 10, 11, 12


def amf0_encode(*values: Any) -> bytes:
    return b"".join(_encode(value) for value in values)


def _encode(value: Any) -> bytes:
    if value is None:
        return bytes([_NULL])
    if isinstance(value, bool):
        return bytes([_BOOLEAN, int(value)])
    if isinstance(value, int | float):
        return bytes([_NUMBER]) + struct.pack(">d", float(value))
    if isinstance(value, str):
        raw = value.encode()
        if len(raw) > 0xFFFF:
            return bytes([_LONG_STRING]) + struct.pack(">I", len(raw)) + raw
        return bytes([_STRING]) + struct.pack(">H", len(raw)) + raw
    if isinstance(value, EcmaArray):
        return bytes([_ECMA_ARRAY]) + struct.pack(">I", len(value)) + _encode_props(value)
    if isinstance(value, dict):
        return bytes([_OBJECT]) + _encode_props(value)
    if isinstance(value, list | tuple):
        items = b"".join(_encode(item) for item in value)
        return bytes([_STRICT_ARRAY]) + struct.pack(">I", len(value)) + items
    raise TypeError(f"cannot encode {type(value).__name__} as AMF0")


def _encode_props(props: dict[str, Any]) -> bytes:
    out = bytearray()
    for key, item in props.items():
        raw = key.encode()
        out += struct.pack(">H", len(raw)) + raw + _encode(item)
    return bytes(out + b"\x00\x00" + bytes([_OBJECT_END]))


def amf0_decode(data: bytes) -> list[Any]:
    """Every value in `data`, in order."""
    values: list[Any] = []
    pos = 0
    while pos < len(data):
        value, pos = amf0_decode_value(data, pos)
        values.append(value)
    return values


def amf0_decode_value(data: bytes, pos: int, depth: int = 0) -> tuple[Any, int]:
    """One value at `pos` and the position after it."""
    if depth > MAX_AMF_DEPTH:
        raise ProtocolError("AMF0 nesting too deep")
    marker = _take(data, pos, 1)[0]
    pos += 1
    if marker == _NUMBER:
        return struct.unpack(">d", _take(data, pos, 8))[0], pos + 8
    if marker == _BOOLEAN:
        return _take(data, pos, 1)[0] != 0, pos + 1
    if marker in (_STRING, _LONG_STRING):
        return _decode_string(data, pos, long=marker == _LONG_STRING)
    if marker in (_NULL, _UNDEFINED):
        return None, pos
    if marker == _OBJECT:
        return _decode_props(data, pos, depth, {})
    if marker == _ECMA_ARRAY:
        _take(data, pos, 4)  # an advisory count: the end marker is what counts
        return _decode_props(data, pos + 4, depth, EcmaArray())
    if marker == _STRICT_ARRAY:
        return _decode_strict_array(data, pos, depth)
    if marker == _DATE:
        return struct.unpack(">d", _take(data, pos, 8))[0], pos + 10
    raise ProtocolError(f"unsupported AMF0 marker {marker}")


def _take(data: bytes, pos: int, size: int) -> bytes:
    if pos + size > len(data):
        raise ProtocolError("truncated AMF0 value")
    return data[pos : pos + size]


def _decode_string(data: bytes, pos: int, *, long: bool = False) -> tuple[str, int]:
    width = 4 if long else 2
    (size,) = struct.unpack(">I" if long else ">H", _take(data, pos, width))
    raw = _take(data, pos + width, size)
    try:
        return raw.decode(), pos + width + size
    except UnicodeDecodeError as exc:
        raise ProtocolError("AMF0 string is not UTF-8") from exc


def _decode_props(
    data: bytes, pos: int, depth: int, into: dict[str, Any]
) -> tuple[dict[str, Any], int]:
    while True:
        key, pos = _decode_string(data, pos)
        if key == "" and _take(data, pos, 1)[0] == _OBJECT_END:
            return into, pos + 1
        into[key], pos = amf0_decode_value(data, pos, depth + 1)


def _decode_strict_array(data: bytes, pos: int, depth: int) -> tuple[list[Any], int]:
    (count,) = struct.unpack(">I", _take(data, pos, 4))
    pos += 4
    if count > len(data) - pos:  # every value takes at least one byte
        raise ProtocolError("AMF0 strict array longer than its message")
    items: list[Any] = []
    for _ in range(count):
        item, pos = amf0_decode_value(data, pos, depth + 1)
        items.append(item)
    return items, pos


def strip_set_data_frame(payload: bytes) -> bytes:
    """A script data message without a leading "@setDataFrame" string (FLV wants onMetaData)."""
    if payload[:1] == bytes([_STRING]):
        name, end = _decode_string(payload, 1)
        if name == "@setDataFrame":
            return payload[end:]
    return payload


# --- Chunk streams --------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    type_id: int
    stream_id: int
    timestamp: int
    payload: bytes


@dataclass
class _ChunkStream:
    timestamp: int = 0
    delta: int = 0
    length: int = 0
    type_id: int = 0
    stream_id: int = 0
    extended: bool = False
    payload: bytearray = field(default_factory=bytearray)
    started: bool = False  # a header (fmt 0) was seen on this chunk stream


class ChunkReader:
    """Reassembles messages from chunks fed in pieces of any size.

    Applies Set Chunk Size and Abort itself (the chunks after them depend on it) and still
    returns them. Holds at most one unfinished chunk plus the unfinished messages' bytes.
    """

    def __init__(self) -> None:
        self.chunk_size = DEFAULT_CHUNK_SIZE
        self._buffer = bytearray()
        self._streams: dict[int, _ChunkStream] = {}
        self._pending = 0  # bytes held in unfinished messages, all chunk streams

    def feed(self, data: bytes) -> list[Message]:
        self._buffer += data
        messages: list[Message] = []
        while (message := self._next()) is not None:
            if message is not _NO_MESSAGE:
                messages.append(message)
        return messages

    def _next(self) -> Message | None:
        """A finished message, _NO_MESSAGE after a chunk that finished none, None if short."""
        parsed = self._parse_header()
        if parsed is None:
            return None
        csid, header_end, stream = parsed
        take = min(self.chunk_size, stream.length - len(stream.payload))
        if len(self._buffer) < header_end + take:
            return None  # the header is parsed again, from the same state, with more bytes
        self._streams[csid] = stream
        stream.payload += self._buffer[header_end : header_end + take]
        del self._buffer[: header_end + take]
        self._pending += take
        if self._pending > MAX_MESSAGE_SIZE:
            raise ProtocolError("too many bytes in unfinished messages")
        if len(stream.payload) < stream.length:
            return _NO_MESSAGE
        return self._finish(csid, stream)

    def _finish(self, csid: int, stream: _ChunkStream) -> Message:
        message = Message(stream.type_id, stream.stream_id, stream.timestamp, bytes(stream.payload))
        self._pending -= len(stream.payload)
        stream.payload = bytearray()
        if message.type_id == SET_CHUNK_SIZE:
            self.chunk_size = _chunk_size_from(message.payload)
        elif message.type_id == ABORT and len(message.payload) >= 4:
            self._abort(struct.unpack(">I", message.payload[:4])[0])
        return message

    def _abort(self, csid: int) -> None:
        aborted = self._streams.get(csid)
        if aborted is not None:
            self._pending -= len(aborted.payload)
            aborted.payload = bytearray()

    def _parse_header(self) -> tuple[int, int, _ChunkStream] | None:
        """The chunk stream id, where the chunk's data starts and the stream's state after this
        header (a copy: it replaces the stored state only once the whole chunk has arrived)."""
        buf = self._buffer
        if not buf:
            return None
        fmt, csid, pos = buf[0] >> 6, buf[0] & 0x3F, 1
        if csid < 2:
            width = 1 if csid == 0 else 2
            if len(buf) < 1 + width:
                return None
            csid = 64 + buf[1] + (buf[2] << 8 if width == 2 else 0)
            pos += width
        header_size = (11, 7, 3, 0)[fmt]
        if len(buf) < pos + header_size:
            return None
        stream = self._stream(csid, fmt)
        fields = bytes(buf[pos : pos + header_size])
        pos += header_size
        stamp = int.from_bytes(fields[:3], "big") if fmt < 3 else None
        extended = stamp == 0xFFFFFF if stamp is not None else stream.extended
        if extended:
            if len(buf) < pos + 4:
                return None
            stamp = int.from_bytes(buf[pos : pos + 4], "big")
            pos += 4
        stream = replace(stream)
        _apply_header(stream, fmt, fields, stamp, extended)
        return csid, pos, stream

    def _stream(self, csid: int, fmt: int) -> _ChunkStream:
        stream = self._streams.get(csid)
        if stream is None:
            if len(self._streams) >= MAX_CHUNK_STREAMS:
                raise ProtocolError("too many chunk streams")
            stream = self._streams[csid] = _ChunkStream()
        if fmt != 0 and not stream.started:
            raise ProtocolError(f"chunk stream {csid} starts without a full header")
        return stream


_NO_MESSAGE = Message(0, 0, 0, b"")


def _apply_header(
    stream: _ChunkStream, fmt: int, fields: bytes, stamp: int | None, extended: bool
) -> None:
    """Update a chunk stream's state from one chunk header (only when a message starts)."""
    if stream.payload:  # a continuation chunk: only fmt 3 is valid here
        if fmt != 3:
            raise ProtocolError("new message header before the previous message ended")
        return
    stream.extended = extended
    if fmt == 0:
        stream.started = True
        stream.timestamp = stamp or 0
        stream.delta = 0
        stream.stream_id = int.from_bytes(fields[7:11], "little")
    else:
        if fmt < 3:
            stream.delta = stamp or 0
        stream.timestamp = (stream.timestamp + stream.delta) & 0xFFFFFFFF
    if fmt < 2:
        stream.length = int.from_bytes(fields[3:6], "big")
        stream.type_id = fields[6]
        if stream.length > MAX_MESSAGE_SIZE:
            raise ProtocolError(f"message of {stream.length} bytes is too long")


def _chunk_size_from(payload: bytes) -> int:
    if len(payload) < 4:
        raise ProtocolError("short Set Chunk Size")
    size = int.from_bytes(payload[:4], "big") & 0x7FFFFFFF
    if not 1 <= size <= MAX_CHUNK_SIZE:
        raise ProtocolError(f"chunk size {size} out of bounds")
    return size


def encode_message(message: Message, csid: int, chunk_size: int) -> bytes:
    """A message as one fmt 0 chunk followed by fmt 3 chunks (csid 2..63)."""
    payload = message.payload
    stamp = message.timestamp
    extended = stamp >= 0xFFFFFF
    header = bytes([csid]) + (0xFFFFFF if extended else stamp).to_bytes(3, "big")
    header += len(payload).to_bytes(3, "big") + bytes([message.type_id])
    header += message.stream_id.to_bytes(4, "little")
    ext = stamp.to_bytes(4, "big") if extended else b""
    out = bytearray(header + ext)
    for start in range(0, max(len(payload), 1), chunk_size):
        if start:
            out += bytes([0xC0 | csid]) + ext
        out += payload[start : start + chunk_size]
    return bytes(out)
