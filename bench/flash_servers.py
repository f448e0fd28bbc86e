"""The servers bench/flash_sale.py measures, each started fresh for one run, seeded with one
drop and the claimers' accounts, audited after the sale and torn down.

- `embedded`: `livebazaar serve` (one process) on a new SQLite file, the memory broker.
- `redis`: `livebazaar serve` (one process) on a new PostgreSQL database (serve migrates it),
  the Redis broker under a key prefix of the run's own: drop claims are admitted by the Redis
  HotStock and rate limits count in Redis.
- `holdqueue`: the same with `LIVEBAZAAR_HOTSTOCK_URL=database`: claims decided in PostgreSQL
  by the HoldQueue, under the pool's row lock (what the Redis HotStock replaces).
- `textbook`: bench/peers/textbook_claims.py under uvicorn (one process), on a new PostgreSQL
  database: one `SELECT ... FOR UPDATE` transaction per claim.

Ours are seeded through the public API (host, shop, product, live show, drop) with cheap
argon2 settings; the claimers' accounts and API tokens are written straight into the server's
database (as tests/checkout/stage.py `make_buyers` does: thousands of registrations would take
longer than the sale). The peer's tables, accounts and drop are written before it starts.
With `workers` above one, ours on PostgreSQL runs `serve --workers N` and the peer uvicorn
`--workers N` (two processes on one database are what two nodes are to the drop's row).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import subprocess
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from fanout_targets import (
    Services,
    account,
    end_process,
    forget,
    free_port,
    log_problems,
    spawn,
    wait_healthy,
)  # fmt: skip
from livebazaar.accounts.actions import hash_token
from livebazaar.accounts.models import AuthToken, TokenKind, User
from livebazaar.kernel.ids import new_id

PEERS = Path(__file__).resolve().parent / "peers"
LABELS = {
    "embedded": "ours: SQLite + memory broker",
    "redis": "ours: PostgreSQL + Redis HotStock",
    "holdqueue": "ours: PostgreSQL, claims in PG",
    "textbook": "textbook: PG, SELECT FOR UPDATE",
}


@dataclass
class Target:
    """A server under test, started and seeded."""

    key: str  # one of LABELS
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    db_url: str  # SQLAlchemy async URL of its database, for the audit
    ours: bool
    drop_id: str = ""
    tokens: list[str] = field(default_factory=list)  # one per claimer
    cleanup: list[tuple[str, str]] = field(default_factory=list)  # (postgres|redis, name)
    workers: int = 1  # server processes sharing the port

    @property
    def label(self) -> str:
        return LABELS[self.key] + (f" x{self.workers}" if self.workers > 1 else "")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ping_path(self) -> str:
        return "/api/v1/ping" if self.ours else "/api/ping"

    @property
    def me_path(self) -> str:
        """A GET that checks the bearer token (ours: and caches its owner for 30 s)."""
        return "/api/v1/me" if self.ours else "/api/me"

    @property
    def claim_path(self) -> str:
        prefix = "/api/v1" if self.ours else "/api"
        return f"{prefix}/drops/{self.drop_id}/claims"


async def _create_database(services: Services, name: str) -> str:
    admin = await asyncpg.connect(services.postgres)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    server = services.postgres.rsplit("/", 1)[0].replace("postgresql://", "")
    return f"postgresql+asyncpg://{server}/{name}"


async def start(
    key: str, services: Services, workdir: Path, log: Path, units: int, limit: int,
    claimers: int, extra_env: dict[str, str], workers: int = 1,
) -> Target:  # fmt: skip
    """Start and seed the server `key` (see LABELS) with `workers` processes (SQLite: always
    one), ours with `extra_env` added to its environment; stop it again if that fails."""
    workers = 1 if key == "embedded" else workers
    run = uuid.uuid4().hex[:10]
    tokens = [secrets.token_urlsafe(24) for _ in range(claimers)]
    cleanup: list[tuple[str, str]] = []
    if key == "embedded":
        db_url = f"sqlite+aiosqlite:///{workdir}/bench.db"
    else:
        db_url = await _create_database(services, f"lbflash_{run}")
        cleanup.append(("postgres", f"lbflash_{run}"))
    port = free_port()
    if key == "textbook":
        drop_id = str(uuid.uuid4())
        try:
            await _seed_peer(db_url, drop_id, units, limit, tokens)
        except BaseException:
            await forget(cleanup, services)
            raise
        proc = spawn(_peer_command(port, workers),
                     {**os.environ, "TEXTBOOK_DATABASE_URL": db_url}, workdir, log)  # fmt: skip
        target = Target(key, port, proc, log, db_url, ours=False, drop_id=drop_id,
                        tokens=tokens, cleanup=cleanup, workers=workers)  # fmt: skip
    else:
        prefix = f"lbflash{run}"
        if key != "embedded":
            cleanup.append(("redis", prefix))
        env = _our_env(key, services, workdir, port, db_url, prefix) | extra_env
        cmd = [sys.executable, "-m", "livebazaar", "serve", "--port", str(port)]
        cmd += ["--workers", str(workers)] if workers > 1 else []
        proc = spawn(cmd, env, workdir, log)
        target = Target(key, port, proc, log, db_url, ours=True, cleanup=cleanup, workers=workers)
    try:
        await wait_healthy(target.base, "/api/v1/health" if target.ours else "/api/health", proc)
        if target.ours:
            target.drop_id = await _seed_drop(target.base, units, limit)
            await _write_buyers(db_url, tokens)
            target.tokens = tokens
    except BaseException:
        await stop(target, services)
        raise
    return target


async def _seed_peer(db_url: str, drop_id: str, units: int, limit: int, tokens: list[str]) -> None:
    """The peer makes its own tables, accounts and drop (its module's `seed` command)."""
    cmd = [
        sys.executable, str(PEERS / "textbook_claims.py"), "seed", db_url, "--drop", drop_id,
        "--units", str(units), "--limit", str(limit),
    ]  # fmt: skip
    done = await asyncio.to_thread(
        subprocess.run, cmd, input="\n".join(tokens).encode(), capture_output=True
    )
    if done.returncode:
        raise SystemExit(f"seeding the textbook peer failed: {done.stderr.decode()[-2000:]}")


def _peer_command(port: int, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "textbook_claims:app", "--app-dir", str(PEERS),
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        "--workers", str(workers),
    ]  # fmt: skip


def _our_env(
    key: str, services: Services, workdir: Path, port: int, db_url: str, prefix: str
) -> dict[str, str]:
    env = {
        **os.environ,
        "LIVEBAZAAR_DATABASE_URL": db_url,
        "LIVEBAZAAR_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LIVEBAZAAR_MEDIA_DIR": str(workdir / "media"),
        "LIVEBAZAAR_RTMP_PORT": "0",  # any free port: other servers may hold 1935
        # Cheap password hashing only so that seeding the host is quick; not on a hot path.
        "LIVEBAZAAR_ARGON2_TIME_COST": "1",
        "LIVEBAZAAR_ARGON2_MEMORY_KIB": "1024",
        # Every bench account registers and signs in from this machine: no per-address limit.
        "LIVEBAZAAR_REGISTER_RATE_PER_HOUR": "1000000",
        "LIVEBAZAAR_SIGN_IN_RATE_PER_10MIN": "1000000",
        # Each claimer claims as fast as it is answered: the limit counts, it must not refuse.
        "LIVEBAZAAR_CLAIM_RATE_PER_10S": "1000000",
    }
    if key != "embedded":
        env |= {"LIVEBAZAAR_BROKER_URL": services.redis, "LIVEBAZAAR_BROKER_PREFIX": prefix}
    if key == "holdqueue":
        env["LIVEBAZAAR_HOTSTOCK_URL"] = "database"
    return env


async def _seed_drop(base: str, units: int, limit: int) -> str:
    """A host, a shop, a product with `units` in stock, a live show and its drop: the API."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        host = {"Authorization": f"Bearer {await account(client, 'host')}"}

        async def post(path: str, body: dict[str, object] | None = None) -> str:
            r = await client.post(path, json=body, headers=host)
            r.raise_for_status()
            return str(r.json()["id"]) if body is not None else ""

        shop = await post(
            "/api/v1/shops",
            {"name": "Rwanda Coffee Cooperative", "country": "RW", "currency": "CNY"},
        )
        product = await post(
            f"/api/v1/shops/{shop}/products",
            {"title": "Rwandan coffee beans, 250 g",
             "price": {"amount_minor": 6900, "currency": "CNY"}, "stock": units},
        )  # fmt: skip
        show = await post(
            "/api/v1/shows",
            {"shop_id": shop, "title": "Bench show", "lineup": [product],
             "scheduled_at": datetime.now(UTC).isoformat()},
        )  # fmt: skip
        await post(f"/api/v1/shows/{show}/start")
        return await post(
            f"/api/v1/shows/{show}/drops",
            {"product_id": product, "quantity": units,
             "price": {"amount_minor": 5900, "currency": "CNY"}, "per_buyer_limit": limit,
             "duration_s": 3600, "hold_s": 3600},
        )  # fmt: skip


async def _write_buyers(db_url: str, tokens: list[str]) -> None:
    """One account and API token per claimer, in one transaction (no password hashing)."""
    now = datetime.now(UTC)
    ids = [new_id() for _ in tokens]
    engine = create_async_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(User),
                [{"id": uid, "email": f"buyer{i}@bench.example.org", "display_name": f"Buyer {i}",
                  "password_hash": "-", "is_admin": False, "created_at": now}
                 for i, uid in enumerate(ids)],
            )  # fmt: skip
            await conn.execute(
                insert(AuthToken),
                [{"id": new_id(), "user_id": uid, "token_hash": hash_token(token),
                  "kind": TokenKind.API, "csrf_token": None, "created_at": now,
                  "expires_at": now + timedelta(days=1), "revoked_at": None,
                  "last_used_at": now}
                 for uid, token in zip(ids, tokens, strict=True)],
            )  # fmt: skip
    finally:
        await engine.dispose()


async def stop(target: Target, services: Services) -> None:
    """Stop the server, then drop what the run made: its database, its Redis keys."""
    await end_process(target.proc)
    await forget(target.cleanup, services)


_LOGGED = re.compile(r"^\d{4}-\d\d-\d\d [\d:,.]+ (WARNING|ERROR|CRITICAL) (\S+): (.*)$")


def log_summary(log: Path) -> dict[str, int]:
    """What the server logged that a run must explain: its own WARNING and ERROR lines (the
    first 60 characters of the message, digits folded), uvicorn's, and the last line of each
    traceback, with how often each came."""
    found = Counter(log_problems(log))
    with log.open("rb") as f:
        for raw in f:
            match = _LOGGED.match(raw.decode("utf-8", "replace").rstrip())
            if match:
                level, logger, message = match.groups()
                found[f"{level} {logger}: {re.sub(r'[0-9]+', 'N', message)[:60]}"] += 1
    return dict(found.most_common(10))


async def drop_counts(target: Target) -> tuple[int, int, dict[str, int], int, int]:
    """From the server's database after the sale: the drop's quantity, units its stock row
    has given out, units of its orders by status, units held (reserved + paid), and how
    many buyers hold more than the per-buyer limit."""
    if target.ours:
        pool = ("SELECT p.quantity, p.reserved + p.sold, d.per_buyer_limit FROM drops d "
                "JOIN stock_pools p ON p.id = d.pool_id WHERE d.id = :d")  # fmt: skip
    else:
        pool = "SELECT quantity, quantity - remaining, per_buyer_limit FROM stock WHERE id = :d"
    held = "lower(status) IN ('reserved', 'paid')"
    engine = create_async_engine(target.db_url)
    try:
        async with engine.connect() as conn:
            d = {"d": target.drop_id}
            quantity, taken, limit = (await conn.execute(text(pool), d)).one()
            rows = await conn.execute(
                text("SELECT lower(status), sum(quantity) FROM orders WHERE drop_id = :d "
                     "GROUP BY lower(status)"), d,
            )  # fmt: skip
            by_status = {str(s): int(n) for s, n in rows}
            over = await conn.scalar(
                text(f"SELECT count(*) FROM (SELECT buyer_id FROM orders WHERE drop_id = :d "  # noqa: S608
                     f"AND {held} GROUP BY buyer_id HAVING sum(quantity) > :limit) AS t"),
                d | {"limit": limit},
            )  # fmt: skip
    finally:
        await engine.dispose()
    units_held = by_status.get("reserved", 0) + by_status.get("paid", 0)
    return int(quantity), int(taken), by_status, units_held, int(over or 0)


async def api_view(target: Target) -> dict[str, int]:
    """Ours: the drop's counts as its API tells them."""
    if not target.ours:
        return {}
    async with httpx.AsyncClient(base_url=target.base, timeout=60) as client:
        drop = (await client.get(f"/api/v1/drops/{target.drop_id}")).json()
    return {k: int(drop[k]) for k in ("quantity", "remaining", "reserved", "sold")}
