"""Real server processes for tests that kill, stop and restart them: `livebazaar serve` on a
port of its own, and a private redis-server (so a test may restart it without touching the
Redis other tests share)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import sys
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.conftest import free_port


class AppServer:
    """`python -m livebazaar serve --port <port> [args]` with `env`, restartable."""

    def __init__(self, env: dict[str, str], args: tuple[str, ...] = ()) -> None:
        self.env = env
        self.port = free_port()
        self.args = args
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self) -> None:
        """Start it and return once /api/v1/health answers 200."""
        cmd = ["-m", "livebazaar", "serve", "--port", str(self.port), *self.args]
        self.process = await asyncio.create_subprocess_exec(sys.executable, *cmd, env=self.env)
        async with httpx.AsyncClient(base_url=self.url) as client:
            for _ in range(600):  # a safety net against hanging, not a speed assertion
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/api/v1/health")).status_code == 200:
                        return
                assert self.process.returncode is None, "the server exited"
                await asyncio.sleep(0.1)
        raise AssertionError("the server never became healthy")

    async def kill(self) -> None:
        """SIGKILL: no shutdown of any kind, as a power cut or the OOM killer."""
        assert self.process is not None
        self.process.kill()
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


class RedisServer:
    """A redis-server of the test's own, keeping nothing on disk (as the machine's is run):
    stopping it loses everything, as a restart of such a server does."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (CI's machine has it)")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(self.workdir),
            stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        client = Redis.from_url(self.url)
        try:
            for _ in range(300):
                with contextlib.suppress(RedisConnectionError, OSError):
                    if await client.ping():
                        return
                await asyncio.sleep(0.05)
        finally:
            await client.aclose()
        raise AssertionError("redis-server never answered")

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
