"""The realtime hub: one broker subscription per show per process, fanned out to that
process's WebSockets (never one subscription per connection: the Channels group_send trap).

Each connection has a bounded queue. A viewer that cannot keep up (its queue is full) is
dropped with close code 1013 and reconnects with `after=<seq>`; it never makes the server
hold an unbounded backlog for it.

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
import json
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from fastapi import WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError
from starlette.applications import Starlette

from livebazaar.accounts import Actor
from livebazaar.bootstrap import Container
from livebazaar.broker import Broker, Message, Subscription
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.errors import DomainError, Invalid
from livebazaar.live import (
    InProcessViewerTally,
    Live,
    RateLimiter,
    ReactionTally,
    ShowNotFound,
    ViewersCount,
    ViewerTally,
    ViewerTotals,
    do_post_chat,
    do_react,
    get_show,
    publish_now,
    show_topic,
)
from livebazaar.live.errors import SignInToChat
from livebazaar.live.schemas import ClientChatFrame, ClientFrame, ClientReactionFrame
from livebazaar.web.deps import websocket_actor

log = logging.getLogger(__name__)

SLOW_CONSUMER_CLOSE = 1013  # "try again later"


@dataclass(frozen=True, slots=True)
class Frame:
    seq: int
    text: str  # the envelope, serialised once for every connection


class Connection:
    """One WebSocket's place in the hub: frames waiting to be sent, at most `maxsize`."""

    def __init__(self, show_id: str, maxsize: int) -> None:
        self.show_id = show_id
        self.queue: asyncio.Queue[Frame | None] = asyncio.Queue(maxsize)
        self.overflowed = False

    def offer(self, frame: Frame) -> bool:
        """Queue a frame; False (and the connection marked for closing) when it is full."""
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.cut_off()
            return False
        return True

    def cut_off(self) -> None:
        """Free the backlog and wake the sender with None: it closes the socket with 1013 and
        the client reconnects with `after`, getting what it missed from the broker's replay."""
        self.overflowed = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)

    async def next_frame(self) -> Frame | None:
        """The next frame, or None once the hub dropped this connection."""
        return await self.queue.get()


@dataclass
class _ShowFeed:
    subscription: Subscription
    connections: set[Connection] = field(default_factory=set)
    task: asyncio.Task[None] | None = None


class RealtimeHub:
    def __init__(
        self, broker: Broker, clock: Clock, queue_size: int = 256, tally: ViewerTally | None = None
    ) -> None:
        self._broker = broker
        self._clock = clock
        self._queue_size = queue_size
        self._tally: ViewerTally = tally or InProcessViewerTally()
        self._feeds: dict[str, _ShowFeed] = {}
        self._reported: set[str] = set()  # shows last reported with viewers here
        self._peaks: dict[str, int] = {}  # one int per show ever watched here: small
        self.reactions = ReactionTally()

    def join(self, show_id: str) -> Connection:
        """Register a connection. Frames published from now on reach its queue."""
        feed = self._feeds.get(show_id)
        if feed is None:
            feed = _ShowFeed(self._broker.subscribe(show_topic(show_id)))
            feed.task = asyncio.create_task(self._pump(show_id, feed))
            self._feeds[show_id] = feed
        conn = Connection(show_id, self._queue_size)
        feed.connections.add(conn)
        self._peaks[show_id] = max(self._peaks.get(show_id, 0), len(feed.connections))
        return conn

    async def leave(self, conn: Connection) -> None:
        feed = self._feeds.get(conn.show_id)
        if feed is None:
            return
        feed.connections.discard(conn)
        if not feed.connections:
            del self._feeds[conn.show_id]
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

    async def _pump(self, show_id: str, feed: _ShowFeed) -> None:
        async for message in feed.subscription:
            frame = Frame(message.seq, message.body.decode())
            for conn in tuple(feed.connections):
                if not conn.offer(frame):
                    feed.connections.discard(conn)
                    log.info("dropped a slow viewer of show %s", show_id)
        if self._feeds.get(show_id) is feed:
            # The subscription ended by itself (this process fell behind the broker, or the
            # broker lost history): cut every viewer off so each reconnects with `after` and
            # replays or resyncs; the next viewer to join opens a fresh subscription.
            del self._feeds[show_id]
            log.warning("broker subscription of show %s ended: reconnecting its viewers", show_id)
            for conn in feed.connections:
                conn.cut_off()
            feed.connections.clear()
            await feed.subscription.close()

    def viewer_count(self, show_id: str) -> int:
        """The show's open WebSockets in this process (the host's own studio counts too)."""
        feed = self._feeds.get(show_id)
        return len(feed.connections) if feed is not None else 0

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
        published, not this one."""
        sent = []
        for show_id in sorted(set(self._feeds) | self._reported):
            count = self.viewer_count(show_id)
            totals = await self._tally.report(
                show_id, count, self._clock.now(), peak=self.viewer_peak(show_id), claim=True
            )
            if count:
                self._reported.add(show_id)
            else:
                self._reported.discard(show_id)
            if totals.publish:
                event = ViewersCount(count=totals.total)
                sent.append(await publish_now(self._broker, self._clock, show_id, event))
        return sent


def hub_for(app: Starlette) -> RealtimeHub:
    """The process's hub, created on first use and kept on `app.state`."""
    hub: RealtimeHub | None = getattr(app.state, "realtime_hub", None)
    if hub is None:
        container = app.state.container
        hub = RealtimeHub(container.broker, container.clock, tally=container.viewers)
        app.state.realtime_hub = hub
    return hub


class _Socket:
    """One viewer's WebSocket: sends are serialised (live frames and error answers share it)."""

    def __init__(self, websocket: WebSocket) -> None:
        self.ws = websocket
        self._lock = asyncio.Lock()

    async def send(self, text: str) -> None:
        async with self._lock:
            await self.ws.send_text(text)

    async def send_json(self, frame: dict[str, Any]) -> None:
        await self.send(json.dumps(frame, separators=(",", ":")))


async def serve_show_socket(
    websocket: WebSocket, show_id: str, chat_limiter: RateLimiter, reaction_limiter: RateLimiter
) -> None:
    """Authenticate, replay what the client missed (or tell it to resync), then stream."""
    container: Container = websocket.app.state.container
    try:
        actor, after = await _admit(websocket, container, show_id)
    except _Refused as refused:
        await websocket.accept()  # a close code needs an open socket; a 403 would carry none
        await websocket.close(code=refused.code, reason=refused.reason)
        return
    hub = hub_for(websocket.app)
    conn = hub.join(show_id)  # before accepting: once open, the client misses nothing
    sock = _Socket(websocket)
    try:
        await hub.ready(conn)
        await websocket.accept()
        last = await _send_backlog(sock, container.broker, show_id, after)
        lv = Live(container.db, container.broker, container.clock)
        client = _ClientFrames(
            sock, lv, actor, show_id, container.settings.chat_max_length, hub.reactions
        )
        tasks = {
            asyncio.create_task(_send_live(sock, conn, last)),
            asyncio.create_task(client.serve(chat_limiter, reaction_limiter)),
        }
        _done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass  # the client went away mid-send
    finally:
        await hub.leave(conn)


class _Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


async def _admit(
    websocket: WebSocket, container: Container, show_id: str
) -> tuple[Actor | None, int | None]:
    if _uses_cookie(websocket, container) and not _same_origin(websocket, container):
        raise _Refused(4403, "cross-origin WebSocket with a session cookie")
    try:
        actor = await websocket_actor(websocket, container)
    except DomainError as exc:
        raise _Refused(4401, exc.code) from exc
    raw_after = websocket.query_params.get("after")
    after: int | None = None
    if raw_after is not None:
        if not raw_after.isdigit() or len(raw_after) > 18:
            raise _Refused(4400, "after must be a sequence number")
        after = int(raw_after)
    async with container.db.read() as session:
        try:
            await get_show(session, show_id)
        except ShowNotFound as exc:
            raise _Refused(4404, exc.code) from exc
    return actor, after


def _uses_cookie(websocket: WebSocket, container: Container) -> bool:
    if websocket.query_params.get("token") or websocket.headers.get("authorization"):
        return False
    return container.settings.session_cookie_name in websocket.cookies


def _same_origin(websocket: WebSocket, container: Container) -> bool:
    """Browsers send Origin; a page on another site must not ride the viewer's cookie."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: no ambient cookie to abuse
    allowed = {urlsplit(container.settings.public_url).netloc, websocket.headers.get("host")}
    return urlsplit(origin).netloc in allowed


async def _send_backlog(sock: _Socket, broker: Broker, show_id: str, after: int | None) -> int:
    """Send what the client missed since `after`; the seq it is now up to (0: from now on)."""
    if after is None:
        return 0
    missed = await broker.replay(show_topic(show_id), after)
    if missed is None:
        last = await broker.last_seq(show_topic(show_id))
        await sock.send_json({"type": "resync", "last_seq": last})
        return last
    for message in missed:
        await sock.send(message.body.decode())
    return missed[-1].seq if missed else after


async def _send_live(sock: _Socket, conn: Connection, last: int) -> None:
    while True:
        frame = await conn.next_frame()
        if frame is None:
            await sock.ws.close(code=SLOW_CONSUMER_CLOSE, reason="too slow: reconnect with after")
            return
        if frame.seq > last:
            await sock.send(frame.text)


class _ClientFrames:
    """What a client says over the socket: chat and reactions, answered with error frames."""

    def __init__(
        self, sock: _Socket, lv: Live, actor: Actor | None, show_id: str, max_length: int,
        tally: ReactionTally,
    ) -> None:  # fmt: skip
        self.sock = sock
        self.lv = lv
        self.actor = actor
        self.show_id = show_id
        self.max_length = max_length
        self.tally = tally

    async def serve(self, chat_limiter: RateLimiter, reaction_limiter: RateLimiter) -> None:
        while True:
            try:
                raw = await self.sock.ws.receive_text()
            except (WebSocketDisconnect, KeyError, RuntimeError):
                return  # closed (or sent a binary frame on the way out)
            try:
                await self._handle(raw, chat_limiter, reaction_limiter)
            except DomainError as exc:
                await self.sock.send_json(
                    {"type": "error", "code": exc.code, "detail": exc.detail, **exc.extra}
                )

    async def _handle(
        self, raw: str, chat_limiter: RateLimiter, reaction_limiter: RateLimiter
    ) -> None:
        try:
            frame = _CLIENT_FRAME.validate_json(raw)
        except ValidationError as exc:
            raise BadFrame() from exc
        if self.actor is None:
            raise SignInToChat()
        if isinstance(frame, ClientChatFrame):
            await do_post_chat(
                self.lv, chat_limiter, self.actor, self.show_id, frame.text, self.max_length
            )
        else:
            await do_react(
                self.lv, reaction_limiter, self.actor, self.show_id, frame.kind, tally=self.tally
            )


class BadFrame(Invalid):
    code = "bad_frame"
    title = 'Send {"type": "chat", "text": ...} or {"type": "reaction", "kind": ...}'


_CLIENT_FRAME: TypeAdapter[ClientChatFrame | ClientReactionFrame] = TypeAdapter(ClientFrame)
