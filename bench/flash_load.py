"""The claimers of bench/flash_sale.py: load-generator processes, each driving a share of them.

Each claimer has its own account, token and connection (an aiohttp session of its own, at
most one connection: a shared pool would hand a claimer whichever connection was free, and an
old one may be closed by the server's keep-alive timeout just as it is reused). The parent
drives every process through a pipe, phase by phase:

- `warm`: every claimer opens its connection with one untimed request: the no-op POST, or
  (before the claims, unless the token cache is to start cold) a GET that checks its token,
  as a buyer in the room has used it before the drop; tried again (at most 3 times) if the
  connection fails or the server answers 503.
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
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import aiohttp

BODY = b'{"quantity":1}'
MAX_RETRIES = 200  # 503s in a row before a claimer gives up (counted in the answers)
IDLE_CLOSE_S = 4.0  # idle this long, a connection may meet the server's keep-alive close


@dataclass(frozen=True)
class Plan:
    base: str
    ping_path: str
    claim_path: str
    tokens: list[str]
    timeout_s: float = 300.0


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # every answer's
    ok_latencies: list[float] = field(default_factory=list)  # the ok answers' alone
    answers: Counter[str] = field(default_factory=Counter)
    errors: dict[str, str] = field(default_factory=dict)  # a sample message per error kind
    ok: int = 0
    last_ok: float = 0.0
    reconnects: int = 0  # requests sent again after the server closed an idle connection

    def failed(self, exc: BaseException) -> None:
        kind = f"error {type(exc).__name__}"
        self.answers[kind] += 1
        self.errors.setdefault(kind, str(exc)[:200])

    def report(self) -> dict[str, Any]:
        return {
            "latencies": self.latencies,
            "ok_latencies": self.ok_latencies,
            "answers": dict(self.answers),
            "errors": self.errors,
            "reconnects": self.reconnects,
            "ok": self.ok,
            "last_ok": self.last_ok,
        }


class Claimers:
    """One session (and so one connection) per claimer, made on the first warm-up."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.sessions: list[tuple[aiohttp.ClientSession, dict[str, str]]] = []

    def open(self) -> None:
        if self.sessions:
            return
        timeout = aiohttp.ClientTimeout(total=self.plan.timeout_s, sock_connect=60)
        jar = aiohttp.DummyCookieJar()
        for token in self.plan.tokens:
            connector = aiohttp.TCPConnector(limit=1)
            session = aiohttp.ClientSession(
                self.plan.base, connector=connector, timeout=timeout, cookie_jar=jar
            )
            self.sessions.append((session, _headers(token)))

    async def close(self) -> None:
        await asyncio.gather(*(s.close() for s, _ in self.sessions))


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


async def warm(claimers: Claimers, path: str | None) -> dict[str, Any]:
    """Every claimer's connection opened (or kept open) with one untimed request: a GET of
    `path`, or the no-op POST when `path` is None."""
    claimers.open()
    tally = Tally()
    started = time.monotonic()

    async def one(session: aiohttp.ClientSession, headers: dict[str, str]) -> None:
        for _ in range(3):
            try:
                if path is None:
                    request = session.post(claimers.plan.ping_path, data=BODY, headers=headers)
                else:
                    request = session.get(path, headers=headers)
                async with request as r:
                    await r.read()
                    tally.answers[str(r.status)] += 1
                    if r.status != 503:
                        return
                    await asyncio.sleep(_retry_after(r))
            except (aiohttp.ClientError, TimeoutError) as exc:
                tally.failed(exc)

    await asyncio.gather(*(one(s, h) for s, h in claimers.sessions))
    return tally.report() | {"seconds": time.monotonic() - started}


async def _post(
    session: aiohttp.ClientSession, path: str, headers: dict[str, str], tally: Tally,
    idle_since: float | None,
) -> tuple[int, bytes, float] | None:  # fmt: skip
    """POST one claim or no-op: its status, body and Retry-After; None if it failed.

    A connection idle for the server's keep-alive timeout (uvicorn's 5 s; `idle_since` None:
    since the warm-up) may be closed by the server just as it is reused; the request then
    goes again on a new connection, as any HTTP client does, timed from the first try and
    counted as a reconnect."""
    for again in (False, True):
        try:
            async with session.post(path, data=BODY, headers=headers) as r:
                return r.status, await r.read(), _retry_after(r)
        except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as exc:
            idle = idle_since is None or time.monotonic() - idle_since >= IDLE_CLOSE_S
            if again or not idle:
                tally.failed(exc)
                return None
            tally.reconnects += 1
        except (aiohttp.ClientError, TimeoutError) as exc:
            tally.failed(exc)
            return None
    return None


async def noop(claimers: Claimers, start: float, per_claimer: int) -> dict[str, Any]:
    tally = Tally()
    path = claimers.plan.ping_path

    async def claimer(session: aiohttp.ClientSession, headers: dict[str, str]) -> None:
        await _sleep_until(start)
        last: float | None = None
        for _ in range(per_claimer):
            t0 = time.monotonic()
            answer = await _post(session, path, headers, tally, last)
            if answer is None:
                return
            status = answer[0]
            t1 = last = time.monotonic()
            tally.latencies.append(t1 - t0)
            tally.answers[str(status)] += 1
            if status == 200:
                tally.ok += 1
                tally.last_ok = max(tally.last_ok, t1)
                tally.ok_latencies.append(t1 - t0)

    await asyncio.gather(*(claimer(s, h) for s, h in claimers.sessions))
    return tally.report()


async def claims(claimers: Claimers, start: float) -> dict[str, Any]:
    tally = Tally()
    path = claimers.plan.claim_path

    async def claimer(session: aiohttp.ClientSession, headers: dict[str, str]) -> None:
        await _sleep_until(start)
        retries = 0
        last: float | None = None
        while retries <= MAX_RETRIES:
            t0 = time.monotonic()
            answer = await _post(session, path, headers, tally, last)
            if answer is None:
                return
            status, raw, pause = answer
            t1 = last = time.monotonic()
            tally.latencies.append(t1 - t0)
            if status == 201:
                tally.answers["201"] += 1
                tally.ok += 1
                tally.last_ok = max(tally.last_ok, t1)
                tally.ok_latencies.append(t1 - t0)
                retries = 0
                continue
            tally.answers[f"{status} {_code(raw)}".strip()] += 1
            if status not in (429, 503):
                return  # sold out, the buyer's limit, or a failure: this claimer is done
            retries += 1
            await asyncio.sleep(pause)

    await asyncio.gather(*(claimer(s, h) for s, h in claimers.sessions))
    return tally.report()


async def _serve(plan: Plan, pipe: Connection) -> None:
    claimers = Claimers(plan)
    try:
        while True:
            command, arg = await asyncio.to_thread(pipe.recv)
            if command == "warm":
                pipe.send(await warm(claimers, arg))
            elif command == "noop":
                start, per_claimer = arg
                pipe.send(await noop(claimers, start, per_claimer))
            elif command == "claims":
                pipe.send(await claims(claimers, arg))
            else:
                pipe.send({})
                return
    finally:
        await claimers.close()


def generator_main(plan: Plan, pipe: Connection) -> None:
    """A spawned process's entry point."""
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    asyncio.run(_serve(plan, pipe))
