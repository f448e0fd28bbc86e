"""A picture's size in pixels read from its header, without decoding it.

A 1 MB PNG can declare 16000x16000 pixels, which its decoder allocates (768 MB of RGB) before
anything can look at the frame: the size must be known first. PNG keeps it in IHDR, JPEG in
each start-of-frame marker (all of them are read: a file may hold several), WebP in its VP8,
VP8L or VP8X chunk (and in every frame of an animated one). The largest size found counts.
"""

from __future__ import annotations

import struct

_PNG = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers: C0-CF but for DHT (C4), JPG (C8) and DAC (CC).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset({0x01, 0xD8, *range(0xD0, 0xD8)})  # TEM, SOI, RSTn: no length


def picture_pixels(data: bytes) -> int | None:
    """The most pixels any frame of this PNG, JPEG or WebP declares; None when its header
    cannot be read (not one of these, or cut short)."""
    try:
        if data.startswith(_PNG):
            return _png(data)
        if data.startswith(b"\xff\xd8"):
            return _jpeg(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp_chunks(data, 12, len(data))
    except struct.error:
        return None
    return None


def _png(data: bytes) -> int | None:
    if data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack_from(">II", data, 16)
    return int(width * height)


def _jpeg(data: bytes) -> int | None:
    most: int | None = None
    i = 2
    while (i := data.find(b"\xff", i)) != -1 and i + 1 < len(data):
        marker = data[i + 1]
        if marker in (0x00, 0xFF) or marker in _STANDALONE:  # stuffing, fill, no segment
            i += 1 if marker == 0xFF else 2
            continue
        if marker == 0xD9:  # EOI; a jpeg_pipe may hold another picture after it
            i += 2
            continue
        (length,) = struct.unpack_from(">H", data, i + 2)
        if marker in _SOF:
            height, width = struct.unpack_from(">HH", data, i + 5)
            most = max(most or 0, width * height)
        i += 2 + length  # then, after SOS, through the entropy-coded data to the next marker
    return most


def _webp_chunks(data: bytes, start: int, end: int) -> int | None:
    most: int | None = None
    i = start
    while i + 8 <= end:
        kind = data[i : i + 4]
        (size,) = struct.unpack_from("<I", data, i + 4)
        body = i + 8
        found: int | None = None
        if kind == b"VP8 ":
            if data[body + 3 : body + 6] != b"\x9d\x01\x2a":
                return None
            width, height = struct.unpack_from("<HH", data, body + 6)
            found = (width & 0x3FFF) * (height & 0x3FFF)
        elif kind == b"VP8L":
            if data[body] != 0x2F:
                return None
            (bits,) = struct.unpack_from("<I", data, body + 1)
            found = (1 + (bits & 0x3FFF)) * (1 + ((bits >> 14) & 0x3FFF))
        elif kind == b"VP8X":
            found = _u24(data, body + 4) * _u24(data, body + 7)
        elif kind == b"ANMF":
            frame = _u24(data, body + 6) * _u24(data, body + 9)
            found = max(frame, _webp_chunks(data, body + 16, min(end, body + size)) or 0)
        if found is not None:
            most = max(most or 0, found)
        i = body + size + (size & 1)  # chunks are padded to an even length
    return most


def _u24(data: bytes, at: int) -> int:
    """A VP8X or ANMF dimension: 24 bits, little-endian, minus one."""
    if at + 3 > len(data):
        raise struct.error("cut short")
    return 1 + int.from_bytes(data[at : at + 3], "little")
