"""The realtime hub: one broker subscription per show per process, fanned out to that
process's WebSockets (never one subscription per connection: the Channels group_send trap).

Each show served here has a `ShowFeed` (show_feed.py): it coalesces the show's events into one
frame per socket per tick, samples chat for viewers when it runs too fast, sends urgent shop
events at once, and cuts off a socket that falls behind (close code 1013; it reconnects with
`after=<seq>` and is replayed its gap). The socket itself is served by show_socket.py.

The hub also counts this process's viewers of each show (and the peak it has seen) and, every
viewer_count_interval_s, reports them to the container's live.ViewerTally, which adds up the
nodes' counts (in Redis when they share one) and says which node publishes a changed total as
"viewers.count"; the host's live panel reads the totals the same way. The reactions it
accepted (`reactions`, a live.ReactionTally) stay per process and are forgotten on restart
(ADR 0008).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.applications import Starlette

from livebazaar.broker import Broker, Message
from livebazaar.kernel.clock import Clock
from livebazaar.live import (
    InProcessViewerTally,
    ReactionTally,
    ViewersCount,
    ViewerTally,
    ViewerTotals,
    publish_now,
    show_topic,
)
from livebazaar.web.channel.frame_writer import FrameWriter
from livebazaar.web.channel.show_connection import Connection
from livebazaar.web.channel.show_feed import FanoutPolicy, ShowFeed

log = logging.getLogger(__name__)

SLOW_CONSUMER_CLOSE = 1013  # "try again later"


class RealtimeHub:
    def __init__(
        self,
        broker: Broker,
        clock: Clock,
        tally: ViewerTally | None = None,
        policy: FanoutPolicy | None = None,
    ) -> None:
        self._broker = broker
        self._clock = clock
        self.policy = policy or FanoutPolicy()
        self._tally: ViewerTally = tally or InProcessViewerTally()
        self._feeds: dict[str, ShowFeed] = {}
        self._reported: set[str] = set()  # shows last reported with viewers here
        self._joined: set[str] = set()  # shows a socket joined here since the last report
        self._peaks: dict[str, int] = {}  # one int per show ever watched here: small
        self.reactions = ReactionTally()

    def join(
        self,
        show_id: str,
        *,
        staff: bool = False,
        user_id: str | None = None,
        writer: FrameWriter | None = None,
    ) -> Connection:
        """Register a connection. Frames published from now on reach it: queued until its
        socket `go_direct`s (when `writer` is given), or for its sender to send."""
        feed = self._feeds.get(show_id)
        if feed is None:
            subscription = self._broker.subscribe(show_topic(show_id))
            feed = ShowFeed(show_id, subscription, self.policy, self._clock)
            feed.task = asyncio.create_task(self._pump(feed))
            self._feeds[show_id] = feed
        conn = Connection(
            show_id,
            staff=staff,
            user_id=user_id,
            writer=writer,
            max_frames=self.policy.max_frames,
            max_bytes=self.policy.max_bytes,
        )
        feed.add(conn)
        self._joined.add(show_id)
        self._peaks[show_id] = max(self._peaks.get(show_id, 0), len(feed))
        return conn

    async def leave(self, conn: Connection) -> None:
        conn.end()
        feed = self._feeds.get(conn.show_id)
        if feed is None:
            return
        feed.discard(conn)
        if not len(feed):
            del self._feeds[conn.show_id]
            feed.stop()
            await feed.subscription.close()
            if feed.task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await feed.task

    async def ready(self, conn: Connection) -> None:
        """Return once the show's broker subscription is live on the server (a networked
        broker subscribes after `subscribe()` returns): from then on `conn` misses nothing."""
        feed = self._feeds.get(conn.show_id)
        if feed is not None:
            await feed.subscription.ready()

    def feed(self, show_id: str) -> ShowFeed | None:
        """The show's feed in this process, while it has sockets here."""
        return self._feeds.get(show_id)

    async def _pump(self, feed: ShowFeed) -> None:
        await feed.pump()
        if self._feeds.get(feed.show_id) is feed:
            # The subscription ended by itself (this process fell behind the broker, or the
            # broker lost history): cut every viewer off so each reconnects with `after` and
            # replays or resyncs; the next viewer to join opens a fresh subscription.
            del self._feeds[feed.show_id]
            log.warning(
                "broker subscription of show %s ended: reconnecting its viewers", feed.show_id
            )
            feed.cut_off_all()
            await feed.subscription.close()

    def viewer_count(self, show_id: str) -> int:
        """The show's open WebSockets in this process (the host's own studio counts too)."""
        feed = self._feeds.get(show_id)
        return len(feed) if feed is not None else 0

    def viewer_peak(self, show_id: str) -> int:
        """The highest viewer_count this process has seen for the show since it started."""
        return self._peaks.get(show_id, 0)

    def viewer_total(self, show_id: str) -> int:
        """The show's viewers across the nodes, without I/O: this process's now, the others'
        as of its last report (a show's state starts from it; "viewers.count" then keeps it)."""
        return self._tally.estimate(show_id, self.viewer_count(show_id), self._clock.now())

    async def audience(self, show_id: str) -> ViewerTotals:
        """The show's viewers now and their peak across the nodes (the host's live panel).
        Reports this process's count on the way, without claiming a publication."""
        return await self._tally.report(
            show_id, self.viewer_count(show_id), self._clock.now(), peak=self.viewer_peak(show_id)
        )

    async def publish_viewer_counts(self) -> list[Message]:
        """Report this process's count of each show it serves (or served at the last report:
        its 0 must be told too) and send "viewers.count" with the total across nodes where the
        tally says this node is the first to see it change: one event per change, not one per
        node. The claim comes before the publish: if publishing fails, the next change is
        published, not this one. A show a socket joined since the last report is told its
        total even when it did not change (one left as another came): a page reads the state
        before its socket opens, so it holds a count without itself until told."""
        sent = []
        joined, self._joined = self._joined, set()
        for show_id in sorted(set(self._feeds) | self._reported):
            count = self.viewer_count(show_id)
            totals = await self._tally.report(
                show_id, count, self._clock.now(), peak=self.viewer_peak(show_id), claim=True
            )
            if count:
                self._reported.add(show_id)
            else:
                self._reported.discard(show_id)
            if totals.publish or (show_id in joined and count):
                event = ViewersCount(count=totals.total)
                sent.append(await publish_now(self._broker, self._clock, show_id, event))
        return sent


def hub_for(app: Starlette) -> RealtimeHub:
    """The process's hub, created on first use and kept on `app.state`."""
    hub: RealtimeHub | None = getattr(app.state, "realtime_hub", None)
    if hub is None:
        container = app.state.container
        hub = RealtimeHub(
            container.broker,
            container.clock,
            tally=container.viewers,
            policy=FanoutPolicy.of(container.settings),
        )
        app.state.realtime_hub = hub
    return hub
