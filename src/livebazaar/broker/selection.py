"""Which broker a URL names: `memory://` (the embedded default), `redis://`/`rediss://` or
`nats://`/`tls://`. The networked adapters connect on first use, not here."""

from __future__ import annotations

from urllib.parse import urlsplit

from livebazaar.broker.memory import MemoryBroker
from livebazaar.broker.port import Broker

SCHEMES = ("memory", "redis", "rediss", "nats", "tls")


def broker_from_url(url: str, *, prefix: str, buffer_size: int) -> Broker:
    scheme = urlsplit(url).scheme.lower()
    if scheme == "memory":
        return MemoryBroker(buffer_size=buffer_size)
    if scheme in ("redis", "rediss"):
        from livebazaar.broker.redis import RedisBroker

        return RedisBroker(url, prefix, buffer_size)
    if scheme in ("nats", "tls"):
        from livebazaar.broker.nats import NatsBroker

        return NatsBroker(url, prefix, buffer_size)
    known = ", ".join(f"{s}://" for s in SCHEMES)
    raise ValueError(f"broker_url: unknown scheme {scheme!r} (known: {known})")
