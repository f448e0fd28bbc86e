"""WHIP (RFC 9725) ingest: a browser or OBS posts an SDP offer with the stream key as bearer
token; the show's media worker answers through aiortc, transcodes, and packages LL-HLS."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
import sys

import av
import httpx
from fastapi import FastAPI

from livebazaar.bootstrap import Container
from livebazaar.media.synthetic import read_barcode
from tests.live.stage import Stage, make_stage
from tests.support import Account, Api, assert_problem, sign_in_page

WAIT_S = 90.0  # a safety net against hanging, never an assertion about speed
OFFER = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


async def _key(api: Api, stage: Stage) -> str:
    r = await api.client.post(f"{stage.url}/stream-key", headers=stage.owner.headers)
    assert r.status_code == 201, r.text
    key: str = r.json()["key"]
    return key


def _whip(url: str, key: str, seconds: float) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "livebazaar.media.synthetic", "whip", url, "--key", key]
    command += ["--seconds", str(seconds), "--width", "640", "--height", "360"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


async def test_whip_refuses_what_is_not_a_publisher(api: Api, container: Container) -> None:
    stage = await make_stage(api)
    key = await _key(api, stage)
    url = f"{stage.url}/whip"
    sdp = {"Content-Type": "application/sdp"}
    # No key, a wrong key, another show's key: 401, and nothing starts
    r = await api.client.post(url, content=OFFER, headers=sdp)
    assert_problem(r, 401, "invalid_stream_key")
    r = await api.client.post(url, content=OFFER, headers={**sdp, "Authorization": "Bearer x"})
    assert_problem(r, 401, "invalid_stream_key")
    other = await make_stage(api)
    r = await api.client.post(
        f"{other.url}/whip", content=OFFER, headers={**sdp, "Authorization": f"Bearer {key}"}
    )
    assert_problem(r, 401, "invalid_stream_key")
    # The right key but not SDP: 415; not an offer: 400
    auth = {"Authorization": f"Bearer {key}"}
    r = await api.client.post(url, json={"sdp": OFFER}, headers=auth)
    assert_problem(r, 415, "unsupported_media_type")
    r = await api.client.post(url, content="hello", headers={**auth, **sdp})
    assert_problem(r, 400, "invalid_sdp")
    assert container.media.video(stage.show_id) is None
    assert container.media.video(other.show_id) is None


async def _studio_session(app: FastAPI, who: Account) -> tuple[httpx.AsyncClient, str]:
    """A browser's client signed in through /login, and its pages' CSRF token."""
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    r = await sign_in_page(client, who.email)
    assert r.status_code == 303, r.text
    page = (await client.get("/studio")).text
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert match
    return client, match.group(1)


async def test_the_studio_goes_live_with_the_session_of_someone_who_presents(
    api: Api, app: FastAPI, container: Container
) -> None:
    """No stream key from the studio: a co-host (no grant) publishes with their session and
    CSRF token. The worker is not started here (the offer is refused as SDP once the caller
    passed), so only who gets that far is tried; the journey's browser test goes live so."""
    stage = await make_stage(api)
    guest, stranger = await api.account("Guest"), await api.account("Stranger")
    owner = stage.owner.headers
    r = await api.client.post(f"{stage.url}/cohosts", json={"email": guest.email}, headers=owner)
    assert r.status_code == 201, r.text
    assert (await api.client.post(f"{stage.url}/cohosts/accept", headers=guest.headers)).is_success
    url = f"{stage.url}/whip"
    sdp = {"Content-Type": "application/sdp"}
    for who, status, code in [(guest, 400, "invalid_sdp"), (stranger, 403, "not_show_host")]:
        client, csrf = await _studio_session(app, who)
        try:
            r = await client.post(url, content="hello", headers={**sdp, "X-CSRF-Token": csrf})
            assert_problem(r, status, code)
            # Without the page's CSRF token, the session is refused
            r = await client.post(url, content="hello", headers=sdp)
            assert_problem(r, 403, "csrf_failed")
            # A bearer stream key, when given, is what is checked (a wrong one: 401)
            r = await client.post(url, content="v=0", headers={**sdp, "Authorization": "Bearer x"})
            assert_problem(r, 401, "invalid_stream_key")
        finally:
            await client.aclose()
    assert container.media.video(stage.show_id) is None


async def test_a_phone_browser_goes_live_over_whip(
    api: Api, container: Container, live_server: str
) -> None:
    # Given a live show and its stream key
    stage = await make_stage(api)
    key = await _key(api, stage)
    # When a WebRTC publisher posts its offer and sends 4 s of video
    publisher = _whip(f"{live_server}{stage.url}/whip", key, 4.0)
    out, err = await asyncio.to_thread(publisher.communicate, timeout=WAIT_S)
    assert publisher.returncode == 0, (out + err).decode(errors="replace")
    media = container.media
    async with asyncio.timeout(WAIT_S):
        while (v := media.video(stage.show_id)) is None or v.publishing:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    video = media.video(stage.show_id)
    assert video is not None
    # Then the worker transcoded it (aiortc hands over pictures) into 1 s LL-HLS segments
    assert video.mode == "transcode"
    assert video.crashes == 0
    segments = video.segments("source")
    assert len(segments) >= 2
    assert max(s.duration_s for s in segments) <= 1.1
    assert all(s.parts and s.parts[0].independent for s in segments[:-1])
    # And the pictures that came out carry the publisher's counters, in increasing order
    init = container.store.get(f"shows/{stage.show_id}/source/init-1.mp4")
    data = b"".join(
        container.store.get(f"shows/{stage.show_id}/source/seg-{s.msn}.m4s") for s in segments
    )
    counters = []
    with av.open(io.BytesIO(init + data), "r", format="mp4") as decoded:
        for frame in decoded.decode(video=0):
            found = read_barcode(frame)
            assert found is not None
            counters.append(found[0])
    assert len(counters) >= 30
    assert counters == sorted(set(counters))
    # And the DELETE ended the session: a second publisher may now start
    assert not video.publishing
    assert media.whip_sessions == {}
