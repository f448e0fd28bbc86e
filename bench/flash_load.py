"""The claimers of bench/flash_sale.py: load-generator processes, each driving a share of them.

Each claimer has its own account, token and connection (aiohttp, one session per process,
no connection limit). The parent drives every process through a pipe, phase by phase:

- `warm`: every claimer opens its connection with one untimed no-op POST (with its token).
- `noop` / `claims` at a start time (time.monotonic, system-wide on Linux, so the processes
  start together): the no-op POST `per_claimer` times each; or claims of one unit at a time
  until the drop answers sold out, the buyer's limit, or anything but 201 or 503. A 503
  (overload, with Retry-After) is counted and retried after min(Retry-After, 1 s).
- `stop`.

Each phase answers with the latency of every request, answers by status and code, and when the
last ok answer came. Bodies are sent pre-serialised, so a request costs the generator as little
as aiohttp allows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import aiohttp

BODY = b'{"quantity":1}'
MAX_RETRIES = 200  # 503s in a row before a claimer gives up (counted in the answers)


@dataclass(frozen=True)
class Plan:
    base: str
    ping_path: str
    claim_path: str
    tokens: list[str]
    timeout_s: float = 300.0


@dataclass
class Tally:
    latencies: list[float]
    answers: Counter[str]
    ok: int = 0
    last_ok: float = 0.0

    def report(self) -> dict[str, Any]:
        return {
            "latencies": self.latencies,
            "answers": dict(self.answers),
            "ok": self.ok,
            "last_ok": self.last_ok,
        }


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def _code(raw: bytes) -> str:
    """The refusal's code: ours answer problem+json `code`, a textbook FastAPI `detail`."""
    try:
        body = json.loads(raw)
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    return str(body.get("code") or body.get("detail") or "")


def _retry_after(r: aiohttp.ClientResponse) -> float:
    try:
        return min(1.0, max(0.01, float(r.headers.get("Retry-After", "0.1"))))
    except ValueError:
        return 0.1


async def _sleep_until(at: float) -> None:
    await asyncio.sleep(max(0.0, at - time.monotonic()))


async def warm(session: aiohttp.ClientSession, plan: Plan) -> dict[str, Any]:
    """Every claimer's connection opened with one untimed no-op POST."""

    async def one(token: str) -> str:
        try:
            async with session.post(plan.ping_path, data=BODY, headers=_headers(token)) as r:
                await r.read()
                return str(r.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"error {type(exc).__name__}"

    answers = Counter(await asyncio.gather(*(one(t) for t in plan.tokens)))
    return {"answers": dict(answers)}


async def noop(
    session: aiohttp.ClientSession, plan: Plan, start: float, per_claimer: int
) -> dict[str, Any]:
    tally = Tally([], Counter())

    async def claimer(token: str) -> None:
        headers = _headers(token)
        await _sleep_until(start)
        for _ in range(per_claimer):
            t0 = time.monotonic()
            try:
                async with session.post(plan.ping_path, data=BODY, headers=headers) as r:
                    await r.read()
                    status = r.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                tally.answers[f"error {type(exc).__name__}"] += 1
                return
            t1 = time.monotonic()
            tally.latencies.append(t1 - t0)
            tally.answers[str(status)] += 1
            if status == 200:
                tally.ok += 1
                tally.last_ok = max(tally.last_ok, t1)

    await asyncio.gather(*(claimer(t) for t in plan.tokens))
    return tally.report()


async def claims(session: aiohttp.ClientSession, plan: Plan, start: float) -> dict[str, Any]:
    tally = Tally([], Counter())

    async def claimer(token: str) -> None:
        headers = _headers(token)
        await _sleep_until(start)
        retries = 0
        while retries <= MAX_RETRIES:
            t0 = time.monotonic()
            try:
                async with session.post(plan.claim_path, data=BODY, headers=headers) as r:
                    raw = await r.read()
                    status, pause = r.status, _retry_after(r)
            except (aiohttp.ClientError, TimeoutError) as exc:
                tally.answers[f"error {type(exc).__name__}"] += 1
                return
            t1 = time.monotonic()
            tally.latencies.append(t1 - t0)
            if status == 201:
                tally.answers["201"] += 1
                tally.ok += 1
                tally.last_ok = max(tally.last_ok, t1)
                retries = 0
                continue
            tally.answers[f"{status} {_code(raw)}".strip()] += 1
            if status not in (429, 503):
                return  # sold out, the buyer's limit, or a failure: this claimer is done
            retries += 1
            await asyncio.sleep(pause)

    await asyncio.gather(*(claimer(t) for t in plan.tokens))
    return tally.report()


async def _serve(plan: Plan, pipe: Connection) -> None:
    timeout = aiohttp.ClientTimeout(total=plan.timeout_s, sock_connect=60)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(plan.base, connector=connector, timeout=timeout) as session:
        while True:
            command, arg = await asyncio.to_thread(pipe.recv)
            if command == "warm":
                pipe.send(await warm(session, plan))
            elif command == "noop":
                start, per_claimer = arg
                pipe.send(await noop(session, plan, start, per_claimer))
            elif command == "claims":
                pipe.send(await claims(session, plan, arg))
            else:
                pipe.send({})
                return


def generator_main(plan: Plan, pipe: Connection) -> None:
    """A spawned process's entry point."""
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    asyncio.run(_serve(plan, pipe))
