"""Writing a show's frames straight to each socket's transport (ADR 0012).

A server's WebSocket frames are not masked, so an uncompressed text frame is the same bytes for
every connection: the hub encodes a tick's frame once (`text_frame`) and writes those bytes to
each socket's transport, instead of handing a str to the ASGI server once per connection, which
frames it again each time (and, with permessage-deflate, compresses it per connection).

uvicorn does not let an ASGI app reach the transport, so `livebazaar serve` runs uvicorn with
`DirectFrameProtocol`: its websockets (sans-I/O) protocol plus one ASGI scope extension,
`livebazaar.frame_writer`, through which `frame_writer(scope)` finds it. Under any other
server (or uvicorn's stock protocols) it is None and the hub sends through ASGI instead.

Frames stay atomic when they interleave with the library's own (the handshake, pings and
pongs, error frames answering a client, the close): each write here, like each of the
library's, puts whole frames into the transport in one synchronous call on the loop's thread,
and nothing is written once either side has started closing. A frame written here is never
compressed (RSV1 clear), which RFC 7692 allows even when permessage-deflate was negotiated.
"""

from __future__ import annotations

import struct
from typing import Any, Protocol

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request
from websockets.protocol import State

FRAME_WRITER = "livebazaar.frame_writer"
_FIN_TEXT = 0x81  # FIN + opcode 1 (text), no RSV bits, not masked


class FrameWriter(Protocol):
    def write_frame(self, frame: bytes) -> bool:
        """Put whole encoded frames on the wire; False (nothing written) once closing."""
        ...

    def buffered_bytes(self) -> int:
        """Bytes written to this socket and not yet handed to the kernel."""
        ...

    def abort_connection(self) -> None:
        """Drop the connection now, with whatever is still buffered for it."""
        ...


def frame_writer(scope: dict[str, Any] | Any) -> FrameWriter | None:
    """The socket's FrameWriter when the server offers one, else None."""
    extension = (scope.get("extensions") or {}).get(FRAME_WRITER)
    if not isinstance(extension, dict):
        return None
    writer: FrameWriter | None = extension.get("writer")
    return writer


def text_frame(payload: bytes) -> bytes:
    """`payload` (UTF-8 text) as one unmasked, uncompressed, final text frame (RFC 6455 5.2)."""
    size = len(payload)
    if size < 126:
        head = bytes((_FIN_TEXT, size))
    elif size < 1 << 16:
        head = struct.pack("!BBH", _FIN_TEXT, 126, size)
    else:
        head = struct.pack("!BBQ", _FIN_TEXT, 127, size)
    return head + payload


class DirectFrameProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets-sansio protocol that also writes pre-encoded frames for the app."""

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        scope = self.__dict__.get("scope")  # set only when the handshake goes on to the app
        if scope is not None:
            scope["extensions"][FRAME_WRITER] = {"writer": self}

    def write_frame(self, frame: bytes) -> bool:
        if self.conn.state is not State.OPEN or self.transport.is_closing():
            return False
        self.transport.write(frame)
        return True

    def buffered_bytes(self) -> int:
        return self.transport.get_write_buffer_size()

    def abort_connection(self) -> None:
        self.transport.abort()
