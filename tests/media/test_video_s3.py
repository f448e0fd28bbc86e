"""Live video into S3-compatible object storage (moto's server over HTTP), with a ladder rung:
what a deployment behind a CDN runs. Players fetch media from the bucket's public URL; the app
still answers the live playlists (blocking reload needs the origin)."""

from __future__ import annotations

import asyncio
import re
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from livebazaar.bootstrap import Container
from livebazaar.media.rtmp import RtmpServer
from livebazaar.settings import Settings
from tests.conftest import free_port, make_settings
from tests.live.stage import make_stage
from tests.media.s3 import ACCESS_KEY, SECRET_KEY, make_public
from tests.support import Api

WAIT_S = 60.0  # a safety net against hanging, never an assertion about speed
BUCKET = f"lb-video-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def settings(tmp_path: Path, s3_endpoint: str) -> Settings:
    credentials = f"{quote(ACCESS_KEY, safe='')}:{quote(SECRET_KEY, safe='')}"
    return make_settings(
        tmp_path,
        media_store_url=f"s3://{credentials}@{BUCKET}?endpoint={s3_endpoint}&create_bucket=true",
        rtmp_enabled=True,
        rtmp_port=free_port(),
        media_ladder=(240,),
    )


async def test_segments_go_to_the_bucket_and_players_fetch_them_from_it(
    api: Api, rtmp: RtmpServer, container: Container, s3_endpoint: str
) -> None:
    # Given a show publishing 3 s over RTMP into an S3 store, with a 240p rung
    stage = await make_stage(api)
    r = await api.client.post(f"{stage.url}/stream-key", headers=stage.owner.headers)
    url = f"rtmp://127.0.0.1:{rtmp.port}/live/{r.json()['key']}"
    publisher = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "livebazaar.media.synthetic", "rtmp", url, "--seconds", "3"],
        *["--width", "640", "--height", "360"],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(publisher.communicate(), WAIT_S)
    assert publisher.returncode == 0, (out + err).decode(errors="replace")
    media = container.media
    async with asyncio.timeout(WAIT_S):
        while (v := media.video(stage.show_id)) is None or v.publishing:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    make_public(s3_endpoint, BUCKET)

    # Then the master playlist offers both rungs, and media URIs name the bucket
    master = (await api.client.get(f"/media/shows/{stage.show_id}/live.m3u8")).text
    assert "RESOLUTION=640x360" in master
    assert "RESOLUTION=426x240" in master
    live = (await api.client.get(f"/media/shows/{stage.show_id}/240p/live.m3u8")).text
    bucket_url = f"{s3_endpoint}/{BUCKET}/shows/{stage.show_id}/240p/"
    segment_uris = re.findall(r"^(http\S+seg-\d+\.m4s)$", live, re.M)
    assert segment_uris
    assert all(u.startswith(bucket_url) for u in segment_uris)
    assert f'URI="{bucket_url}init-1.mp4"' in live
    async with httpx.AsyncClient(trust_env=False) as http:
        got = await http.get(segment_uris[0])
        assert got.status_code == 200
        assert got.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert got.headers["content-type"] == "video/iso.segment"

        # When the show ends, the replay's playlists are in the bucket too
        r = await api.client.post(f"{stage.url}/end", headers=stage.owner.headers)
        vod_url = r.json()["playback"]["vod_url"]
        assert vod_url == f"{s3_endpoint}/{BUCKET}/shows/{stage.show_id}/vod.m3u8"
        vod_master = (await http.get(vod_url)).text
        assert "240p/vod.m3u8" in vod_master
        vod = (await http.get(f"{s3_endpoint}/{BUCKET}/shows/{stage.show_id}/240p/vod.m3u8")).text
        assert vod.rstrip().endswith("#EXT-X-ENDLIST")
        assert segment_uris[0] in vod  # the replay is the same objects, not a copy
