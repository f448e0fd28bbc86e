"""Flash-sale benchmark: one drop, many concurrent claimers, on the embedded defaults.

    .venv/bin/python bench/flash_sale.py [--units 3000] [--claimers 500]

Starts `livebazaar serve` (SQLite, in-process broker) in its own process, seeds a live show
with a drop through the public API, then drives load from a second process over real HTTP:
first the same server's no-op POST (/api/v1/ping, the baseline), then the claims. Each claimer
is its own account and claims one unit at a time until the drop answers sold out or its
per-buyer limit. Prints claims/s and p50/p99 beside the no-op's, and the oversell count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import httpx

PASSWORD = "bench-password-1"


@dataclass
class Phase:
    name: str
    requests: int
    ok: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_s(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def start_server(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LIVEBAZAAR_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench.db",
        "LIVEBAZAAR_PUBLIC_URL": f"http://127.0.0.1:{port}",
        # Cheap password hashing only so that seeding 500 accounts is quick; not on a hot path.
        "LIVEBAZAAR_ARGON2_TIME_COST": "1",
        "LIVEBAZAAR_ARGON2_MEMORY_KIB": "1024",
        "LIVEBAZAAR_CLAIM_RATE_PER_10S": "100000",
    }
    cmd = [sys.executable, "-m", "livebazaar", "serve", "--port", str(port)]
    return subprocess.Popen(cmd, env=env, cwd=workdir)


async def wait_healthy(base: str, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(300):
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode}")
            try:
                if (await client.get("/api/v1/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("server did not become healthy")


async def account(client: httpx.AsyncClient, name: str) -> str:
    email = f"{name}@bench.example.org"
    r = await client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": name},
    )
    r.raise_for_status()
    r = await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    r.raise_for_status()
    token: str = r.json()["access_token"]
    return token


async def seed(base: str, units: int, claimers: int, limit: int) -> tuple[str, list[str]]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        host = {"Authorization": f"Bearer {await account(client, 'host')}"}
        shop = (
            await client.post(
                "/api/v1/shops",
                json={"name": "Rwanda Coffee Cooperative", "country": "RW", "currency": "CNY"},
                headers=host,
            )
        ).json()
        product = await client.post(
            f"/api/v1/shops/{shop['id']}/products",
            json={
                "title": "Rwandan coffee beans, 250 g",
                "price": {"amount_minor": 6900, "currency": "CNY"},
                "stock": units,
            },
            headers=host,
        )
        product.raise_for_status()
        product_id = product.json()["id"]
        show = await client.post(
            "/api/v1/shows",
            json={
                "shop_id": shop["id"],
                "title": "Bench show",
                "scheduled_at": datetime.now(UTC).isoformat(),
                "lineup": [product_id],
            },
            headers=host,
        )
        show.raise_for_status()
        show_id = show.json()["id"]
        (await client.post(f"/api/v1/shows/{show_id}/start", headers=host)).raise_for_status()
        drop = await client.post(
            f"/api/v1/shows/{show_id}/drops",
            json={
                "product_id": product_id,
                "quantity": units,
                "price": {"amount_minor": 5900, "currency": "CNY"},
                "per_buyer_limit": limit,
                "duration_s": 3600,
                "hold_s": 3600,
            },
            headers=host,
        )
        drop.raise_for_status()
        sem = asyncio.Semaphore(32)

        async def one(i: int) -> str:
            async with sem:
                return await account(client, f"buyer{i}")

        tokens = await asyncio.gather(*(one(i) for i in range(claimers)))
        drop_id: str = drop.json()["id"]
        return drop_id, list(tokens)


async def run_noop(base: str, tokens: list[str], total: int) -> Phase:
    latencies: list[float] = []
    per_task = max(1, total // len(tokens))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def worker(token: str) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            await _warm_up(session, base, headers)
            await ready.wait()
            for _ in range(per_task):
                t0 = time.perf_counter()
                async with session.post(
                    f"{base}/api/v1/ping", json={"quantity": 1}, headers=headers
                ) as r:
                    await r.read()
                    assert r.status == 200
                latencies.append(time.perf_counter() - t0)

        ready = asyncio.Event()
        tasks = [asyncio.create_task(worker(t)) for t in tokens]
        await asyncio.sleep(0.5)  # every connection opened and used once before timing starts
        t0 = time.perf_counter()
        ready.set()
        await asyncio.gather(*tasks)
        seconds = time.perf_counter() - t0
    n = len(latencies)
    return Phase("no-op POST", n, n, seconds, *_ms(latencies))


async def run_claims(base: str, drop_id: str, tokens: list[str]) -> tuple[Phase, dict[str, int]]:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    admitted_at: list[float] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def worker(token: str) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            await _warm_up(session, base, headers)
            await ready.wait()
            while True:
                t0 = time.perf_counter()
                async with session.post(
                    f"{base}/api/v1/drops/{drop_id}/claims", json={"quantity": 1}, headers=headers
                ) as r:
                    body = await r.json(content_type=None)
                t1 = time.perf_counter()
                latencies.append(t1 - t0)
                key = str(r.status) if r.status == 201 else f"{r.status} {body.get('code')}"
                statuses[key] = statuses.get(key, 0) + 1
                if r.status == 201:
                    admitted_at.append(t1)
                    continue
                if r.status in (409, 422):
                    return
                raise RuntimeError(f"unexpected answer {r.status}: {body}")

        ready = asyncio.Event()
        tasks = [asyncio.create_task(worker(t)) for t in tokens]
        await asyncio.sleep(0.5)
        t0 = time.perf_counter()
        ready.set()
        await asyncio.gather(*tasks)
    seconds = (max(admitted_at) - t0) if admitted_at else 0.0
    return Phase("claim", len(latencies), len(admitted_at), seconds, *_ms(latencies)), statuses


async def _warm_up(session: aiohttp.ClientSession, base: str, headers: dict[str, str]) -> None:
    """Open this worker's connection with one untimed request (a no-op POST)."""
    async with session.post(f"{base}/api/v1/ping", json={"quantity": 1}, headers=headers) as r:
        await r.read()


def _ms(latencies: list[float]) -> tuple[float, float]:
    return percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000


def loadgen(base: str, drop_id: str, tokens: list[str], out: Any) -> None:
    """Runs in its own process so the load generator does not share the server's core."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    noop = asyncio.run(run_noop(base, tokens, total=10 * len(tokens)))
    claims, statuses = asyncio.run(run_claims(base, drop_id, tokens))
    out.put((asdict(noop), asdict(claims), statuses))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--claimers", type=int, default=500)
    parser.add_argument("--limit", type=int, default=10, help="per-buyer limit")
    parser.add_argument("--json", type=Path, default=Path("bench/out/flash_sale.json"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(Path(tmp), port)
        try:
            asyncio.run(wait_healthy(base, proc))
            drop_id, tokens = asyncio.run(seed(base, args.units, args.claimers, args.limit))
            queue: multiprocessing.Queue[Any] = multiprocessing.get_context("spawn").Queue()
            child = multiprocessing.get_context("spawn").Process(
                target=loadgen, args=(base, drop_id, tokens, queue)
            )
            child.start()
            noop_d, claims_d, statuses = queue.get(timeout=1800)
            child.join()
            drop = httpx.get(f"{base}/api/v1/drops/{drop_id}").json()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    noop, claims = Phase(**noop_d), Phase(**claims_d)
    oversell = max(0, drop["reserved"] + drop["sold"] - drop["quantity"]) + max(
        0, claims.ok - args.units
    )
    report(args, noop, claims, statuses, drop, oversell)


def report(
    args: argparse.Namespace,
    noop: Phase,
    claims: Phase,
    statuses: dict[str, int],
    drop: dict[str, Any],
    oversell: int,
) -> None:
    ratio = claims.per_s / noop.per_s if noop.per_s else 0.0
    print(f"flash sale: {args.units} units, {args.claimers} concurrent claimers, SQLite + memory")
    print(f"{'':14}{'ok/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'requests':>10}")
    for phase in (noop, claims):
        print(
            f"{phase.name:14}{phase.per_s:>10.0f}{phase.p50_ms:>10.1f}"
            f"{phase.p99_ms:>10.1f}{phase.requests:>10}"
        )
    print(f"claims/s as a share of the no-op POST: {ratio:.0%}")
    print(f"answers: {statuses}")
    print(f"drop after: { ({k: drop[k] for k in ('quantity', 'remaining', 'reserved', 'sold')}) }")
    print(f"oversold units: {oversell}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": f"{platform.node()} {os.cpu_count()} cores {platform.python_version()}",
                "noop": asdict(noop) | {"per_s": noop.per_s},
                "claims": asdict(claims) | {"per_s": claims.per_s},
                "statuses": statuses,
                "oversell": oversell,
            },
            indent=2,
        )
    )
    if oversell:
        raise SystemExit("OVERSOLD")


if __name__ == "__main__":
    main()
