"""RTMP ingest with a real publisher: PyAV's FFmpeg pushing H.264 in FLV over rtmp://.

The publisher runs in a thread while the server runs in the test's event loop; every wait is
bounded, so a hang fails the test instead of blocking CI.
"""

from __future__ import annotations

import asyncio
import os
import struct
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import av
import pytest

from livebazaar.media.flv import flv_file_sinks
from livebazaar.media.rtmp import RtmpServer, authorize_by_stream_key
from livebazaar.media.rtmp_protocol import (
    AMF0_COMMAND,
    HANDSHAKE_SIZE,
    SET_CHUNK_SIZE,
    Message,
    amf0_encode,
    encode_message,
)
from tests.live.stage import make_stage
from tests.support import Api

SHOW = "show-1"
KEY = "a" * 32
SAME_SHOW_KEY = "b" * 32
FPS, FRAMES = 15, 45  # three seconds, a keyframe every second
TIMEOUT_S = 60.0
REFUSED = 3
ROOT = Path(__file__).parents[2]


def _frame(index: int) -> av.VideoFrame:
    frame = av.VideoFrame(320, 240, "yuv420p")
    frame.planes[0].update(bytes([index * 5 % 256]) * (320 * 240))
    frame.planes[1].update(bytes([128]) * (160 * 120))
    frame.planes[2].update(bytes([128]) * (160 * 120))
    frame.pts = index
    return frame


def publish(url: str, frames: int, hold: bool) -> None:
    """Encode `frames` frames with libx264 and push them; with `hold`, stay connected after
    the last packet until a line arrives on stdin."""
    with av.open(url, mode="w", format="flv") as container:
        stream = container.add_stream(
            "libx264",
            rate=FPS,
            options={"preset": "ultrafast", "tune": "zerolatency", "g": str(FPS)},
        )
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for index in range(frames):
            container.mux(stream.encode(_frame(index)))
        container.mux(stream.encode(None))
        if hold:
            sys.stdin.readline()


def decoded_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


async def start_publisher(
    url: str, frames: int = FRAMES, *, hold: bool = False
) -> asyncio.subprocess.Process:
    """The publisher runs in its own process: PyAV holds the GIL while it connects, so a
    thread of this process would stall the server it talks to."""
    return await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "tests.media.test_rtmp", url, str(frames), "hold" * hold),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )


async def finish(publisher: asyncio.subprocess.Process) -> int:
    """Let the publisher end; its exit status: 0 published, REFUSED could not publish."""
    try:
        _, err = await asyncio.wait_for(publisher.communicate(b"end\n"), TIMEOUT_S)
    except TimeoutError:
        publisher.kill()
        await publisher.wait()
        raise
    assert publisher.returncode in (0, REFUSED), err.decode()
    return publisher.returncode


async def run_publisher(url: str, frames: int = FRAMES) -> int:
    return await finish(await start_publisher(url, frames))


async def wait_until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(TIMEOUT_S):
        while not condition():  # noqa: ASYNC110 (the server's state has no event to await)
            await asyncio.sleep(0.02)


def recordings(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.flv")) if directory.exists() else []


@pytest.fixture
def rec_dir(tmp_path: Path) -> Path:
    return tmp_path / "rec"


@pytest.fixture
async def server(rec_dir: Path) -> AsyncIterator[RtmpServer]:
    keys = {KEY: SHOW, SAME_SHOW_KEY: SHOW}

    async def authorize(key: str) -> str | None:
        return keys.get(key)

    rtmp = RtmpServer(
        authorize=authorize,
        open_sink=flv_file_sinks(rec_dir, lambda: datetime.now(UTC)),
        port=0,
        idle_timeout_s=TIMEOUT_S,  # a held publisher sends nothing while the others are refused
    )
    await rtmp.start()
    yield rtmp
    await asyncio.wait_for(rtmp.close(), TIMEOUT_S)


def url_of(server: RtmpServer, key: str, app: str = "live") -> str:
    return f"rtmp://127.0.0.1:{server.port}/{app}/{key}"


async def test_a_good_key_is_recorded_frame_for_frame(server: RtmpServer, rec_dir: Path) -> None:
    assert await run_publisher(url_of(server, KEY)) == 0
    await wait_until(lambda: SHOW not in server.publishing)
    [recording] = recordings(rec_dir)
    assert recording.name.startswith(f"{SHOW}-")
    assert await asyncio.to_thread(decoded_frames, recording) == FRAMES


async def test_a_bad_key_is_refused_and_nothing_is_recorded(
    server: RtmpServer, rec_dir: Path
) -> None:
    assert await run_publisher(url_of(server, "c" * 32)) == REFUSED
    assert await run_publisher(url_of(server, KEY, app="other")) == REFUSED
    assert recordings(rec_dir) == []
    assert server.publishing == set()


async def test_a_second_publisher_of_a_live_show_is_refused(
    server: RtmpServer, rec_dir: Path
) -> None:
    first = await start_publisher(url_of(server, KEY), hold=True)
    try:
        await wait_until(lambda: SHOW in server.publishing)
        for key in (KEY, SAME_SHOW_KEY):
            assert await run_publisher(url_of(server, key)) == REFUSED
        assert SHOW in server.publishing  # the first is still live
    finally:
        assert await finish(first) == 0
    await wait_until(lambda: SHOW not in server.publishing)
    [recording] = recordings(rec_dir)
    assert await asyncio.to_thread(decoded_frames, recording) == FRAMES


def _chunk(type_id: int, payload: bytes) -> bytes:
    return encode_message(Message(type_id, 0, 0, payload), 3, 128)


_CONNECT = _chunk(AMF0_COMMAND, amf0_encode("connect", 1, {"app": "live"}))
_NESTED = b"\x03\x00\x01a" * 100  # objects inside objects, never closed
GARBAGE = {
    "http instead of a handshake": b"GET / HTTP/1.1\r\n\r\n" + bytes(2000),
    "too many chunk streams": b"".join(
        bytes([0x00, csid, 0, 0, 0, 0, 0, 100, 9, 0, 0, 0, 0]) + bytes(10) for csid in range(100)
    ),
    "chunk size of 0": _chunk(SET_CHUNK_SIZE, struct.pack(">I", 0)),
    "chunk size of 1 MiB": _chunk(SET_CHUNK_SIZE, struct.pack(">I", 1 << 20)),
    "AMF nested too deep": _CONNECT + _chunk(AMF0_COMMAND, amf0_encode("publish", 2) + _NESTED),
    "random bytes": os.urandom(4096),
}


async def _send_garbage(server: RtmpServer, name: str) -> bytes:
    """What the server sends before closing a connection that sent `GARBAGE[name]`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    received = b""
    try:
        if not name.startswith("http"):
            writer.write(b"\x03" + bytes(HANDSHAKE_SIZE))
            received = await reader.readexactly(1 + 2 * HANDSHAKE_SIZE)
            writer.write(bytes(HANDSHAKE_SIZE))
        writer.write(GARBAGE[name])
        async with asyncio.timeout(TIMEOUT_S):
            while chunk := await reader.read(65536):  # until the server closes
                received += chunk
    except ConnectionResetError:
        pass
    finally:
        writer.close()
    return received


@pytest.mark.parametrize("name", sorted(GARBAGE))
async def test_garbage_closes_that_connection_only(
    server: RtmpServer, rec_dir: Path, name: str
) -> None:
    await _send_garbage(server, name)
    assert await run_publisher(url_of(server, KEY)) == 0
    await wait_until(lambda: SHOW not in server.publishing)
    [recording] = recordings(rec_dir)
    assert await asyncio.to_thread(decoded_frames, recording) == FRAMES


async def test_keys_issued_by_the_api_publish_to_their_show(api: Api, tmp_path: Path) -> None:
    stage = await make_stage(api)
    response = await api.client.post(f"{stage.url}/stream-key", headers=stage.owner.headers)
    key = response.json()["key"]
    rtmp = RtmpServer(
        authorize=authorize_by_stream_key(api.container.db),
        open_sink=flv_file_sinks(tmp_path / "rec", api.container.clock.now),
        port=0,
    )
    await rtmp.start()
    try:
        assert await run_publisher(url_of(rtmp, key[::-1]), frames=FPS) == REFUSED
        assert await run_publisher(url_of(rtmp, key), frames=FPS) == 0
        await wait_until(lambda: not rtmp.publishing)
    finally:
        await asyncio.wait_for(rtmp.close(), TIMEOUT_S)
    [recording] = recordings(tmp_path / "rec")
    assert recording.name.startswith(f"{stage.show_id}-")
    assert await asyncio.to_thread(decoded_frames, recording) == FPS


if __name__ == "__main__":  # the publisher process: URL FRAMES [hold]
    try:
        publish(sys.argv[1], int(sys.argv[2]), hold=sys.argv[3:4] == ["hold"])
    except (av.error.FFmpegError, OSError) as exc:
        print(f"publish failed: {exc!r}", file=sys.stderr)  # noqa: T201
        sys.exit(REFUSED)
