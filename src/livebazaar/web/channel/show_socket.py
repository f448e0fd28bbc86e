"""One client's show WebSocket (docs/realtime.md): admission, the replay of what it missed,
then the show's live frames, and the chat and reactions it sends.

Admission decides, with one query, whether the socket is staff (a host, co-host or moderator
of the show: every chat message) or a viewer (chat sampled when it runs too fast). The socket
joins the show's feed before it is accepted, so nothing published after that is missed; it is
replayed its gap from the broker (`after=`), then its frames flow: written straight to the
transport where the server allows (frame_writer.py), else sent through ASGI.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from fastapi import WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError

from livebazaar.accounts import Actor
from livebazaar.bootstrap import Container
from livebazaar.broker import Broker
from livebazaar.kernel.errors import DomainError, Invalid
from livebazaar.live import (
    Live,
    RateLimiter,
    ReactionTally,
    ShowNotFound,
    do_post_chat,
    do_react,
    may_moderate_show,
    show_topic,
)
from livebazaar.live.errors import SignInToChat
from livebazaar.live.schemas import ClientChatFrame, ClientFrame, ClientReactionFrame
from livebazaar.web.channel.frame_writer import frame_writer
from livebazaar.web.channel.realtime import SLOW_CONSUMER_CLOSE, hub_for
from livebazaar.web.channel.show_connection import Connection
from livebazaar.web.channel.show_frames import ShowEvent, replay_for_viewer, replay_frames
from livebazaar.web.deps import websocket_actor
from livebazaar.web.problems import failure_problem

CLOSE_GRACE_S = 5.0  # a cut-off socket that takes not even the close frame is then dropped
# What sending to a socket the client has left raises (RuntimeError: ASGI's "send after close").
_CLIENT_GONE = (WebSocketDisconnect, RuntimeError, OSError)
log = logging.getLogger(__name__)


class _Socket:
    """One client's WebSocket: sends through ASGI are serialised (replayed frames, queued
    frames and error answers share it)."""

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
        actor, after, staff = await _admit(websocket, container, show_id)
    except _Refused as refused:
        await websocket.accept()  # a close code needs an open socket; a 403 would carry none
        await websocket.close(code=refused.code, reason=refused.reason)
        return
    hub = hub_for(websocket.app)
    conn = hub.join(  # before accepting: once open, the client misses nothing
        show_id,
        staff=staff,
        user_id=actor.user_id if actor is not None else None,
        writer=frame_writer(websocket.scope),
    )
    sock = _Socket(websocket)
    try:
        await hub.ready(conn)
        await websocket.accept()
        last = await _send_backlog(sock, container.broker, conn, after)
        lv = Live(container.db, container.broker, container.clock)
        client = _ClientFrames(
            sock, lv, actor, show_id, container.settings.chat_max_length, hub.reactions
        )
        tasks = {
            asyncio.create_task(client.serve(chat_limiter, reaction_limiter)),
            asyncio.create_task(conn.wait_closed()),  # cut off, or the server closing
        }
        if not conn.go_direct(last):  # from now on the feed writes to the transport itself
            tasks.add(asyncio.create_task(_send_queued(sock, conn, last)))
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:  # retrieved, so none is reported "never retrieved" at exit
            failure = None if task.cancelled() else task.exception()
            if failure is not None and not isinstance(failure, _CLIENT_GONE):
                log.error("show socket of %s failed", show_id, exc_info=failure)
        if conn.overflowed:
            await _close_slow(sock, conn)
    except _CLIENT_GONE:
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
) -> tuple[Actor | None, int | None, bool]:
    """Who is asking, the seq they are up to, and whether they are the show's staff."""
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
            staff = await may_moderate_show(session, actor, show_id)
        except ShowNotFound as exc:
            raise _Refused(4404, exc.code) from exc
    return actor, after, staff


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


async def _send_backlog(sock: _Socket, broker: Broker, conn: Connection, after: int | None) -> int:
    """Send what the client missed since `after` in batches (a viewer's chat as
    `replay_for_viewer` keeps it); the seq it is now up to (0: from now on)."""
    if after is None:
        return 0
    topic = show_topic(conn.show_id)
    missed = await broker.replay(topic, after)
    if missed is None:
        last = await broker.last_seq(topic)
        await sock.send_json({"type": "resync", "last_seq": last})
        return last
    if not missed:
        return after
    events = [ShowEvent.of(message) for message in missed]
    if not conn.staff:
        events = replay_for_viewer(events, conn.user_id)
    for frame in replay_frames(after, missed[-1].seq, events):
        await sock.send(frame.text)
    return missed[-1].seq


async def _send_queued(sock: _Socket, conn: Connection, last: int) -> None:
    """The show's frames after `last`, taken from the connection's queue and sent through ASGI
    (a server that offers no FrameWriter)."""
    while (frame := await conn.next_frame()) is not None:
        if frame.last_seq > last:
            await sock.send(frame.text)


async def _close_slow(sock: _Socket, conn: Connection) -> None:
    """Close a cut-off socket with 1013 (reconnect with `after`). One that does not even take
    the close frame within CLOSE_GRACE_S is dropped with what is buffered for it."""
    try:
        async with asyncio.timeout(CLOSE_GRACE_S):
            await sock.ws.close(code=SLOW_CONSUMER_CLOSE, reason="too slow: reconnect with after")
    except TimeoutError:
        if conn.writer is not None:
            conn.writer.abort_connection()


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
            except Exception as exc:  # the socket stays: the client may try again
                code, title = failure_problem(exc)
                if code == "internal_error":
                    log.exception("a client frame on show %s failed", self.show_id)
                await self.sock.send_json({"type": "error", "code": code, "detail": title})

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
