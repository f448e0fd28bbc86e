"""The two servers bench/fanout.py measures, each started fresh for one run and torn down after.

- Ours: `livebazaar serve --workers 2` on a PostgreSQL database made for the run and the Redis
  broker under a key prefix of the run's own, seeded through the public API (a host, a shop, a
  few products in a live show's lineup, chatting accounts), slow mode off, chat limit raised.
- The peer: the Django Channels app in bench/peers/channels_show under uvicorn, 2 workers, on
  the same Redis under another prefix of the run's own.

Both answer the same questions: where viewers connect, where chat is posted, how the host
starts and ends a drop; and which processes to count the CPU of.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from redis.asyncio import Redis

PASSWORD = "bench-password-1"
PEERS = Path(__file__).resolve().parent / "peers"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Services:
    postgres: str  # postgresql://user@host:port/db, a database to connect to for CREATE DATABASE
    redis: str


@dataclass
class Target:
    """A server under test, started and seeded: the driver's and the viewers' view of it."""

    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    viewer_path: str
    chat_path: str
    chat_headers: list[dict[str, str]]  # one per chatting account, used in turn
    resume: bool  # viewers reconnect with after=<seq> (a replay buffer exists)
    drop_path: str  # POST here starts a drop: answers {"id", "started_at"}
    end_path: str  # format with drop_id: POST ends that drop
    drop_bodies: list[dict[str, object]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    cleanup: list[tuple[str, str]] = field(default_factory=list)  # (kind, name)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def spawn(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start a server process, its output to `log` (returns at once: no waiting on it)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)


def log_problems(log: Path, start: int = 0, end: int | None = None) -> dict[str, int]:
    """How often each exception or error line appears in the server's log between two offsets:
    the last line of each traceback (`ExceptionType: ...`) and uvicorn's ERROR/WARNING lines."""
    with log.open("rb") as f:
        f.seek(start)
        text = f.read(None if end is None else max(0, end - start)).decode("utf-8", "replace")
    found: Counter[str] = Counter()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("ERROR:", "WARNING:")):
            found[line[:80]] += 1
        elif line.startswith("Traceback"):
            j = i + 1
            while j < len(lines) and (lines[j].startswith(" ") or not lines[j]):
                j += 1
            if j < len(lines):
                found[lines[j].split(":")[0][:80]] += 1
    return dict(found.most_common(8))


async def wait_healthy(base: str, path: str, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(600):
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode}")
            try:
                if (await client.get(path)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("server did not become healthy")


# --- ours ---------------------------------------------------------------------------------


async def start_ours(services: Services, workdir: Path, chatters: int, log: Path) -> Target:
    run = uuid.uuid4().hex[:10]
    database, prefix = f"lbfan_{run}", f"lbfan{run}"
    admin = await asyncpg.connect(services.postgres)
    try:
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    server_url = services.postgres.rsplit("/", 1)[0].replace("postgresql://", "")
    port = free_port()
    env = {
        **os.environ,
        "LIVEBAZAAR_DATABASE_URL": f"postgresql+asyncpg://{server_url}/{database}",
        "LIVEBAZAAR_BROKER_URL": services.redis,
        "LIVEBAZAAR_BROKER_PREFIX": prefix,
        "LIVEBAZAAR_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LIVEBAZAAR_MEDIA_DIR": str(workdir / "media"),
        # Cheap password hashing only so that seeding is quick; not on a measured path.
        "LIVEBAZAAR_ARGON2_TIME_COST": "1",
        "LIVEBAZAAR_ARGON2_MEMORY_KIB": "1024",
        # Every bench account registers and signs in from this machine: no per-address limit.
        "LIVEBAZAAR_REGISTER_RATE_PER_HOUR": "1000000",
        "LIVEBAZAAR_SIGN_IN_RATE_PER_10MIN": "1000000",
        # The chat driver posts 50 messages/s from a few accounts: no per-user limit in the way.
        "LIVEBAZAAR_CHAT_RATE_PER_10S": "1000000",
    }
    cmd = [sys.executable, "-m", "livebazaar", "serve", "--workers", "2", "--port", str(port)]
    proc = spawn(cmd, env, workdir, log)
    target = Target(
        name="livebazaar",
        port=port,
        proc=proc,
        log=log,
        viewer_path="",
        chat_path="",
        chat_headers=[],
        resume=True,
        drop_path="",
        end_path="/api/v1/drops/{drop_id}/end",
        cleanup=[("postgres", database), ("redis", prefix)],
    )
    try:
        await wait_healthy(target.base, "/api/v1/health", proc)
        await _seed_ours(target, chatters)
    except BaseException:
        await stop(target, services)
        raise
    return target


async def account(client: httpx.AsyncClient, name: str) -> str:
    """Register `name` through the public API and answer its API token."""
    email = f"{name}@bench.example.org"
    body = {"email": email, "password": PASSWORD, "display_name": name}
    (await client.post("/api/v1/auth/register", json=body)).raise_for_status()
    r = await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    r.raise_for_status()
    token: str = r.json()["access_token"]
    return token


async def _seed_ours(target: Target, chatters: int, products: int = 4) -> None:
    async with httpx.AsyncClient(base_url=target.base, timeout=60) as client:
        host = {"Authorization": f"Bearer {await account(client, 'host')}"}
        shop = await client.post(
            "/api/v1/shops",
            json={"name": "Rwanda Coffee Cooperative", "country": "RW", "currency": "CNY"},
            headers=host,
        )
        shop.raise_for_status()
        shop_id = shop.json()["id"]
        product_ids = []
        for i in range(products):
            r = await client.post(
                f"/api/v1/shops/{shop_id}/products",
                json={
                    "title": f"Rwandan coffee beans, lot {i + 1}, 250 g",
                    "price": {"amount_minor": 6900, "currency": "CNY"},
                    "stock": 1_000_000,
                },
                headers=host,
            )
            r.raise_for_status()
            product_ids.append(r.json()["id"])
        show = await client.post(
            "/api/v1/shows",
            json={
                "shop_id": shop_id,
                "title": "Coffee night",
                "scheduled_at": datetime.now(UTC).isoformat(),
                "lineup": product_ids,
            },
            headers=host,
        )
        show.raise_for_status()
        show_id = show.json()["id"]
        (await client.post(f"/api/v1/shows/{show_id}/start", headers=host)).raise_for_status()
        r = await client.put(
            f"/api/v1/shows/{show_id}/slow-mode", json={"seconds": 0}, headers=host
        )
        r.raise_for_status()
        tokens = [await account(client, f"chatter{i}") for i in range(chatters)]
    target.viewer_path = f"/api/v1/shows/{show_id}/events"
    target.chat_path = f"/api/v1/shows/{show_id}/chat"
    target.chat_headers = [{"Authorization": f"Bearer {token}"} for token in tokens]
    target.drop_path = f"/api/v1/shows/{show_id}/drops"
    target.headers = host
    target.drop_bodies = [
        {
            "product_id": product_id,
            "quantity": 10,
            "price": {"amount_minor": 5900, "currency": "CNY"},
            "per_buyer_limit": 5,
            "duration_s": 600,
            "hold_s": 300,
        }
        for product_id in product_ids
    ]


# --- the peer -----------------------------------------------------------------------------


async def start_peer(services: Services, workdir: Path, capacity: int, log: Path) -> Target:
    prefix = f"lbfanpeer{uuid.uuid4().hex[:10]}"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "channels_show.settings",
        "FANOUT_PEER_REDIS_URL": services.redis,
        "FANOUT_PEER_PREFIX": prefix,
        "FANOUT_PEER_CAPACITY": str(capacity),
    }
    cmd = [
        sys.executable, "-m", "uvicorn", "channels_show.asgi:application",
        "--app-dir", str(PEERS), "--workers", "2", "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "warning",
    ]  # fmt: skip
    proc = spawn(cmd, env, workdir, log)
    show_id = uuid.uuid4().hex
    target = Target(
        name="django channels (peer)",
        port=port,
        proc=proc,
        log=log,
        viewer_path=f"/api/shows/{show_id}/events",
        chat_path=f"/api/shows/{show_id}/chat",
        chat_headers=[{}],
        resume=False,
        drop_path=f"/api/shows/{show_id}/drops",
        end_path=f"/api/shows/{show_id}/drops/{{drop_id}}/end",
        drop_bodies=[{}],
        cleanup=[("redis", prefix)],
    )
    try:
        await wait_healthy(target.base, "/api/health", proc)
    except BaseException:
        await stop(target, services)
        raise
    return target


# --- both ---------------------------------------------------------------------------------


async def stop(target: Target, services: Services) -> None:
    """Stop the server, then drop what the run made: its database, its Redis keys."""
    await end_process(target.proc)
    await forget(target.cleanup, services)


async def end_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, a minute to finish, then SIGKILL."""
    proc.terminate()
    try:
        await asyncio.to_thread(proc.wait, 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        await asyncio.to_thread(proc.wait, 30)


async def forget(cleanup: list[tuple[str, str]], services: Services) -> None:
    """Drop what a run made: ("postgres", database) or ("redis", key prefix) each."""
    for kind, name in cleanup:
        if kind == "postgres":
            admin = await asyncpg.connect(services.postgres)
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await admin.close()
        else:
            await _forget_redis(services.redis, name)


async def _forget_redis(url: str, prefix: str) -> None:
    client = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=1000)]
        for first in range(0, len(keys), 1000):
            await client.delete(*keys[first : first + 1000])
    finally:
        await client.aclose()
