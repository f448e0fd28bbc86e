"""CPU per delivered frame on the show channel: what one server process spends to put one
WebSocket frame on one viewer's socket, and what a viewer's connection costs in memory.

    .venv/bin/python bench/frame_writes.py [--viewers 1000] [--rate 20] [--seconds 10]
        [--ws stock,direct] [--deflate]

For each server kind it starts `livebazaar serve`'s app (SQLite, in-process broker, one
process) in its own process and seeds a live show through the public API. Then, with the
server's CPU time read from /proc:

1. baseline: the host posts chat at `--rate` messages/s for `--seconds` with no viewer
   connected (HTTP, database, broker: the fixed cost of every message);
2. the viewers connect (raw sockets in this process, no permessage-deflate unless `--deflate`:
   a browser offers it) and the server's resident memory is read before and after;
3. the same chat again, then a pin, until every viewer is up to the pin's seq.

CPU per frame = (CPU of phase 3 - CPU of phase 1) / frames the viewers received; per event
delivered likewise (a frame may carry several events once they are coalesced). The viewers
split frames by their headers and count events by the bytes `{"seq":` without parsing JSON.
The pin's latency runs from its POST to the first frame holding it at each viewer. Chat is
not sampled (every viewer gets every message, as on both paths before) unless `--sample`.

Server kinds: `stock` is uvicorn's own websockets protocol, every frame written by the ASGI
path (`WebSocket.send_text` -> uvicorn -> websockets); `direct` is what `livebazaar serve`
runs (cli/server.py's uvicorn options: frames encoded once per tick and written straight to
each transport, ADR 0012). Both serve the same app, so `stock` is the peer in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import httpx

PASSWORD = "bench-password-1"
EVENT = b'{"seq":'
PIN = b'"type":"product.pinned"'
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mib(pid: int) -> float:
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * PAGE / 2**20


def serve(port: int, ws: str) -> None:
    """The server process: the app `livebazaar serve` builds, with the chosen ws protocol."""
    import uvicorn

    from livebazaar.bootstrap import build_container, ensure_sqlite_dir
    from livebazaar.migrations import upgrade_to_head
    from livebazaar.settings import Settings
    from livebazaar.web.app import create_app

    settings = Settings()
    ensure_sqlite_dir(settings.database_url)
    upgrade_to_head(settings.database_url)
    options: dict[str, object] = {}
    if ws == "direct":
        from livebazaar.cli.server import uvicorn_ws_options

        options = uvicorn_ws_options()
    app = create_app(build_container(settings))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", **options)  # type: ignore[arg-type]


def start_server(workdir: Path, port: int, ws: str, sample: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LIVEBAZAAR_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench-{ws}.db",
        "LIVEBAZAAR_SQLITE_SYNCHRONOUS": "NORMAL",
        "LIVEBAZAAR_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LIVEBAZAAR_RTMP_ENABLED": "false",
        "LIVEBAZAAR_ARGON2_TIME_COST": "1",
        "LIVEBAZAAR_ARGON2_MEMORY_KIB": "1024",
        # Every bench account registers and signs in from this machine: no per-address limit.
        "LIVEBAZAAR_REGISTER_RATE_PER_HOUR": "1000000",
        "LIVEBAZAAR_SIGN_IN_RATE_PER_10MIN": "1000000",
        "LIVEBAZAAR_CHAT_RATE_PER_10S": "1000000",
    }
    if not sample:  # every viewer gets every message: the same frames on both paths
        env["LIVEBAZAAR_CHAT_SAMPLE_ABOVE_PER_S"] = "1000000"
    cmd = [sys.executable, __file__, "--serve", str(port), "--ws", ws]
    return subprocess.Popen(cmd, env=env, cwd=workdir)


async def seed(base: str, proc: subprocess.Popen[bytes]) -> tuple[str, dict[str, str]]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for _ in range(600):
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode}")
            try:
                if (await client.get("/api/v1/health")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        email = "host@bench.example.org"
        body = {"email": email, "password": PASSWORD, "display_name": "Host"}
        (await client.post("/api/v1/auth/register", json=body)).raise_for_status()
        r = await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
        host = {"Authorization": f"Bearer {r.json()['access_token']}"}
        shop = await client.post(
            "/api/v1/shops", json={"name": "Pearls", "country": "CN", "currency": "CNY"},
            headers=host,
        )  # fmt: skip
        product = await client.post(
            f"/api/v1/shops/{shop.json()['id']}/products",
            json={"title": "Pearl", "price": {"amount_minor": 6900, "currency": "CNY"}},
            headers=host,
        )
        show = await client.post(
            "/api/v1/shows",
            json={"shop_id": shop.json()["id"], "title": "Bench show",
                  "scheduled_at": datetime.now(UTC).isoformat(),
                  "lineup": [product.json()["id"]]},
            headers=host,
        )  # fmt: skip
        show_id: str = show.json()["id"]
        (await client.post(f"/api/v1/shows/{show_id}/start", headers=host)).raise_for_status()
        return show_id, host


@dataclass
class Counts:
    frames: int = 0
    events: int = 0
    seq: int = 0  # the seq the viewer is up to (a batch's last_seq, or a lone event's seq)
    pinned_at: float = 0.0  # perf_counter when the first frame with a pin arrived


class Viewer(asyncio.Protocol):
    """A raw WebSocket client that counts frames and events and answers pings."""

    def __init__(self, request: bytes, deflate: bool, opened: asyncio.Future[None]) -> None:
        self.request = request
        self.opened = opened
        self.buf = bytearray()
        self.upgraded = False
        self.counts = Counts()
        self.inflate = zlib.decompressobj(-15) if deflate else None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during the handshake"))

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.upgraded:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self.buf.startswith(b"HTTP/1.1 101"):
                self.opened.set_exception(ConnectionError(bytes(self.buf[:80]).decode()))
                return
            self.upgraded = True
            del self.buf[: end + 4]
            self.opened.set_result(None)
        self._frames()

    def _frames(self) -> None:
        buf = self.buf
        start = 0
        while len(buf) - start >= 2:
            size = buf[start + 1] & 0x7F
            head = 2
            if size == 126:
                if len(buf) - start < 4:
                    break
                size, head = int.from_bytes(buf[start + 2 : start + 4]), 4
            elif size == 127:
                if len(buf) - start < 10:
                    break
                size, head = int.from_bytes(buf[start + 2 : start + 10]), 10
            if len(buf) - start < head + size:
                break
            first = buf[start]
            payload = bytes(buf[start + head : start + head + size])
            start += head + size
            opcode = first & 0x0F
            if opcode == 1:
                if first & 0x40 and self.inflate is not None:
                    payload = self.inflate.decompress(payload + b"\x00\x00\xff\xff")
                self.counts.frames += 1
                self.counts.events += payload.count(EVENT)
                self.counts.seq = max(self.counts.seq, _up_to(payload))
                if not self.counts.pinned_at and PIN in payload:
                    self.counts.pinned_at = time.perf_counter()
            elif opcode == 9 and self.transport is not None:
                self.transport.write(_masked(0x8A, payload))
        del buf[:start]


def _up_to(payload: bytes) -> int:
    """The seq a frame brings its reader up to: a lone event's seq, or a batch's last_seq."""
    if payload.startswith(EVENT):
        at = len(EVENT)
    else:
        found = payload.find(b'"last_seq":', 0, 80)
        if found < 0:
            return 0
        at = found + len(b'"last_seq":')
    end = at
    while payload[end : end + 1].isdigit():
        end += 1
    return int(payload[at:end])


def _masked(first: int, payload: bytes) -> bytes:
    """A client frame (clients must mask; a zero mask leaves the payload as it is)."""
    return bytes([first, 0x80 | len(payload)]) + b"\x00\x00\x00\x00" + payload


async def connect_viewers(port: int, show_id: str, n: int, deflate: bool) -> list[Viewer]:
    loop = asyncio.get_running_loop()
    key = base64.b64encode(os.urandom(16)).decode()
    extension = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    request = (
        f"GET /api/v1/shows/{show_id}/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        f"Sec-WebSocket-Version: 13\r\n{extension if deflate else ''}\r\n"
    ).encode()
    viewers: list[Viewer] = []
    gate = asyncio.Semaphore(200)

    async def one() -> None:
        async with gate:
            opened: asyncio.Future[None] = loop.create_future()
            viewer = Viewer(request, deflate, opened)
            await loop.create_connection(lambda: viewer, "127.0.0.1", port)
            await opened
            viewers.append(viewer)

    await asyncio.gather(*(one() for _ in range(n)))
    return viewers


async def post_chat(
    base: str, show_id: str, host: dict[str, str], rate: int, seconds: int
) -> tuple[int, float]:
    """Chat at `rate` messages/s for `seconds`, on the clock, then pin the first product (every
    viewer gets a pin, whatever chat a sample left out of their frames); the pin's seq, and
    when the pin was asked for."""
    count = rate * seconds
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        t0 = time.perf_counter()
        for i in range(count):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            r = await client.post(
                f"/api/v1/shows/{show_id}/chat", json={"text": f"message {i}: still there?"},
                headers=host,
            )  # fmt: skip
            r.raise_for_status()
        state = (await client.get(f"/api/v1/shows/{show_id}")).json()
        pin = {"product_id": state["lineup"][0]["product_id"]}
        pinned_at = time.perf_counter()
        r = await client.post(f"/api/v1/shows/{show_id}/pin", json=pin, headers=host)
        r.raise_for_status()
        last: int = (await client.get(f"/api/v1/shows/{show_id}")).json()["last_seq"]
    return last, pinned_at


async def until_delivered(viewers: list[Viewer], seq: int, limit_s: float) -> float:
    t0 = time.perf_counter()
    while any(v.counts.seq < seq for v in viewers):
        if time.perf_counter() - t0 > limit_s:
            behind = sum(v.counts.seq < seq for v in viewers)
            raise SystemExit(f"{behind} viewers not up to seq {seq} after {limit_s} s")
        await asyncio.sleep(0.05)
    return time.perf_counter() - t0


async def measure(ws: str, args: argparse.Namespace, workdir: Path) -> None:
    port = free_port()
    proc = start_server(workdir, port, ws, args.sample)
    try:
        base = f"http://127.0.0.1:{port}"
        show_id, host = await seed(base, proc)
        c0 = cpu_s(proc.pid)
        await post_chat(base, show_id, host, args.rate, args.seconds)
        await asyncio.sleep(0.5)
        baseline = cpu_s(proc.pid) - c0
        rss0 = rss_mib(proc.pid)
        viewers = await connect_viewers(port, show_id, args.viewers, args.deflate)
        await asyncio.sleep(1.0)
        rss1 = rss_mib(proc.pid)
        before = sum(v.counts.events for v in viewers)
        frames_before = sum(v.counts.frames for v in viewers)
        c1 = cpu_s(proc.pid)
        t_chat = time.perf_counter()
        last_seq, pinned_at = await post_chat(base, show_id, host, args.rate, args.seconds)
        chat_s = pinned_at - t_chat
        lag = await until_delivered(viewers, last_seq, 120)
        used = cpu_s(proc.pid) - c1
        frames = sum(v.counts.frames for v in viewers) - frames_before
        pin_ms = sorted((v.counts.pinned_at - pinned_at) * 1000 for v in viewers)
        events = sum(v.counts.events for v in viewers) - before
        fanout = used - baseline
        print(
            f"| {ws}{' +deflate' if args.deflate else ''}{' +sample' if args.sample else ''} "
            f"| {args.viewers:,} | {frames:,} "
            f"| {events:,} | {fanout:.2f} | {fanout / frames * 1e6:.1f} "
            f"| {fanout / events * 1e6:.1f} | {(rss1 - rss0) * 1024 / args.viewers:.1f} "
            f"| {chat_s:.1f} | {lag:.2f} | {percentile(pin_ms, 0.5):.0f} "
            f"| {percentile(pin_ms, 0.99):.0f} |",
            flush=True,
        )
        for viewer in viewers:
            if viewer.transport is not None:
                viewer.transport.abort()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def main(args: argparse.Namespace) -> None:
    print(
        f"{args.viewers} viewers, chat {args.rate}/s for {args.seconds} s; server CPU beyond "
        "the no-viewer baseline"
    )
    print(
        "| server | viewers | frames | events | fan-out CPU s | µs/frame | µs/event "
        "| KiB/viewer | chat s | drain s | pin p50 ms | pin p99 ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for ws in args.ws.split(","):
            await measure(ws, args, Path(tmp))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--ws", default="stock,direct")
    parser.add_argument("--deflate", action="store_true")
    parser.add_argument("--sample", action="store_true", help="chat sampled as by default")
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.serve is not None:
        serve(parsed.serve, parsed.ws)
    else:
        try:
            import uvloop

            uvloop.install()
        except ImportError:
            pass
        asyncio.run(main(parsed))
