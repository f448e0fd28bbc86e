"""One show's events in one process: its broker subscription's messages, coalesced per tick
and written to its sockets (docs/realtime.md, "Inside one process").

Events are gathered and sent as one frame per socket per tick. A quiet show loses nothing to
the tick: an event that finds nothing sent for a whole tick goes out at once (at the end of the
loop's turn, so events arriving together still share a frame); after that, events wait for the
tick, which counts from the end of the last round of writes. An urgent event (a drop started,
sold out or ended, a pin, a price change, the show's end: `Event.urgent`) sends what waits at
once, in seq order, taking over a round still being written. The tick stretches between
`tick_min_s` and `tick_max_s` with the CPU time the last rounds took (tick = cost /
busy_share), so a node with many sockets sends fewer, fuller frames.

Chat is sampled for viewers here, message by message as it arrives (`chat_sample.py`); each
round (`fanout_round.py`) then builds a frame once per audience and writes the same bytes to
every socket of it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from livebazaar.broker import Message, Subscription
from livebazaar.kernel.clock import Clock
from livebazaar.settings import Settings
from livebazaar.web.channel.chat_sample import ChatSampler
from livebazaar.web.channel.fanout_round import FanoutRound
from livebazaar.web.channel.show_connection import Connection
from livebazaar.web.channel.show_frames import ShowEvent

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
        self.frames_built = 0  # frames built since the feed began (each shared by an audience)
        self._policy = policy
        self._clock = clock
        self._sampler = ChatSampler(
            policy.chat_sample_above_per_s, policy.chat_sample_per_s, policy.chat_sample_window_s
        )
        self._pending: list[ShowEvent] = []
        self._pending_bytes = 0
        self._round: FanoutRound | None = None  # being written, a chunk per turn of the loop
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = None
        self._next_chunk: asyncio.Handle | None = None
        self._soon = False
        self._last_flush = float("-inf")  # loop time the last round ended
        self._cost = 0.0  # CPU seconds a round takes, smoothed

    def __len__(self) -> int:
        return len(self.staff) + len(self.viewers)

    @property
    def writing(self) -> bool:
        """Whether a round of writes is under way (more chunks to come)."""
        return self._round is not None

    def connections(self) -> Iterable[Connection]:
        yield from self.staff
        yield from self.viewers

    def add(self, conn: Connection) -> None:
        (self.staff if conn.staff else self.viewers).add(conn)

    def discard(self, conn: Connection) -> None:
        (self.staff if conn.staff else self.viewers).discard(conn)

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
        if self._round is not None:  # the round's end sends what waits, or an urgent event now
            if event.urgent:
                self._flush_soon()
        elif self._pending_bytes >= self._policy.batch_bytes:
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
        """Start a round with every waiting event now (taking over one still being written:
        its sockets not yet written get both rounds' events in one frame)."""
        self._soon = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        events, self._pending, self._pending_bytes = self._pending, [], 0
        if self._round is not None:
            events = self._round.events + events
            self._finish_round(self._round)
        self._round = FanoutRound(events, [*self.staff, *self.viewers])
        self._write_chunk()

    def _write_chunk(self) -> None:
        self._next_chunk = None
        round_ = self._round
        if round_ is None:
            return
        for conn in round_.write_chunk():
            self.discard(conn)
            if conn.overflowed:
                log.info("cut off a slow socket of show %s", self.show_id)
        if not round_.done:
            self._next_chunk = self._loop.call_soon(self._write_chunk)
            return
        self._round = None
        self._finish_round(round_)
        self._last_flush = self._loop.time()
        policy = self._policy
        self.tick = min(policy.tick_max_s, max(policy.tick_min_s, self._cost / policy.busy_share))
        if self._pending_bytes >= policy.batch_bytes or any(e.urgent for e in self._pending):
            self._flush_soon()
        elif self._pending:
            self._timer = self._loop.call_at(self._last_flush + self.tick, self.flush)

    def _finish_round(self, round_: FanoutRound) -> None:
        """Account for a round ended or taken over (the CPU it took sets the tick)."""
        if self._next_chunk is not None:
            self._next_chunk.cancel()
            self._next_chunk = None
        self.frames_built += round_.frames_built
        self._cost += SMOOTHING * (round_.cost - self._cost)

    def cut_off_all(self) -> None:
        for conn in self.connections():
            conn.cut_off()
        self.staff.clear()
        self.viewers.clear()

    def stop(self) -> None:
        for handle in (self._timer, self._next_chunk):
            if handle is not None:
                handle.cancel()
        self._timer = self._next_chunk = None
        self._round = None
        self._pending.clear()
        self._pending_bytes = 0
