"""A show's real-time channel: events go out through the broker after the commit."""

from __future__ import annotations

from livebazaar.broker import Broker, Message
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import UnitOfWork
from livebazaar.kernel.events import Event, envelope_for


def show_topic(show_id: str) -> str:
    return f"show.{show_id}"


def emit(uow: UnitOfWork, broker: Broker, clock: Clock, show_id: str, event: Event) -> None:
    """Publish `event` on the show's channel once (and only if) `uow` commits."""
    envelope = envelope_for(show_id, event, clock.now())

    async def _publish() -> None:
        await broker.publish(show_topic(show_id), envelope)

    uow.on_commit(_publish)


async def publish_now(broker: Broker, clock: Clock, show_id: str, event: Event) -> Message:
    """Publish an event that changes no stored state (a reaction, a viewer count)."""
    return await broker.publish(show_topic(show_id), envelope_for(show_id, event, clock.now()))
