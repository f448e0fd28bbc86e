"""What the show channel sends a socket (docs/realtime.md, "Frames from the server").

A frame is either one event's envelope, exactly as the broker keeps it, or a batch:

    {"type":"batch","first_seq":a,"last_seq":b,"events":[envelope, ...]}

whose events are in seq order, each with a seq in a..b. A seq in a..b that is not among them
was left out on purpose (chat sampled out for viewers); after the frame the client is up to
b. A lone envelope goes out only when it is the whole range, so a client that sees a seq jump
outside a batch has lost something and refetches. Frames are built from the broker's bodies by
splicing bytes: nothing is serialised per connection, and each frame once per audience.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from livebazaar.broker import Message
from livebazaar.kernel.events import EVENT_TYPES
from livebazaar.live import ChatMessageSent
from livebazaar.web.channel.frame_writer import text_frame

CHAT = ChatMessageSent.type
REPLAY_CHUNK = 100  # events per batch frame when a reconnecting client is replayed its gap
REPLAY_CHAT = 50  # chat messages a viewer is replayed at most: what its recent chat shows


@dataclass(slots=True)
class ShowEvent:
    """One broker message as the fan-out sees it."""

    seq: int
    body: bytes  # the envelope, serialised once by the broker
    type: str
    author: str | None  # a chat message's user_id
    urgent: bool
    for_viewers: bool = True  # False: sampled out of what viewers get

    @classmethod
    def of(cls, message: Message) -> ShowEvent:
        """Read the type (and a chat message's author) from the body, once per process."""
        kind, author = "", None
        try:
            envelope = json.loads(message.body)
        except ValueError:
            envelope = None
        if isinstance(envelope, dict):
            kind = str(envelope.get("type"))
            data = envelope.get("data")
            if kind == CHAT and isinstance(data, dict) and isinstance(data.get("user_id"), str):
                author = data["user_id"]
        event_class = EVENT_TYPES.get(kind)
        urgent = event_class is not None and event_class.urgent
        return cls(message.seq, message.body, kind, author, urgent)

    @property
    def is_chat(self) -> bool:
        return self.type == CHAT


class Frame:
    """One frame's JSON text, and its WebSocket encoding or str made once when first asked."""

    __slots__ = ("_text", "_wire", "last_seq", "payload")

    def __init__(self, last_seq: int, payload: bytes) -> None:
        self.last_seq = last_seq  # the client is up to this seq once it has the frame
        self.payload = payload
        self._wire: bytes | None = None
        self._text: str | None = None

    @property
    def wire(self) -> bytes:
        """The whole WebSocket frame, header included: the same bytes for every socket."""
        if self._wire is None:
            self._wire = text_frame(self.payload)
        return self._wire

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.payload.decode()
        return self._text

    def __len__(self) -> int:
        return len(self.payload)


def frame_for(first_seq: int, last_seq: int, events: Sequence[ShowEvent]) -> Frame:
    """The frame that brings a client from first_seq - 1 up to last_seq with `events`: the
    lone envelope when it is the whole range, else a batch."""
    if len(events) == 1 and events[0].seq == first_seq == last_seq:
        return Frame(last_seq, events[0].body)
    return batch(first_seq, last_seq, events)


def batch(first_seq: int, last_seq: int, events: Sequence[ShowEvent]) -> Frame:
    bodies = b",".join(e.body for e in events)
    payload = b'{"type":"batch","first_seq":%d,"last_seq":%d,"events":[%b]}' % (
        first_seq,
        last_seq,
        bodies,
    )
    return Frame(last_seq, payload)


def replay_for_viewer(events: Sequence[ShowEvent], user_id: str | None) -> list[ShowEvent]:
    """What a viewer is replayed of a gap: every event but chat, and of the chat the newest
    REPLAY_CHAT messages and the viewer's own. Its state then holds the recent chat a fresh
    GET of the show gives; hosts and moderators are replayed everything."""
    chat = [e.seq for e in events if e.is_chat]
    recent = set(chat[-REPLAY_CHAT:])
    return [
        e for e in events if not e.is_chat or e.seq in recent or (user_id and e.author == user_id)
    ]


def replay_frames(after: int, last_seq: int, events: Sequence[ShowEvent]) -> Iterator[Frame]:
    """Batches of at most REPLAY_CHUNK events that bring a client from `after` to `last_seq`
    (always batches, even of one event or none: each says where it ends)."""
    first = after + 1
    for start in range(0, len(events), REPLAY_CHUNK):
        chunk = events[start : start + REPLAY_CHUNK]
        last = last_seq if start + REPLAY_CHUNK >= len(events) else chunk[-1].seq
        yield batch(first, last, chunk)
        first = last + 1
    if not events and last_seq > after:
        yield batch(first, last_seq, [])
