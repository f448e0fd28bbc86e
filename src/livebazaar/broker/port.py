from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    seq: int
    body: bytes  # the JSON envelope, seq included, ready to send as a frame


class Subscription(Protocol):
    def __aiter__(self) -> AsyncIterator[Message]: ...

    async def ready(self) -> None:
        """Return once every message published from now on will reach this subscription.
        (A networked broker subscribes on its server after `subscribe()` returns.)"""
        ...

    async def close(self) -> None: ...


class Broker(Protocol):
    async def publish(self, topic: str, envelope: dict[str, Any]) -> Message:
        """Assign the topic's next seq to `envelope`, keep it for replay, deliver it."""
        ...

    async def replay(self, topic: str, after_seq: int) -> list[Message] | None:
        """Messages with seq > after_seq, or None when some of them left the buffer."""
        ...

    async def last_seq(self, topic: str) -> int: ...

    def subscribe(self, topic: str) -> Subscription: ...

    async def close(self) -> None: ...
