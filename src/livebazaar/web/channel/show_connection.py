"""One socket's place in its show's feed: how frames reach it, and when it is cut off.

Frames reach a socket one of two ways:

- direct: the feed writes each frame's bytes to the socket's transport at once (the server
  offered a `FrameWriter`, and the socket has been replayed what it missed);
- queued: the frames wait here for the socket's sender, which sends them through the ASGI
  interface (another server, or while the socket is still being replayed its gap).

Either way a socket that falls behind is cut off, never allowed to grow the server's memory:
more than `max_bytes` written to its transport and not yet taken by the client, or more than
`max_frames` frames or `max_bytes` bytes queued. Its frames are dropped and its sender is told
to close it with 1013; the client reconnects with `after=<seq>` and is replayed its gap.
"""

from __future__ import annotations

import asyncio
from collections import deque

from livebazaar.web.channel.frame_writer import FrameWriter
from livebazaar.web.channel.show_frames import Frame


class Connection:
    __slots__ = (
        "_direct",
        "_max_bytes",
        "_max_frames",
        "_queue",
        "_queued_bytes",
        "_wake",
        "closed",
        "overflowed",
        "sent",
        "show_id",
        "staff",
        "user_id",
        "writer",
    )

    def __init__(
        self,
        show_id: str,
        *,
        staff: bool = False,
        user_id: str | None = None,
        writer: FrameWriter | None = None,
        max_frames: int = 256,
        max_bytes: int = 128 * 1024,
    ) -> None:
        self.show_id = show_id
        self.staff = staff  # a host, co-host or moderator of the show: every chat message
        self.user_id = user_id  # None: anonymous
        self.writer = writer
        self.overflowed = False  # cut off for falling behind (closed with 1013)
        self.closed = False  # takes no more frames
        # The seq the socket is up to once it has what was written or queued for it; None
        # until it has a place in the show's history (a replay, or a first frame).
        self.sent: int | None = None
        self._direct: FrameWriter | None = None
        self._queue: deque[Frame] = deque()
        self._queued_bytes = 0
        self._max_frames = max_frames
        self._max_bytes = max_bytes
        self._wake = asyncio.Event()

    def deliver(self, frame: Frame) -> bool:
        """Send or queue `frame`; False when this connection takes no more (the feed drops it)."""
        direct = self._direct
        if direct is not None:
            if direct.buffered_bytes() > self._max_bytes:
                self.cut_off()
                return False
            if direct.write_frame(frame.wire):
                self.sent = frame.last_seq
                return True
            self.end()  # the socket is closing anyway
            return False
        if self.closed:
            return False
        size = len(frame)
        if len(self._queue) >= self._max_frames or self._queued_bytes + size > self._max_bytes:
            self.cut_off()
            return False
        self._queue.append(frame)
        self._queued_bytes += size
        self.sent = frame.last_seq
        self._wake.set()
        return True

    def caught_up(self, after_seq: int) -> None:
        """The socket has been replayed everything up to `after_seq` (0: it asked for
        nothing past): frames from now on start past it."""
        if after_seq:
            self.sent = max(self.sent or 0, after_seq)

    def go_direct(self, after_seq: int) -> bool:
        """Write what queued up while the socket was replayed its gap (the frames that reach
        past `after_seq`), then let the feed write every frame straight to the socket.
        False when the server offers no writer: the frames stay queued for `next_frame`."""
        self.caught_up(after_seq)
        writer = self.writer
        if writer is None or self.closed:
            return False
        while self._queue:
            frame = self._queue.popleft()
            if frame.last_seq > after_seq and not writer.write_frame(frame.wire):
                self.end()
                return True
        self._queued_bytes = 0
        self._direct = writer
        return True

    async def next_frame(self) -> Frame | None:
        """The next queued frame; None once the connection is closed."""
        while not self._queue:
            if self.closed:
                return None
            self._wake.clear()
            await self._wake.wait()
        frame = self._queue.popleft()
        self._queued_bytes -= len(frame)
        return frame

    async def wait_closed(self) -> None:
        while not self.closed:
            self._wake.clear()
            await self._wake.wait()

    @property
    def queued_bytes(self) -> int:
        return self._queued_bytes

    def cut_off(self) -> None:
        """Fell behind: drop its frames; its sender closes the socket with 1013."""
        self.overflowed = True
        self.end()

    def end(self) -> None:
        """Take no more frames and free the queued ones."""
        self.closed = True
        self._direct = None
        self._queue.clear()
        self._queued_bytes = 0
        self._wake.set()
