"""The broker servers the suite may use: Redis at LIVEBAZAAR_TEST_REDIS_URL and NATS (with
JetStream) at LIVEBAZAAR_TEST_NATS_URL. CI sets both (`.ci/run`); unset, the tests that need
one skip and say which variable to set.

Each test takes a prefix of its own (`unique_prefix`), so its Redis keys and its NATS stream
are its alone and two runs on one server never meet; `forget` deletes them afterwards.
"""

from __future__ import annotations

import contextlib
import os
import uuid

import nats
import pytest
from nats.js.errors import NotFoundError
from redis.asyncio import Redis

REDIS_ENV = "LIVEBAZAAR_TEST_REDIS_URL"
NATS_ENV = "LIVEBAZAAR_TEST_NATS_URL"


def _url(env: str, what: str) -> str:
    url = os.environ.get(env, "").strip()
    if not url:
        pytest.skip(f"{env} is not set: no {what} server to test against")
    return url


def redis_url() -> str:
    """The Redis server's URL, or skip the test."""
    return _url(REDIS_ENV, "Redis")


def nats_url() -> str:
    """The NATS server's URL, or skip the test."""
    return _url(NATS_ENV, "NATS")


def unique_prefix() -> str:
    return f"lbt{os.getpid()}_{uuid.uuid4().hex[:10]}"


async def forget_redis(url: str, prefix: str) -> None:
    """Delete every key under `prefix`."""
    client = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def forget_nats(url: str, stream: str) -> None:
    """Delete the stream (its consumers go with it)."""
    nc = await nats.connect(url)
    try:
        with contextlib.suppress(NotFoundError):
            await nc.jetstream().delete_stream(stream)
    finally:
        await nc.close()
