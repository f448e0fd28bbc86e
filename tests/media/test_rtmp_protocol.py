"""RTMP wire format without sockets: AMF0, chunk reassembly, handshake, FLV tags."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from livebazaar.media import rtmp_protocol
from livebazaar.media.flv import FlvFileSink, flv_tag
from livebazaar.media.rtmp_protocol import (
    AMF0_COMMAND,
    HANDSHAKE_SIZE,
    SET_CHUNK_SIZE,
    VIDEO,
    ChunkReader,
    EcmaArray,
    Message,
    ProtocolError,
    amf0_decode,
    amf0_encode,
    encode_message,
    server_handshake,
    strip_set_data_frame,
)

VALUES: list[Any] = [
    "connect",
    1.0,
    None,
    True,
    False,
    "",
    "é" * 10,
    "x" * 70_000,  # a long string
    {"app": "live", "tcUrl": "rtmp://h/live", "n": {"deep": [1.0, "two", None]}},
    EcmaArray(width=320.0, height=240.0),
    [1.0, {"a": False}],
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_amf0_values_round_trip(value: Any) -> None:
    decoded = amf0_decode(amf0_encode(value))
    assert decoded == [value]
    assert type(decoded[0]) is type(value)


def test_amf0_decodes_a_command_in_order() -> None:
    payload = amf0_encode("publish", 5, None, "key", "live")
    assert amf0_decode(payload) == ["publish", 5.0, None, "key", "live"]


@pytest.mark.parametrize(
    "payload",
    [
        b"\x00\x01",  # truncated number
        b"\x02\x00\x05ab",  # truncated string
        b"\x03\x00\x01a\x00",  # object never closed
        b"\x0a\xff\xff\xff\xff",  # strict array longer than the message
        b"\x02\x00\x02\xff\xfe",  # not UTF-8
        b"\x11",  # unknown marker
        b"\x03\x00\x01a" * 40,  # nested beyond the bound
    ],
)
def test_amf0_refuses_malformed_input(payload: bytes) -> None:
    with pytest.raises(ProtocolError):
        amf0_decode(payload)


def test_set_data_frame_is_stripped_and_other_data_kept() -> None:
    meta = amf0_encode("onMetaData", EcmaArray(width=320.0))
    assert strip_set_data_frame(amf0_encode("@setDataFrame") + meta) == meta
    assert strip_set_data_frame(meta) == meta


def _feed_bytewise(reader: ChunkReader, data: bytes) -> list[Message]:
    return [message for byte in data for message in reader.feed(bytes([byte]))]


def test_a_message_spanning_chunks_arrives_whole_however_it_is_split() -> None:
    message = Message(VIDEO, 1, 1234, bytes(range(256)) * 3)
    wire = encode_message(message, 4, 128)
    assert ChunkReader().feed(wire) == [message]
    assert _feed_bytewise(ChunkReader(), wire) == [message]


def test_chunk_size_changes_apply_to_the_chunks_after_them() -> None:
    big = Message(VIDEO, 1, 40, bytes(5000))
    wire = encode_message(big, 4, 128)
    wire += encode_message(Message(SET_CHUNK_SIZE, 0, 0, struct.pack(">I", 4096)), 2, 128)
    wire += encode_message(big, 4, 4096)
    reader = ChunkReader()
    assert _feed_bytewise(reader, wire) == [big, Message(SET_CHUNK_SIZE, 0, 0, b"\0\0\x10\0"), big]
    assert reader.chunk_size == 4096


def test_interleaved_chunk_streams_and_compressed_headers() -> None:
    audio = bytes([0xAF]) * 200
    video = bytes([0x17]) * 300
    wire = bytearray()
    # fmt 0 starts both streams; their 128-byte chunks interleave
    wire += bytes([0x04]) + (0).to_bytes(3, "big") + (300).to_bytes(3, "big") + b"\x09"
    wire += (1).to_bytes(4, "little") + video[:128]
    wire += bytes([0x05]) + (0).to_bytes(3, "big") + (200).to_bytes(3, "big") + b"\x08"
    wire += (1).to_bytes(4, "little") + audio[:128]
    wire += bytes([0xC4]) + video[128:256] + bytes([0xC5]) + audio[128:] + bytes([0xC4])
    wire += video[256:]
    # fmt 1 (new length, delta 33), fmt 2 (delta 20), fmt 3 (same delta, same length)
    wire += bytes([0x44]) + (33).to_bytes(3, "big") + (4).to_bytes(3, "big") + b"\x09" + b"v1v1"
    wire += bytes([0x84]) + (20).to_bytes(3, "big") + b"v2v2"
    wire += bytes([0xC4]) + b"v3v3"
    assert ChunkReader().feed(bytes(wire)) == [
        Message(8, 1, 0, audio),  # finished first
        Message(VIDEO, 1, 0, video),
        Message(VIDEO, 1, 33, b"v1v1"),
        Message(VIDEO, 1, 53, b"v2v2"),
        Message(VIDEO, 1, 73, b"v3v3"),
    ]


def test_extended_timestamps_and_large_chunk_stream_ids() -> None:
    message = Message(AMF0_COMMAND, 0, 0x01020304, bytes(300))
    wire = encode_message(message, 3, 128)
    # the same message on chunk stream 64 + 2 (two-byte basic header, id 0 form)
    long_form = bytes([0x00, 2]) + wire[1:].replace(b"\xc3", b"\xc0\x02")
    assert ChunkReader().feed(wire) == [message]
    assert _feed_bytewise(ChunkReader(), long_form) == [message]


@pytest.mark.parametrize(
    "wire",
    [
        bytes([0x43, 0, 0, 0, 0, 0, 4, 9]),  # fmt 1 on a chunk stream never started
        encode_message(Message(SET_CHUNK_SIZE, 0, 0, struct.pack(">I", 65537)), 2, 128),
        encode_message(Message(SET_CHUNK_SIZE, 0, 0, b"\x00"), 2, 128),
        b"".join(bytes([0, n, 0, 0, 0, 0, 0, 9, 9, 0, 0, 0, 0]) + b"x" for n in range(70)),
    ],
    ids=["no-first-header", "chunk-size-too-big", "short-set-chunk-size", "too-many-streams"],
)
def test_malformed_chunks_are_refused(wire: bytes) -> None:
    with pytest.raises(ProtocolError):
        ChunkReader().feed(wire)


def test_unfinished_messages_are_bounded_in_total(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rtmp_protocol, "MAX_MESSAGE_SIZE", 500)
    reader = ChunkReader()
    # two 400-byte messages, each allowed alone, two whole chunks of each: 512 bytes held
    wire = b"".join(encode_message(Message(VIDEO, 1, 0, bytes(400)), c, 128)[:269] for c in (4, 5))
    with pytest.raises(ProtocolError):
        reader.feed(wire)


def test_handshake_echoes_c1_and_checks_the_version() -> None:
    c1 = bytes(range(256)) * 6
    answer = server_handshake(b"\x03" + c1)
    assert len(answer) == 1 + 2 * HANDSHAKE_SIZE
    assert answer[0] == 3
    assert answer[5:9] == bytes(4)  # S1 version zero: no digest to look for
    assert answer[1 + HANDSHAKE_SIZE :] == c1
    with pytest.raises(ProtocolError):
        server_handshake(b"\x06" + c1)


async def test_flv_file_is_a_valid_container(tmp_path: Path) -> None:
    started = datetime(2025, 1, 2, 3, 4, 5, 678, tzinfo=UTC)
    sink = FlvFileSink.create(tmp_path, "show-1", started)
    assert sink.path.name == "show-1-20250102T030405000678Z.flv"
    tag = flv_tag(VIDEO, 0x01020304, b"abc")
    await sink.write(tag)
    await sink.close()
    data = sink.path.read_bytes()
    assert data[:9] == b"FLV\x01\x01\x00\x00\x00\x09"  # video only, as received
    assert data[9:13] == bytes(4)
    assert data[13:] == bytes([9, 0, 0, 3, 2, 3, 4, 1, 0, 0, 0]) + b"abc" + (14).to_bytes(4, "big")
    with pytest.raises(ValueError, match="unsafe"):
        FlvFileSink.create(tmp_path, "../etc", started)
