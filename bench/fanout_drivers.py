"""The show's two active people in bench/fanout.py: the chatters and the host.

- Chat: a few sender sockets (signed in on ours; the peer has no accounts) share the rate,
  each sending `{"type": "chat", "text": ...}` on a fixed schedule and draining what the show
  sends them (they are members of the show too), counting error frames.
- Drops: the host starts a drop every `interval` seconds (POST, products in turn so that one
  slow answer never blocks the next start) and ends it `hold` seconds after the answer. Each
  record keeps the driver's send time and the server's `started_at` from the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from fanout_targets import Target

ERROR_FRAME = b'"type":"error"'


@dataclass
class ChatCounts:
    sent: int = 0
    error_frames: int = 0
    skipped: int = 0  # the sender's socket was down at its turn
    reconnects: int = 0


@dataclass
class ChatDriver:
    target: Target
    rate: float
    counts: ChatCounts = field(default_factory=ChatCounts)

    async def run(self, stop: asyncio.Event) -> None:
        t0 = time.monotonic() + 1.0
        senders = self.target.sender_paths
        await asyncio.gather(
            *(self._sender(path, j, len(senders), t0, stop) for j, path in enumerate(senders))
        )

    async def _sender(self, path: str, j: int, every: int, t0: float, stop: asyncio.Event) -> None:
        url = f"ws://127.0.0.1:{self.target.port}{path}"
        k = j
        while not stop.is_set():
            try:
                async with connect(url, compression=None, max_queue=None, open_timeout=30) as ws:
                    reader = asyncio.create_task(self._drain(ws))
                    try:
                        while not stop.is_set():
                            k = await self._wait_turn(k, every, t0, stop)
                            if stop.is_set():
                                break
                            text = f"How many bags are left? ({k})"
                            await ws.send(json.dumps({"type": "chat", "text": text}))
                            self.counts.sent += 1
                            k += every
                    finally:
                        reader.cancel()
            except (OSError, TimeoutError, WebSocketException):
                pass
            if not stop.is_set():
                self.counts.reconnects += 1
                await asyncio.sleep(1.0)
                # turns that passed while the socket was down are not made up for
                missed = int((time.monotonic() - t0) * self.rate) - k
                if missed > 0:
                    turns = (missed + every - 1) // every
                    self.counts.skipped += turns
                    k += turns * every

    async def _wait_turn(self, k: int, every: int, t0: float, stop: asyncio.Event) -> int:
        delay = t0 + k / self.rate - time.monotonic()
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
        return k

    async def _drain(self, ws: ClientConnection) -> None:
        try:
            while True:
                frame = await ws.recv(decode=False)
                if isinstance(frame, bytes) and ERROR_FRAME in frame:
                    self.counts.error_frames += 1
        except WebSocketException:
            return


@dataclass
class DropRecord:
    index: int
    sent: float  # the driver's clock (time.time()) just before the POST
    answered: float = 0.0
    status: int = 0
    drop_id: str | None = None
    started_at: float | None = None  # the server's clock when it made the drop
    end_status: int = 0


async def run_drops(
    target: Target, first_at: float, interval: float, until: float, hold: float
) -> list[DropRecord]:
    """Start a drop at first_at, first_at + interval, ... before `until` (time.time())."""
    records: list[DropRecord] = []
    async with httpx.AsyncClient(base_url=target.base, timeout=60, headers=target.headers) as c:

        async def one(record: DropRecord) -> None:
            body = target.drop_bodies[record.index % len(target.drop_bodies)]
            try:
                r = await c.post(target.drop_path, json=body)
            except httpx.TransportError:
                record.answered = time.time()
                return
            record.answered = time.time()
            record.status = r.status_code
            if r.status_code != 201:
                return
            answer = r.json()
            record.drop_id = answer["id"]
            record.started_at = datetime.fromisoformat(answer["started_at"]).timestamp()
            await asyncio.sleep(hold)
            try:
                ended = await c.post(target.end_path.format(drop_id=record.drop_id))
                record.end_status = ended.status_code
            except httpx.TransportError:
                record.end_status = -1

        tasks = []
        k = 0
        while first_at + k * interval < until:
            delay = first_at + k * interval - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            record = DropRecord(index=k, sent=time.time())
            records.append(record)
            tasks.append(asyncio.create_task(one(record)))
            k += 1
        await asyncio.gather(*tasks)
    return records
