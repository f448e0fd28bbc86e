"""One flush of a show's events on its way to the show's sockets, `CHUNK` sockets per turn of
the event loop, so that an urgent event never waits for a whole round of writes.

Each socket gets one frame holding the events past the seq it was last sent
(`Connection.sent`; a socket with no place yet in the show's history, just the round's):
the staff every event, a viewer the ones the chat sample kept and their
own messages. A frame is built once for every distinct (audience, last sent, own author) and
the same bytes go to every socket that shares it: usually one frame for the staff and one for
the viewers. A socket that has been sent everything gets nothing; one whose frame would hold
no event (its chat all sampled out) gets nothing either, and its next frame's range starts
where its last one ended.

When an urgent event arrives while a round is being written, a new round takes over with both
rounds' events: the sockets already written get only the new ones, the others everything in
one frame, never two frames out of order.
"""

from __future__ import annotations

import time

from livebazaar.web.channel.show_connection import Connection
from livebazaar.web.channel.show_frames import Frame, ShowEvent, frame_for

CHUNK = 500  # sockets written per turn of the loop (a few ms): what an urgent event waits for

_Key = tuple[bool, int, str | None]  # staff?, the seq the socket was last sent, own author


class FanoutRound:
    def __init__(self, events: list[ShowEvent], targets: list[Connection]) -> None:
        self.events = events
        self.targets = targets
        self.pos = 0
        self._first = events[0].seq
        self.cost = 0.0  # CPU seconds spent writing it so far
        self.frames_built = 0
        self._frames: dict[_Key, Frame | None] = {}
        left_out = [e for e in events if not e.for_viewers]
        self._sampled = bool(left_out)  # else staff and viewers share one frame
        self._authors = {e.author for e in left_out if e.author is not None}

    @property
    def done(self) -> bool:
        return self.pos >= len(self.targets)

    def write_chunk(self) -> list[Connection]:
        """Write the next CHUNK sockets' frames; the connections that take no more."""
        started = time.thread_time()
        dropped = []
        end = min(self.pos + CHUNK, len(self.targets))
        for i in range(self.pos, end):
            conn = self.targets[i]
            if conn.closed:
                continue
            frame = self._frame_for(conn)
            if frame is not None and not conn.deliver(frame):
                dropped.append(conn)
        self.pos = end
        self.cost += time.thread_time() - started
        return dropped

    def _frame_for(self, conn: Connection) -> Frame | None:
        staff = conn.staff and self._sampled
        own = conn.user_id if not conn.staff and conn.user_id in self._authors else None
        sent = conn.sent if conn.sent is not None else self._first - 1
        key = (staff, sent, own)
        try:
            return self._frames[key]
        except KeyError:
            frame = self._frames[key] = self._build(*key)
            return frame

    def _build(self, staff: bool, sent: int, own: str | None) -> Frame | None:
        events = [
            e
            for e in self.events
            if e.seq > sent and (staff or e.for_viewers or (own is not None and e.author == own))
        ]
        if not events:
            return None
        self.frames_built += 1
        return frame_for(sent + 1, self.events[-1].seq, events)
