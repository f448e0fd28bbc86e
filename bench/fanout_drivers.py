"""The show's two active people in bench/fanout.py: the chatters and the host.

- Chat: `POST .../chat` at a fixed rate, open loop (each message its own request on the
  schedule, whether or not earlier ones were answered; at most `max_in_flight` waiting),
  from a few accounts in turn, as the viewer page posts it. A closed loop (a few sockets each
  waiting for its last message) would let a slow server set the chat rate itself.
- Drops: the host starts a drop every `interval` seconds (POST, products in turn so that one
  slow answer never blocks the next start) and ends it `hold` seconds after the answer. Each
  record keeps the driver's send time and the server's `started_at` from the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import aiohttp
import httpx

from fanout_targets import Target


@dataclass
class ChatCounts:
    sent: int = 0
    accepted: int = 0
    skipped: int = 0  # its turn came with max_in_flight requests still waiting
    answers: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)


@dataclass
class ChatDriver:
    target: Target
    rate: float
    max_in_flight: int = 1000
    counts: ChatCounts = field(default_factory=ChatCounts)

    async def run(self, stop: asyncio.Event) -> None:
        timeout = aiohttp.ClientTimeout(total=120)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(
            self.target.base, connector=connector, timeout=timeout
        ) as session:
            waiting: set[asyncio.Task[None]] = set()
            t0 = time.monotonic()
            k = 0
            while not stop.is_set():
                delay = t0 + k / self.rate - time.monotonic()
                if delay > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), delay)
                    if stop.is_set():
                        break
                if len(waiting) >= self.max_in_flight:
                    self.counts.skipped += 1
                else:
                    task = asyncio.create_task(self._post(session, k))
                    waiting.add(task)
                    task.add_done_callback(waiting.discard)
                k += 1
            for task in tuple(waiting):
                task.cancel()
            await asyncio.gather(*waiting, return_exceptions=True)

    async def _post(self, session: aiohttp.ClientSession, k: int) -> None:
        headers = self.target.chat_headers[k % len(self.target.chat_headers)]
        body = {"text": f"How many bags are left? ({k})"}
        self.counts.sent += 1
        started = time.monotonic()
        try:
            async with session.post(self.target.chat_path, json=body, headers=headers) as r:
                await r.read()
                status = str(r.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            status = type(exc).__name__
        self.counts.answers[status] += 1
        if status == "201":
            self.counts.accepted += 1
            self.counts.latencies_ms.append(1000 * (time.monotonic() - started))


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
    target: Target,
    records: list[DropRecord],
    first_at: float,
    interval: float,
    until: float,
    hold: float,
    deadline: float,
) -> None:
    """Start a drop at first_at, first_at + interval, ... before `until` (time.time()), each
    recorded in `records`; no request waits past `deadline` (the window's end): a drop not
    answered by then stays unanswered (status 0), and its announcement counts as lost."""
    async with httpx.AsyncClient(base_url=target.base, headers=target.headers) as c:

        async def one(record: DropRecord) -> None:
            body = target.drop_bodies[record.index % len(target.drop_bodies)]
            try:
                r = await c.post(target.drop_path, json=body, timeout=deadline - time.time())
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
                path = target.end_path.format(drop_id=record.drop_id)
                ended = await c.post(path, timeout=max(1.0, deadline - time.time()))
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
