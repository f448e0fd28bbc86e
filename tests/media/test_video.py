"""Live video end to end: a synthetic publisher pushes over RTMP, a media worker process
packages LL-HLS, the app serves the playlists, and a show's end leaves a replay.

The publisher burns a frame counter and its wall clock into every picture (a barcode), so the
tests read back exactly which frames came out, in which order.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import av
import pytest

from livebazaar.bootstrap import Container
from livebazaar.media.rtmp import RtmpServer
from livebazaar.media.synthetic import read_barcode
from livebazaar.settings import Settings
from livebazaar.web.app import start_rtmp
from tests.conftest import free_port, make_settings
from tests.live.stage import Stage, make_stage
from tests.support import Api, assert_problem

WAIT_S = 60.0  # a safety net against hanging, never an assertion about speed


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, rtmp_enabled=True, rtmp_port=free_port(), media_ladder=())


def _publisher(url: str, seconds: float, *extra: str) -> subprocess.Popen[bytes]:
    """The synthetic publisher in its own process (PyAV holds the GIL while it connects)."""
    command = [sys.executable, "-m", "livebazaar.media.synthetic", "rtmp", url]
    command += ["--seconds", str(seconds), "--width", "640", "--height", "360", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


async def _finish(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    out, err = await asyncio.to_thread(process.communicate, timeout=WAIT_S)
    return process.returncode, (out + err).decode(errors="replace")


async def _key(api: Api, stage: Stage, rtmp: RtmpServer) -> str:
    r = await api.client.post(f"{stage.url}/stream-key", headers=stage.owner.headers)
    assert r.status_code == 201, r.text
    return f"rtmp://127.0.0.1:{rtmp.port}/live/{r.json()['key']}"


async def _until(predicate: Callable[[], bool], what: str) -> None:
    """Poll state that another process changes (a worker's reports) until it holds."""
    try:
        async with asyncio.timeout(WAIT_S):
            while not predicate():  # noqa: ASYNC110 (no event to wait on across processes)
                await asyncio.sleep(0.05)
    except TimeoutError:
        pytest.fail(f"gave up waiting for {what}")


def _extinf(playlist: str) -> list[float]:
    return [float(x) for x in re.findall(r"#EXTINF:([0-9.]+),", playlist)]


def _decode_counters(init: bytes, segments: list[bytes]) -> list[int]:
    """Decode the concatenated CMAF (init + segments) and read every picture's counter."""
    import io

    counters = []
    with av.open(io.BytesIO(init + b"".join(segments)), "r", format="mp4") as container:
        for frame in container.decode(video=0):
            found = read_barcode(frame)
            assert found is not None, "a picture without its barcode"
            counters.append(found[0])
    return counters


async def _get(api: Api, path: str) -> bytes:
    r = await api.client.get(path)
    assert r.status_code == 200, (path, r.status_code, r.text[:200])
    return r.content


async def test_rtmp_to_ll_hls_and_a_replay_with_every_frame_in_order(
    api: Api, rtmp: RtmpServer, container: Container
) -> None:
    # Given a live show, its stream key, and a publisher pushing 4 s of 30 fps over RTMP
    stage = await make_stage(api)
    url = await _key(api, stage, rtmp)
    publisher = _publisher(url, 4.0)
    media = container.media
    await _until(lambda: media.master(stage.show_id) is not None, "the master playlist")

    # While it publishes, the show's state names the live playlist
    show = (await api.client.get(stage.url)).json()
    assert show["playback"]["hls_url"].endswith(f"/media/shows/{stage.show_id}/live.m3u8")
    assert show["playback"]["vod_url"] is None
    master = (await _get(api, f"/media/shows/{stage.show_id}/live.m3u8")).decode()
    assert "#EXT-X-STREAM-INF" in master
    assert "source/live.m3u8" in master

    # A blocking reload for segment 1 answers once it exists: LL-HLS with parts and a hint
    r = await api.client.get(f"/media/shows/{stage.show_id}/source/live.m3u8?_HLS_msn=1")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.apple.mpegurl"
    assert r.headers["cache-control"] == "public, max-age=1"
    live = r.text
    assert "#EXT-X-PART-INF:PART-TARGET=0.2" in live
    assert "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES" in live
    assert "#EXT-X-PART:DURATION=" in live
    assert "INDEPENDENT=YES" in live
    assert "#EXT-X-PRELOAD-HINT:TYPE=PART" in live
    assert "#EXT-X-PROGRAM-DATE-TIME:" in live
    part_uri = re.search(r'#EXT-X-PART:DURATION=[0-9.]+,URI="([^"]+)"', live)
    assert part_uri is not None
    part = await api.client.get(f"/media/shows/{stage.show_id}/source/{part_uri.group(1)}")
    assert part.status_code == 200
    assert part.headers["cache-control"] == "public, max-age=31536000, immutable"

    # The host pins a product on camera: the event carries the picture's program date-time
    pinned_pdt = media.video(stage.show_id).segments("source")[-1].program_date_time  # type: ignore[union-attr]
    product_id = stage.products[0].id
    r = await api.client.post(
        f"{stage.url}/pin", json={"product_id": product_id}, headers=stage.owner.headers
    )
    assert r.status_code == 200, r.text

    code, output = await _finish(publisher)
    assert code == 0, output
    sent = int(re.findall(r'"frames": ?(\d+)', output)[-1])
    await _until(lambda: not media.video(stage.show_id).publishing, "the worker's end")  # type: ignore[union-attr]

    # When the host ends the show: ENDLIST, and a VOD playlist over the same segments
    r = await api.client.post(f"{stage.url}/end", headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    playback = r.json()["playback"]
    assert playback["hls_url"] is None
    assert playback["vod_url"].endswith(f"/media/shows/{stage.show_id}/vod.m3u8")
    playlist = media.video(stage.show_id).playlists["source"]  # type: ignore[union-attr]
    assert playlist.render().rstrip().endswith("#EXT-X-ENDLIST")
    vod = (await _get(api, f"/media/shows/{stage.show_id}/source/vod.m3u8")).decode()
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in vod
    assert vod.rstrip().endswith("#EXT-X-ENDLIST")
    durations = _extinf(vod)
    assert durations
    assert max(durations) <= 1.1  # 1 s segments
    assert "#EXT-X-PART" not in vod

    # Then every frame the publisher sent comes out once, in order (remuxed, not re-encoded)
    init_uri = re.search(r'#EXT-X-MAP:URI="([^"]+)"', vod)
    assert init_uri is not None
    base = f"/media/shows/{stage.show_id}/source/"
    init = await _get(api, base + init_uri.group(1))
    segments = [await _get(api, base + u) for u in re.findall(r"^(seg-\d+\.m4s)$", vod, re.M)]
    counters = _decode_counters(init, segments)
    assert counters == list(range(sent))
    assert media.video(stage.show_id).mode == "remux"  # type: ignore[union-attr]

    # And the replay places the pin where it happened in the picture
    replay = (await api.client.get(f"{stage.url}/replay")).json()
    assert replay["vod_url"] == playback["vod_url"]
    pin = [m for m in replay["moments"] if m["kind"] == "pin"][-1]
    assert pin["product"]["product_id"] == product_id
    first_pdt = media.video(stage.show_id).segments("source")[0].program_date_time  # type: ignore[union-attr]
    assert pin["at_s"] >= (pinned_pdt - first_pdt).total_seconds()
    assert pin["at_s"] <= replay["duration_s"]
    # (the show's end also cleared the pin, after the last picture: not a chapter)


async def test_a_show_without_video_has_no_replay(api: Api) -> None:
    stage = await make_stage(api)
    await api.client.post(f"{stage.url}/end", headers=stage.owner.headers)
    r = await api.client.get(f"{stage.url}/replay")
    assert_problem(r, 404, "no_recording")
    assert (await api.client.get(stage.url)).json()["playback"] == {
        "hls_url": None,
        "vod_url": None,
        "publisher": None,
    }


async def test_a_bad_stream_key_is_refused_and_nothing_is_recorded(
    api: Api, rtmp: RtmpServer, container: Container
) -> None:
    stage = await make_stage(api)
    await _key(api, stage, rtmp)
    bad_url = f"rtmp://127.0.0.1:{rtmp.port}/live/{'0' * 32}"
    code, _ = await _finish(_publisher(bad_url, 1.0))
    assert code != 0
    assert container.media.video(stage.show_id) is None
    assert not (container.settings.media_dir / "shows" / stage.show_id).exists()
    r = await api.client.get(f"/media/shows/{stage.show_id}/live.m3u8")
    assert_problem(r, 404, "no_video")


async def test_a_long_gop_is_transcoded_to_one_second_segments(
    api: Api, rtmp: RtmpServer, container: Container
) -> None:
    # Given a publisher with a keyframe only every 4 s (too far apart to repackage)
    stage = await make_stage(api)
    publisher = _publisher(await _key(api, stage, rtmp), 5.0, "--gop-s", "4")
    media = container.media
    code, output = await _finish(publisher)
    assert code == 0, output
    await _until(
        lambda: (v := media.video(stage.show_id)) is not None and not v.publishing, "the end"
    )
    video = media.video(stage.show_id)
    assert video is not None
    # Then the worker transcoded it, cutting a keyframe every second
    assert video.mode == "transcode"
    segments = video.playlists["source"].segments
    assert len(segments) >= 3
    assert max(s.duration_s for s in segments) <= 1.1
    assert all(s.parts and s.parts[0].independent for s in segments)


async def test_a_worker_crash_is_isolated_and_the_host_continues_the_same_show(
    api: Api, rtmp: RtmpServer, container: Container
) -> None:
    # Given two shows publishing at once
    media = container.media
    first, second = await make_stage(api), await make_stage(api)
    one = _publisher(await _key(api, first, rtmp), 8.0)
    two = _publisher(await _key(api, second, rtmp), 4.0)
    await _until(
        lambda: all(
            (v := media.video(s.show_id)) is not None and len(v.segments("source")) >= 1
            for s in (first, second)
        ),
        "both shows' first segments",
    )
    # When the first show's worker dies
    video = media.video(first.show_id)
    assert video is not None
    assert video.worker is not None
    os.kill(video.worker.process.pid, signal.SIGKILL)
    await _until(lambda: not video.publishing, "the app noticing")
    assert video.crashes == 1
    one.kill()
    await _finish(one)

    # Then the second show goes on to its natural end, untouched
    code, output = await _finish(two)
    assert code == 0, output
    other = media.video(second.show_id)
    assert other is not None
    assert other.crashes == 0
    await _until(lambda: not other.publishing, "the second show's end")

    # And the host publishes again: the same show's playlist continues after a discontinuity
    before = len(video.segments("source"))
    again = _publisher(await _key(api, first, rtmp), 3.0)
    code, output = await _finish(again)
    assert code == 0, output
    await _until(lambda: not video.publishing, "the second session's end")
    segments = video.segments("source")
    assert len(segments) > before
    assert segments[before].discontinuity
    assert segments[before].init_uri != segments[0].init_uri
    text = video.playlists["source"].render()
    assert "#EXT-X-DISCONTINUITY" in text


async def test_one_publisher_per_show(api: Api, rtmp: RtmpServer, container: Container) -> None:
    # Given a show publishing over RTMP (for longer than a second publisher takes to start)
    stage = await make_stage(api)
    url = await _key(api, stage, rtmp)
    first = _publisher(url, 120.0)
    media = container.media
    await _until(
        lambda: (v := media.video(stage.show_id)) is not None and v.publishing, "publishing"
    )
    video = media.video(stage.show_id)
    assert video is not None
    session = video.session
    try:
        # When a second publisher uses the same key, it is refused (RTMP Publish.BadName)
        code, output = await _finish(_publisher(url, 1.0))
        assert code != 0
        assert "refused" in output.lower() or "error" in output.lower()
        # And the first one is unaffected: still the same publish session
        assert first.poll() is None
        assert video.publishing
        assert video.session == session
    finally:
        first.terminate()
        await _finish(first)
    await _until(lambda: not video.publishing, "the first session's end")
    assert video.crashes == 0


async def test_a_whip_offer_while_rtmp_publishes_gets_409(
    api: Api, rtmp: RtmpServer, container: Container
) -> None:
    # Given a show publishing over RTMP
    stage = await make_stage(api)
    url = await _key(api, stage, rtmp)
    key = url.rsplit("/", 1)[-1]
    publisher = _publisher(url, 4.0)
    media = container.media
    await _until(
        lambda: (v := media.video(stage.show_id)) is not None and v.publishing, "publishing"
    )
    # When the same show's key offers WHIP too, it is refused without touching the stream
    r = await api.client.post(
        f"{stage.url}/whip",
        content="v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n",
        headers={"Content-Type": "application/sdp", "Authorization": f"Bearer {key}"},
    )
    assert_problem(r, 409, "publisher_busy")
    code, output = await _finish(publisher)
    assert code == 0, output
    assert media.video(stage.show_id).crashes == 0  # type: ignore[union-attr]


async def test_a_malformed_stream_ends_its_worker_only(api: Api, container: Container) -> None:
    # Given a publish session whose "FLV" is garbage after a valid header
    stage = await make_stage(api)
    media = container.media
    worker = await media.start(stage.show_id, "rtmp")
    worker.stdin.write(b"FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00" + bytes(range(256)) * 64)
    await worker.stdin.drain()
    worker.stdin.close()
    # Then that worker fails, the app notices, and the show can publish again
    await _until(lambda: worker.exited.is_set(), "the worker's end")
    assert worker.returncode != 0
    video = media.video(stage.show_id)
    assert video is not None
    assert video.crashes == 1
    assert not video.publishing
    assert media.master(stage.show_id) is None  # nothing half-made is offered to viewers


async def test_a_taken_rtmp_port_says_which_setting_to_change(container: Container) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        container.settings = container.settings.model_copy(
            update={"rtmp_enabled": True, "rtmp_port": port}
        )
        with pytest.raises(RuntimeError, match="LIVEBAZAAR_RTMP_PORT"):
            await start_rtmp(container)
