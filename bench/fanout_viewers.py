"""The viewers of bench/fanout.py: one load-generator process holding many show sockets.

A viewer is a raw RFC 6455 client on an asyncio Protocol: it sends the upgrade request, then
splits what the server sends into frames by their headers and counts them, never decoding
UTF-8 nor parsing JSON, so that reading costs about a microsecond a frame and the server,
not this process, is what a run measures. Only a frame whose bytes hold the drop marker is
looked into, by byte search: the drop's id is the 36 bytes after `"drop":{"id":"`, wherever
in the frame it sits (one event per frame, a batch object, or a JSON array of events).

A viewer that the server closes (1013: too slow) or cuts reconnects after a short pause with
`after=<the last seq it saw>` (found by byte search too), as a real client would; a refused
or failed handshake is retried with backoff. Each viewer keeps the first arrival time of each
drop it saw, so a drop replayed after a reconnect counts once, late.

The parent drives a generator over a pipe: "mark" answers the counters now, "stop" closes
every socket and answers the whole result.
"""

from __future__ import annotations

import asyncio
import base64
import os
import random
import resource
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from typing import Any, cast

DROP_MARKER = b'"drop.started"'
DROP_ID = b'"drop":{"id":"'
CHAT_MARKER = b'"chat.message"'
SEQ = b'"seq":'
ID_LEN = 36
HANDSHAKE_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class GeneratorPlan:
    host: str
    port: int
    path: str  # /api/v1/shows/<id>/events (a query may follow)
    viewers: int
    ramp_per_s: float  # this generator's share of the ramp
    resume: bool  # reconnect with after=<last seq> (the server keeps a replay buffer)


@dataclass
class Counts:
    frames: int = 0
    chat: int = 0  # chat.message events (several may share a frame once batched)
    wire_bytes: int = 0
    connected: int = 0
    ever_connected: int = 0
    reconnects: int = 0
    unidentified_drops: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # handshake answers, errors
    closes: Counter[str] = field(default_factory=Counter)  # close codes seen mid-run


class Viewer:
    """One person watching: the drops it saw (first arrival) and the last frame, for resuming."""

    __slots__ = ("got", "last_frame")

    def __init__(self) -> None:
        self.got: dict[bytes, float] = {}
        self.last_frame = b""

    def after(self) -> int | None:
        """The last seq seen, read from the last frame's bytes (its last `"seq":N`)."""
        at = self.last_frame.rfind(SEQ)
        if at < 0:
            return None
        digits = bytearray()
        for byte in self.last_frame[at + len(SEQ) :]:
            if 48 <= byte <= 57:
                digits.append(byte)
            elif digits or byte != 32:
                break
        return int(digits) if digits else None


class ViewerProtocol(asyncio.Protocol):
    def __init__(self, viewer: Viewer, counts: Counts, request: bytes) -> None:
        self.viewer = viewer
        self.counts = counts
        self.request = request
        self.buf = bytearray()
        self.upgraded = False
        self.transport: asyncio.Transport | None = None
        loop = asyncio.get_running_loop()
        self.handshake: asyncio.Future[str] = loop.create_future()  # "101" or why not
        self.closed: asyncio.Future[str] = loop.create_future()  # the close code, or "cut"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.handshake.done():
            self.handshake.set_result("lost during handshake")
        if not self.closed.done():
            self.closed.set_result("cut")

    def data_received(self, data: bytes) -> None:
        self.counts.wire_bytes += len(data)
        if not self.upgraded:
            self.buf += data
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self.buf[9:12]).decode("ascii", "replace")
            if status != "101":
                self.handshake.set_result(status)
                self._close()
                return
            self.upgraded = True
            data = bytes(self.buf[end + 4 :])
            self.buf.clear()
            self.handshake.set_result("101")
        if self.buf:  # the rest of a frame cut short by the last read
            self.buf += data
            pos = self._frames(self.buf)
            del self.buf[:pos]
        else:  # most reads hold whole frames: read them where they are, copy nothing
            pos = self._frames(data)
            if pos < len(data):
                self.buf += data[pos:]

    def _frames(self, buf: bytes | bytearray) -> int:
        """Count the whole frames in buf; how many bytes they took."""
        n = len(buf)
        pos = 0
        last = -1
        counts = self.counts
        while n - pos >= 2:
            b0 = buf[pos]
            length = buf[pos + 1] & 0x7F
            head = 2
            if length == 126:
                if n - pos < 4:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                head = 4
            elif length == 127:
                if n - pos < 10:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                head = 10
            start = pos + head
            end = start + length
            if end > n:
                break
            opcode = b0 & 0x0F
            if opcode <= 2:  # text, binary or a continuation
                if b0 & 0x80:
                    counts.frames += 1
                counts.chat += buf.count(CHAT_MARKER, start, end)
                if buf.find(DROP_MARKER, start, end) >= 0:
                    self._drops(buf, start, end)
                last = start
            elif opcode == 9:
                self._send(0xA, bytes(buf[start:end]))  # pong
            elif opcode == 8:
                code = int.from_bytes(buf[start : start + 2], "big") if length >= 2 else 1005
                if not self.closed.done():
                    self.closed.set_result(str(code))
                self._send(0x8, bytes(buf[start : start + 2]))
                self._close()
            pos = end
        if last >= 0:
            self.viewer.last_frame = bytes(buf[last:pos])
        return pos

    def _drops(self, buf: bytes | bytearray, start: int, end: int) -> None:
        now = time.time()
        got = self.viewer.got
        at = buf.find(DROP_ID, start, end)
        if at < 0:
            self.counts.unidentified_drops += 1
        while at >= 0:
            first = at + len(DROP_ID)
            got.setdefault(bytes(buf[first : first + ID_LEN]), now)
            at = buf.find(DROP_ID, first, end)

    def _send(self, opcode: int, payload: bytes) -> None:
        """A masked control frame (a client must mask; the payload is at most 125 bytes)."""
        if self.transport is None or self.transport.is_closing():
            return
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(bytes((0x80 | opcode, 0x80 | len(payload))) + mask + masked)

    def _close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def goodbye(self) -> None:
        self._send(0x8, (1000).to_bytes(2, "big"))
        self._close()


def upgrade_request(host: str, port: int, path: str) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


class Generator:
    def __init__(self, plan: GeneratorPlan) -> None:
        self.plan = plan
        self.counts = Counts()
        self.viewers = [Viewer() for _ in range(plan.viewers)]
        self.open: set[ViewerProtocol] = set()
        self.tasks: list[asyncio.Task[None]] = []
        self.stopping = False

    async def run_viewer(self, viewer: Viewer) -> None:
        plan, counts = self.plan, self.counts
        loop = asyncio.get_running_loop()
        backoff = 1.0
        connected_once = False
        while not self.stopping:
            path = plan.path
            after = viewer.after() if plan.resume else None
            if after is not None:
                path += ("&" if "?" in path else "?") + f"after={after}"
            request = upgrade_request(plan.host, plan.port, path)
            try:
                _, proto = await loop.create_connection(
                    partial(ViewerProtocol, viewer, counts, request), plan.host, plan.port
                )
                status = await asyncio.wait_for(
                    asyncio.shield(proto.handshake), HANDSHAKE_TIMEOUT_S
                )
            except (OSError, TimeoutError) as exc:
                counts.refused[type(exc).__name__] += 1
                await asyncio.sleep(backoff * random.uniform(0.5, 1.5))
                backoff = min(backoff * 2, 8.0)
                continue
            if status != "101":
                counts.refused[status] += 1
                await asyncio.sleep(backoff * random.uniform(0.5, 1.5))
                backoff = min(backoff * 2, 8.0)
                continue
            backoff = 1.0
            counts.connected += 1
            if connected_once:
                counts.reconnects += 1
            else:
                counts.ever_connected += 1
                connected_once = True
            self.open.add(proto)
            code = await proto.closed
            self.open.discard(proto)
            counts.connected -= 1
            if self.stopping:
                return
            counts.closes[code] += 1
            await asyncio.sleep(random.uniform(0.5, 1.5))

    async def ramp(self) -> None:
        step = 10
        for first in range(0, len(self.viewers), step):
            for viewer in self.viewers[first : first + step]:
                self.tasks.append(asyncio.create_task(self.run_viewer(viewer)))
            await asyncio.sleep(step / self.plan.ramp_per_s)

    def snapshot(self) -> dict[str, Any]:
        c = self.counts
        return {
            "t": time.time(),
            "frames": c.frames,
            "chat": c.chat,
            "wire_bytes": c.wire_bytes,
            "connected": c.connected,
        }

    def result(self) -> dict[str, Any]:
        arrivals: dict[str, list[float]] = {}
        for viewer in self.viewers:
            for drop_id, at in viewer.got.items():
                arrivals.setdefault(drop_id.decode("ascii", "replace"), []).append(at)
        c = self.counts
        return self.snapshot() | {
            "ever_connected": c.ever_connected,
            "reconnects": c.reconnects,
            "unidentified_drops": c.unidentified_drops,
            "refused": dict(c.refused),
            "closes": dict(c.closes),
            "arrivals": arrivals,
        }

    async def stop(self) -> None:
        self.stopping = True
        for proto in tuple(self.open):
            proto.goodbye()
        await asyncio.sleep(0.5)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def _serve(plan: GeneratorPlan, pipe: Connection) -> None:
    gen = Generator(plan)
    loop = asyncio.get_running_loop()
    commands: asyncio.Queue[str] = asyncio.Queue()
    loop.add_reader(pipe.fileno(), lambda: commands.put_nowait(pipe.recv()))
    ramping = asyncio.create_task(gen.ramp())
    while True:
        command = await commands.get()
        if command == "mark":
            _send(pipe, gen.snapshot())
        elif command == "stop":
            ramping.cancel()
            await asyncio.gather(ramping, return_exceptions=True)
            await gen.stop()
            loop.remove_reader(pipe.fileno())
            _send(pipe, gen.result())
            return


def _send(pipe: Connection, answer: dict[str, Any]) -> None:
    """Send on the pipe blocking: the loop's reader made it non-blocking, and a result of
    10,000 viewers' latencies is larger than the pipe's buffer (EAGAIN otherwise)."""
    blocking = os.get_blocking(pipe.fileno())
    os.set_blocking(pipe.fileno(), True)
    try:
        pipe.send(answer)
    finally:
        os.set_blocking(pipe.fileno(), blocking)


def generator_main(plan: GeneratorPlan, pipe: Connection) -> None:
    """A spawned process: as many open files as allowed (the hard limit), uvloop if present."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_serve(plan, pipe))
