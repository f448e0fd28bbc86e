"""One show's events in one process: its broker subscription's messages, coalesced per tick
and written to its sockets (docs/realtime.md, "Inside one process").

Events are gathered and sent as one frame per socket per tick. A quiet show loses nothing to
the tick: an event that finds nothing sent for a whole tick goes out at once (at the end of the
loop's turn, so events arriving together still share a frame); after that, events wait for the
tick. An urgent event (a drop started, sold out or ended, a pin, a price change, the show's
end: `Event.urgent`) sends what waits at once, in seq order. The tick stretches between
`tick_min_s` and `tick_max_s` with the CPU time the last ticks' writing took
(tick = cost / busy_share), so a node with many sockets sends fewer, fuller frames.

Each tick's frame is built once per audience: one for the show's staff (hosts, co-hosts,
moderators: every event), one for viewers (chat sampled when it runs faster than anyone reads:
`chat_sample.py`), and one more per author whose own message the sample left out (an author
always sees their message). The bytes are then written to every socket of that audience.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from livebazaar.broker import Message, Subscription
from livebazaar.kernel.clock import Clock
from livebazaar.settings import Settings
from livebazaar.web.chat_sample import ChatSampler
from livebazaar.web.show_connection import Connection
from livebazaar.web.show_frames import Frame, ShowEvent, frame_for

log = logging.getLogger(__name__)
SMOOTHING = 0.3  # weight of the newest tick's cost in the running estimate


@dataclass(frozen=True)
class FanoutPolicy:
    """The fan-out's settings (settings.py explains each)."""

    tick_min_s: float = 0.1
    tick_max_s: float = 0.25
    busy_share: float = 0.2
    chat_sample_above_per_s: float = 6.0
    chat_sample_window_s: float = 2.0
    chat_sample_per_s: float = 4.0
    max_frames: int = 256  # frames queued for a socket at most
    max_bytes: int = 128 * 1024  # bytes behind for a socket at most
    # Events waiting this many bytes go out at once: a flood never makes a frame bigger than
    # this and one event (well below max_bytes and any client's message limit).
    batch_bytes: int = 32 * 1024

    @classmethod
    def of(cls, settings: Settings) -> FanoutPolicy:
        return cls(
            tick_min_s=settings.fanout_tick_min_s,
            tick_max_s=settings.fanout_tick_max_s,
            busy_share=settings.fanout_busy_share,
            chat_sample_above_per_s=settings.chat_sample_above_per_s,
            chat_sample_window_s=settings.chat_sample_window_s,
            chat_sample_per_s=settings.chat_sample_per_s,
            max_bytes=settings.ws_send_limit_bytes,
        )


class ShowFeed:
    def __init__(
        self, show_id: str, subscription: Subscription, policy: FanoutPolicy, clock: Clock
    ) -> None:
        self.show_id = show_id
        self.subscription = subscription
        self.task: asyncio.Task[None] | None = None
        self.staff: set[Connection] = set()
        self.viewers: set[Connection] = set()
        self.tick = policy.tick_min_s
        self.frames_built = 0  # frames built since the feed began (each reused per audience)
        self._policy = policy
        self._clock = clock
        self._sampler = ChatSampler(
            policy.chat_sample_above_per_s, policy.chat_sample_per_s, policy.chat_sample_window_s
        )
        self._viewer_ids: Counter[str] = Counter()  # signed-in viewers here, by user
        self._pending: list[ShowEvent] = []
        self._pending_bytes = 0
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = None
        self._soon = False
        self._last_flush = float("-inf")  # loop time
        self._viewer_floor: int | None = None  # the last seq the viewers' frames reached
        self._cost = 0.0  # CPU seconds a tick's writing takes, smoothed

    def __len__(self) -> int:
        return len(self.staff) + len(self.viewers)

    def connections(self) -> Iterable[Connection]:
        yield from self.staff
        yield from self.viewers

    def add(self, conn: Connection) -> None:
        if conn.staff:
            self.staff.add(conn)
        else:
            self.viewers.add(conn)
            if conn.user_id is not None:
                self._viewer_ids[conn.user_id] += 1

    def discard(self, conn: Connection) -> None:
        if conn in self.staff:
            self.staff.discard(conn)
        elif conn in self.viewers:
            self.viewers.discard(conn)
            if conn.user_id is not None:
                self._viewer_ids[conn.user_id] -= 1
                if self._viewer_ids[conn.user_id] <= 0:
                    del self._viewer_ids[conn.user_id]

    async def pump(self) -> None:
        """Feed the subscription's messages in until it ends, then send what waits."""
        async for message in self.subscription:
            self.receive(message)
        self.flush()

    def receive(self, message: Message) -> None:
        event = ShowEvent.of(message)
        if event.is_chat:
            event.for_viewers = self._sampler.keep(self._clock.now().timestamp())
        self._pending.append(event)
        self._pending_bytes += len(event.body)
        if self._pending_bytes >= self._policy.batch_bytes:
            self.flush()
        elif event.urgent or self._loop.time() - self._last_flush >= self.tick:
            self._flush_soon()
        elif self._timer is None and not self._soon:
            self._timer = self._loop.call_at(self._last_flush + self.tick, self.flush)

    def _flush_soon(self) -> None:
        if not self._soon:
            self._soon = True
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        """Send every waiting event now, one frame per socket."""
        self._soon = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        events, self._pending = self._pending, []
        self._pending_bytes = 0
        if not events:
            return
        started = time.thread_time()
        dropped = self._dispatch(events)
        cost = time.thread_time() - started
        self._last_flush = self._loop.time()
        self._cost += SMOOTHING * (cost - self._cost)
        policy = self._policy
        self.tick = min(policy.tick_max_s, max(policy.tick_min_s, self._cost / policy.busy_share))
        for conn in dropped:
            self.discard(conn)
            if conn.overflowed:
                log.info("cut off a slow socket of show %s", self.show_id)

    def _dispatch(self, events: list[ShowEvent]) -> list[Connection]:
        first, last = events[0].seq, events[-1].seq
        dropped: list[Connection] = []
        if self.staff:
            _deliver(self.staff, frame_for(first, last, events), dropped)
            self.frames_built += 1
        start = first if self._viewer_floor is None else min(first, self._viewer_floor + 1)
        shown = [e for e in events if e.for_viewers]
        frame = frame_for(start, last, shown) if shown else None
        own = self._own_frames(start, last, events, shown)
        self.frames_built += (frame is not None) + len(own)
        if own:
            for conn in self.viewers:
                mine = own.get(conn.user_id, frame) if conn.user_id is not None else frame
                if mine is not None and not conn.deliver(mine):
                    dropped.append(conn)
        elif frame is not None:
            _deliver(self.viewers, frame, dropped)
        if shown or not self.viewers:
            self._viewer_floor = last
        return dropped

    def _own_frames(
        self, start: int, last: int, events: list[ShowEvent], shown: list[ShowEvent]
    ) -> dict[str, Frame]:
        """A frame for each signed-in viewer here whose message the sample left out: the
        viewers' events plus theirs."""
        authors = {
            e.author
            for e in events
            if not e.for_viewers and e.author is not None and e.author in self._viewer_ids
        }
        if not authors:
            return {}
        return {
            author: frame_for(
                start, last, [e for e in events if e.for_viewers or e.author == author]
            )
            for author in authors
        }

    def cut_off_all(self) -> None:
        for conn in self.connections():
            conn.cut_off()
        self.staff.clear()
        self.viewers.clear()
        self._viewer_ids.clear()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending.clear()
        self._pending_bytes = 0


def _deliver(conns: set[Connection], frame: Frame, dropped: list[Connection]) -> None:
    for conn in conns:
        if not conn.deliver(frame):
            dropped.append(conn)
