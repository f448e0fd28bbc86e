"""A client that stops reading is cut off (close code 1013) and never grows the server's memory;
the others keep receiving every frame. On both delivery paths: frames written straight to the
transport (bounded by the transport's unsent bytes) and frames sent through ASGI (bounded by
what is queued for the socket; the server's own buffer stops at its high-water mark).

The stalled client is a real one: its socket's receive buffer is small and it never calls
recv(), so the websockets library stops reading after one frame and TCP's window closes.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from livebazaar.kernel.clock import ManualClock
from livebazaar.live import ChatMessageSent, publish_now
from livebazaar.web.channel.show_connection import Connection
from tests.live.stage import FRAME_TIMEOUT_S, make_stage, next_raw_frame, viewer, ws_url
from tests.nodes import Node, single_node

LIMIT = 64 * 1024
# Each event ~40 KB of random text (per-message compression, which uvicorn's own protocol
# negotiates, cannot shrink it): a few hundred fill any kernel buffer
BIG = secrets.token_urlsafe(30_000)
SETTINGS: dict[str, Any] = {"ws_send_limit_bytes": LIMIT, "chat_sample_above_per_s": 1e9}


async def stalled_client(url: str) -> ClientConnection:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    host, port = url.removeprefix("ws://").split("/", 1)[0].split(":")
    await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
    return await connect(url, sock=sock, max_queue=1, open_timeout=FRAME_TIMEOUT_S)


async def publish_read(n: Node, show_id: str, reader: ClientConnection, count: int) -> list[int]:
    """Publish `count` big events, each read by `reader` before the next (it keeps up); the
    seqs it read. Each event is over the feed's batch size: it goes out at once, alone."""
    seqs: list[int] = []
    for i in range(count):
        event = ChatMessageSent(
            id=f"m{i}", user_id="u", display_name="Loud", text=BIG, created_at=datetime.now(UTC)
        )
        await publish_now(n.api.container.broker, n.api.container.clock, show_id, event)
        frame = await next_raw_frame(reader)
        seqs.extend(e["seq"] for e in (frame["events"] if frame["type"] == "batch" else [frame]))
    return seqs


async def drain(ws: ClientConnection) -> None:
    while True:
        await ws.recv()


async def until_closed(conn: Connection) -> None:
    while not conn.closed:  # noqa: ASYNC110 (the server closes it on its own schedule)
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("stock_ws", [False, True], ids=["direct", "asgi"])
async def test_a_client_that_stops_reading_is_cut_off_and_costs_no_more_memory(
    tmp_path: Path, clock: ManualClock, stock_ws: bool
) -> None:
    async with single_node(tmp_path, clock, stock_ws=stock_ws, **SETTINGS) as n:
        stage = await make_stage(n.api)
        show = stage.show_id
        stalled = await stalled_client(ws_url(n.url, show))
        feed = n.hub.feed(show)
        assert feed is not None
        (stalled_conn,) = feed.connections()
        async with viewer(n.url, show) as reader:
            # When 300 big events go out and one client never reads
            got = await publish_read(n, show, reader, 300)
            await asyncio.wait_for(until_closed(stalled_conn), FRAME_TIMEOUT_S)
            # Then it was cut off, holding at most the limit and one frame
            assert stalled_conn.overflowed
            assert stalled_conn.queued_bytes == 0
            writer = stalled_conn.writer
            assert (writer is None) is stock_ws
            at_cut = writer.buffered_bytes() if writer is not None else 0
            assert at_cut <= LIMIT + len(BIG) + 1024
            # and it takes no more while the show goes on; the reader gets everything, in order
            got += await publish_read(n, show, reader, 50)
            if writer is not None:
                assert writer.buffered_bytes() <= at_cut
            assert stalled_conn.queued_bytes == 0
            assert got == list(range(got[0], got[0] + 350))
            assert n.hub.viewer_count(show) == 1
        # When the stalled client reads again, it finds the socket closed (1013, or dropped
        # if it took too long to take even the close frame): it reconnects with `after`
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(drain(stalled), FRAME_TIMEOUT_S)
        assert closed.value.rcvd is None or closed.value.rcvd.code == 1013
