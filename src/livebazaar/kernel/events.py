"""Real-time events: typed, versioned payloads inside one envelope.

Every event a show's channel carries is a subclass of `Event` with a literal `type`. The
envelope adds the per-show sequence number (assigned by the broker, which also keeps the replay
buffer) and the server timestamp. `EVENT_TYPES` is the registry: the schema test checks every
emitted frame against it, and `/api/v1/events/schema` publishes it for client authors.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

EVENT_TYPES: dict[str, type[Event]] = {}


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: ClassVar[str]
    version: ClassVar[int] = 1
    # An urgent event (a shop event people act on: a drop, a pin, a price, the end) leaves
    # each process's fan-out at once with whatever waits, instead of at the next tick.
    urgent: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("type")
        if isinstance(event_type, str):
            if event_type in EVENT_TYPES:
                raise TypeError(f"event type {event_type!r} registered twice")
            EVENT_TYPES[event_type] = cls


class Envelope(BaseModel):
    """What a WebSocket frame holds. `seq` increases by one per show, without gaps."""

    model_config = ConfigDict(extra="forbid")
    seq: int
    ts: datetime
    # The program date-time (EXT-X-PROGRAM-DATE-TIME) of the show's picture when the event
    # happened: media workers stamp video with the same wall clock, so a player shows the
    # event when its video reaches this moment.
    media_time: datetime
    show_id: str
    type: str
    v: int
    data: dict[str, Any]


class Batch(BaseModel):
    """A frame of several events, in seq order. After it the client is up to `last_seq`; a seq
    from `first_seq` to `last_seq` it does not carry was left out on purpose (chat sampled out
    for a viewer), not lost (docs/realtime.md)."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["batch"]
    first_seq: int
    last_seq: int
    events: list[Envelope]


def media_now() -> datetime:
    """The wall clock that media workers stamp video with (EXT-X-PROGRAM-DATE-TIME): what
    ties an event to the picture. Always the system's, even under a test's manual clock."""
    return datetime.now(UTC)


def envelope_for(show_id: str, event: Event, ts: datetime) -> dict[str, Any]:
    """The envelope without its seq: the broker assigns that when it publishes.

    `media_time` is read from the system's wall clock, which also stamps the video, even when
    `ts` comes from a test's manual clock.
    """
    return {
        "ts": ts.isoformat(),
        "media_time": media_now().isoformat(),
        "show_id": show_id,
        "type": event.type,
        "v": event.version,
        "data": event.model_dump(mode="json"),
    }
