"""RTMP ingest: an asyncio server for `rtmp://HOST/live/<stream key>` (OBS, phone apps).

A publisher goes through the handshake, `connect` (the app must be "live"), `releaseStream` /
`FCPublish` / `createStream`, then `publish` with its stream key as the stream name. The key is
checked by the injected `authorize(key) -> show_id | None` before any media is accepted
(media sent earlier is dropped). Then:

- a bad key gets `onStatus` NetStream.Publish.BadName and the connection is closed; no sink is
  opened, nothing is recorded. An `authorize` that fails gets NetStream.Publish.Denied.
- **one active publisher per show**: while a publisher of a show is connected, a second one
  (same key, or a key of the same show) gets NetStream.Publish.BadName "already publishing" and
  is closed; the first keeps streaming. Once the first ends, the show can be published again.
- an accepted publisher gets NetStream.Publish.Start, and every audio, video and script data
  message (without its `@setDataFrame`) goes to a new `FlvSink` as an FLV tag, until
  FCUnpublish / deleteStream or the connection ends; then the sink is closed.

Malformed input, a peer silent for `idle_timeout_s`, or a broken bound (see rtmp_protocol)
closes that connection only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
import time
from collections.abc import Awaitable, Callable
from typing import Any

from livebazaar.kernel.db import Database
from livebazaar.media.errors import InvalidStreamKey
from livebazaar.media.flv import FlvSink, OpenSink, SinkUnavailable, flv_tag
from livebazaar.media.queries import check_stream_key
from livebazaar.media.rtmp_protocol import (
    ACKNOWLEDGEMENT,
    AMF0_COMMAND,
    AMF0_DATA,
    AMF3_COMMAND,
    AUDIO,
    HANDSHAKE_SIZE,
    SET_CHUNK_SIZE,
    SET_PEER_BANDWIDTH,
    VIDEO,
    WINDOW_ACK_SIZE,
    ChunkReader,
    Message,
    ProtocolError,
    amf0_decode,
    amf0_encode,
    encode_message,
    server_handshake,
    strip_set_data_frame,
)

log = logging.getLogger(__name__)

Authorize = Callable[[str], Awaitable[str | None]]

APP = "live"
OUT_CHUNK_SIZE = 4096
WINDOW_SIZE = 2_500_000
MAX_COMMAND_SIZE = 64 * 1024
MAX_KEY_LENGTH = 256
STREAM_ID = 1
_CONTROL_CSID, _COMMAND_CSID = 2, 3


def authorize_by_stream_key(db: Database) -> Authorize:
    """An `Authorize` that looks the key up with `check_stream_key` (the key names the show)."""

    async def authorize(key: str) -> str | None:
        async with db.read() as session:
            try:
                return await check_stream_key(session, None, key)
            except InvalidStreamKey:
                return None

    return authorize


class RtmpServer:
    """Accepts publishers; see the module docstring for who gets in."""

    def __init__(
        self,
        *,
        authorize: Authorize,
        open_sink: OpenSink,
        host: str = "127.0.0.1",
        port: int = 1935,
        idle_timeout_s: float = 30.0,
    ) -> None:
        self.authorize = authorize
        self.open_sink = open_sink
        self.host, self.port = host, port
        self.idle_timeout_s = idle_timeout_s
        self.publishing: set[str] = set()  # shows with a connected publisher
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]  # the real one when port was 0

    async def close(self) -> None:
        """Stop listening and end every connection (their sinks are closed)."""
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await _Connection(self, reader, writer).run()
        except asyncio.CancelledError:
            pass  # close() ends every connection; asyncio's stream callback must not log it
        finally:
            self._connections.discard(task)


class _Refused(Exception):
    """The connection is closed after telling the peer why."""


class _Connection:
    def __init__(
        self, server: RtmpServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.server, self.reader, self.writer = server, reader, writer
        self.chunks = ChunkReader()
        self.app: str | None = None
        self.show_id: str | None = None
        self.sink: FlvSink | None = None
        self.received = 0
        self.acked = 0
        self.ack_window = 0
        self.out_chunk_size = 128
        self.peer = writer.get_extra_info("peername")

    async def run(self) -> None:
        try:
            await self._handshake()
            await self._serve()
        except (ProtocolError, _Refused, TimeoutError) as exc:
            log.info("rtmp %s: closed: %s %s", self.peer, type(exc).__name__, exc)
        except (asyncio.IncompleteReadError, ConnectionError):
            log.info("rtmp %s: connection lost", self.peer)
        except Exception:
            log.exception("rtmp %s: unexpected error", self.peer)
        finally:
            await self._end_publish()
            self.writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.writer.wait_closed(), 1.0)

    async def _read_exactly(self, size: int) -> bytes:
        return await asyncio.wait_for(self.reader.readexactly(size), self.server.idle_timeout_s)

    async def _handshake(self) -> None:
        c0c1 = await self._read_exactly(1 + HANDSHAKE_SIZE)
        self.writer.write(server_handshake(c0c1, int(time.monotonic() * 1000)))
        await self._drain()
        await self._read_exactly(HANDSHAKE_SIZE)  # C2: an echo of S1, nothing to learn

    async def _serve(self) -> None:
        while True:
            data = await asyncio.wait_for(self.reader.read(65536), self.server.idle_timeout_s)
            if not data:
                return
            await self._count_received(len(data))
            for message in self.chunks.feed(data):
                await self._dispatch(message)

    async def _count_received(self, size: int) -> None:
        self.received += size
        if self.ack_window and self.received - self.acked >= self.ack_window:
            self.acked = self.received
            await self._send_control(ACKNOWLEDGEMENT, struct.pack(">I", self.received & 0xFFFFFFFF))

    async def _dispatch(self, message: Message) -> None:
        if message.type_id in (AUDIO, VIDEO, AMF0_DATA):
            await self._media(message)
        elif message.type_id == AMF0_COMMAND:
            await self._command(message, message.payload)
        elif message.type_id == AMF3_COMMAND:
            await self._command(message, message.payload[1:])  # AMF0 after a format byte
        elif message.type_id == WINDOW_ACK_SIZE and len(message.payload) >= 4:
            self.ack_window = struct.unpack(">I", message.payload[:4])[0]

    async def _media(self, message: Message) -> None:
        if self.sink is None or not message.payload:
            return  # nothing is accepted before the key is checked
        payload = message.payload
        if message.type_id == AMF0_DATA:
            payload = strip_set_data_frame(payload)
        await self.sink.write(flv_tag(message.type_id, message.timestamp, payload))

    async def _command(self, message: Message, payload: bytes) -> None:
        if len(payload) > MAX_COMMAND_SIZE:
            raise ProtocolError("command too long")
        values = amf0_decode(payload)
        if len(values) < 2 or not isinstance(values[0], str):
            raise ProtocolError("malformed command")
        name, txn, args = values[0], values[1], values[2:]
        if name == "connect":
            await self._connect(txn, args)
        elif name in ("releaseStream", "FCPublish"):
            await self._send_command("_result", txn, None)
        elif name == "createStream":
            await self._send_command("_result", txn, None, STREAM_ID)
        elif name == "publish":
            await self._publish(message.stream_id, args)
        elif name in ("FCUnpublish", "deleteStream", "closeStream"):
            await self._end_publish()

    async def _connect(self, txn: Any, args: list[Any]) -> None:
        info = args[0] if args and isinstance(args[0], dict) else {}
        app = str(info.get("app", "")).strip("/")
        if app != APP:
            await self._send_command("_error", txn, None, _status("error", "Connect.Rejected"))
            raise _Refused(f"unknown app {app!r}")
        self.app = app
        await self._send_control(WINDOW_ACK_SIZE, struct.pack(">I", WINDOW_SIZE))
        await self._send_control(SET_PEER_BANDWIDTH, struct.pack(">IB", WINDOW_SIZE, 2))
        await self._send_control(SET_CHUNK_SIZE, struct.pack(">I", OUT_CHUNK_SIZE))
        self.out_chunk_size = OUT_CHUNK_SIZE
        properties = {"fmsVer": "FMS/3,0,1,123", "capabilities": 31.0}
        success = _status("status", "Connect.Success", "Connection succeeded.")
        await self._send_command("_result", txn, properties, {**success, "objectEncoding": 0.0})

    async def _publish(self, stream_id: int, args: list[Any]) -> None:
        if self.app is None or self.show_id is not None:
            raise ProtocolError("publish before connect, or twice")
        name = args[1] if len(args) > 1 and isinstance(args[1], str) else ""
        key = name.split("?", 1)[0]
        show_id = await self._authorize(key) if 0 < len(key) <= MAX_KEY_LENGTH else None
        if show_id is None:
            await self._refuse(stream_id, "Publish.BadName", "invalid stream key")
        if show_id in self.server.publishing:
            await self._refuse(stream_id, "Publish.BadName", "already publishing")
        assert show_id is not None
        self.server.publishing.add(show_id)  # no await since the check: no race
        self.show_id = show_id
        try:
            self.sink = await self.server.open_sink(show_id)
        except SinkUnavailable as exc:  # another protocol (WHIP) holds the show
            await self._refuse(stream_id, "Publish.BadName", str(exc) or "already publishing")
        started = _status("status", "Publish.Start", "Publishing.")
        await self._send_command("onStatus", 0, None, started, stream_id=stream_id)
        log.info("rtmp %s: publishing show %s", self.peer, show_id)

    async def _authorize(self, key: str) -> str | None:
        try:
            return await asyncio.wait_for(self.server.authorize(key), self.server.idle_timeout_s)
        except Exception as exc:
            log.exception("rtmp %s: authorize failed", self.peer)
            raise _Refused("authorize failed") from exc

    async def _refuse(self, stream_id: int, code: str, description: str) -> None:
        error = _status("error", code, description)
        await self._send_command("onStatus", 0, None, error, stream_id=stream_id)
        raise _Refused(description)

    async def _end_publish(self) -> None:
        sink, show_id = self.sink, self.show_id
        self.sink = None
        self.show_id = None
        try:
            if sink is not None:
                await sink.close()
        except Exception:
            log.exception("rtmp %s: closing the sink failed", self.peer)
        finally:
            if show_id is not None:
                self.server.publishing.discard(show_id)
                log.info("rtmp %s: show %s ended", self.peer, show_id)

    async def _send_control(self, type_id: int, payload: bytes) -> None:
        await self._send(Message(type_id, 0, 0, payload), _CONTROL_CSID)

    async def _send_command(self, *values: Any, stream_id: int = 0) -> None:
        await self._send(Message(AMF0_COMMAND, stream_id, 0, amf0_encode(*values)), _COMMAND_CSID)

    async def _send(self, message: Message, csid: int) -> None:
        self.writer.write(encode_message(message, csid, self.out_chunk_size))
        await self._drain()

    async def _drain(self) -> None:
        await asyncio.wait_for(self.writer.drain(), self.server.idle_timeout_s)


def _status(level: str, code: str, description: str = "") -> dict[str, Any]:
    prefix = "NetConnection." if code.startswith("Connect.") else "NetStream."
    return {"level": level, "code": prefix + code, "description": description}
