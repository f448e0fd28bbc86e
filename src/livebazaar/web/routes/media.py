"""Media over HTTP: stream keys, WHIP ingest (RFC 9725), LL-HLS playlists and the local
segment store's files."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import FileResponse

from livebazaar import live
from livebazaar.accounts import Actor
from livebazaar.kernel.text import N_
from livebazaar.media import (
    InvalidStreamKey,
    LocalSegmentStore,
    PublisherBusy,
    StreamKeyOut,
    WorkerFailed,
    do_issue_stream_key,
)
from livebazaar.media.ingest import check_publisher, check_signed_in_publisher
from livebazaar.media.playlist import ReloadResult
from livebazaar.media.store import CACHE_MUTABLE, check_key
from livebazaar.settings import Settings
from livebazaar.web.deps import ActorDep, ContainerDep, PathId, session_actor
from livebazaar.web.problems import (
    PROBLEM_RESPONSES,
    localized_problem,
    problem_response,
    problem_responses,
)

router = APIRouter(prefix="/api/v1", tags=["media"], responses=PROBLEM_RESPONSES)
hls = APIRouter(prefix="/media", tags=["media"], responses=PROBLEM_RESPONSES)

SDP = "application/sdp"
MPEGURL = "application/vnd.apple.mpegurl"
MAX_SDP_BYTES = 64 * 1024
ANSWER_TIMEOUT_S = 20.0
# A blocking playlist request waits at most three target durations (RFC 8216bis 6.2.5.2).
BLOCK_TIMEOUT_S = 3.0


@router.post("/shows/{show_id}/stream-key", status_code=status.HTTP_201_CREATED)
async def issue_stream_key(show_id: PathId, actor: ActorDep, c: ContainerDep) -> StreamKeyOut:
    """A new stream key for the show (the old one stops working), with where to publish."""
    issued = await do_issue_stream_key(c.db, c.clock, actor, show_id)
    return StreamKeyOut(
        key=issued.key,
        whip_url=f"{c.settings.public_url.rstrip('/')}/api/v1/shows/{show_id}/whip",
        rtmp_url=f"rtmp://{_rtmp_host(c.settings)}:{c.settings.rtmp_port}/live/{issued.key}",
    )


def _rtmp_host(settings: Settings) -> str:
    return settings.rtmp_host or urlsplit(settings.public_url).hostname or "127.0.0.1"


_SDP_BODY = {
    "requestBody": {
        "required": True,
        "content": {SDP: {"schema": {"type": "string", "maxLength": MAX_SDP_BYTES}}},
    },
    "responses": {
        "201": {"description": "The SDP answer", "content": {SDP: {"schema": {"type": "string"}}}}
    },
}


@router.post(
    "/shows/{show_id}/whip",
    status_code=status.HTTP_201_CREATED,
    response_class=Response,
    openapi_extra=_SDP_BODY,
    responses=problem_responses(s413="The offer is too large", s415="Not application/sdp"),
)
async def whip_publish(show_id: PathId, request: Request, c: ContainerDep) -> Response:
    """WHIP: go live from a browser or OBS. `Authorization: Bearer <stream key>`, or, from the
    studio, no key but the page's session cookie and CSRF token of someone who may publish to
    the show (its hosts and co-hosts, who need no key: docs/roles.md); an SDP offer in, the
    SDP answer out, and a `Location` to DELETE (the same way) when done."""
    key, actor = await _publisher(request, c)
    if actor is not None:  # before reading anything: who it is decides all
        await check_signed_in_publisher(c.db, show_id, actor)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != SDP:
        return localized_problem(
            request, 415, "unsupported_media_type", N_("WHIP takes application/sdp")
        )
    body = await _bounded_body(request)
    if body is None:
        return localized_problem(
            request, 413, "payload_too_large", N_("The SDP offer is too large")
        )
    offer = body.decode("utf-8", errors="replace")
    if not offer.startswith("v=0"):
        return localized_problem(request, 400, "invalid_sdp", N_("The body is not an SDP offer"))
    if actor is None:
        await check_publisher(c.db, show_id, key)
    try:
        worker = await c.media.start(show_id, "whip", whip_offer=offer)
    except PublisherBusy:
        return localized_problem(
            request, 409, "publisher_busy", N_("The show already has a publisher")
        )
    try:
        answer = await asyncio.wait_for(asyncio.shield(worker.answer), ANSWER_TIMEOUT_S)
    except (TimeoutError, WorkerFailed):
        await c.media.stop(show_id, session=worker.session)
        return localized_problem(
            request, 400, "invalid_sdp", N_("The media worker could not answer this offer")
        )
    resource = secrets.token_urlsafe(16)
    c.media.whip_sessions[resource] = (show_id, worker.session)
    location = f"/api/v1/shows/{show_id}/whip/{resource}"
    return Response(answer, status_code=201, media_type=SDP, headers={"Location": location})


@router.delete(
    "/shows/{show_id}/whip/{resource}",
    status_code=status.HTTP_200_OK,
    response_class=Response,
)
async def whip_stop(
    show_id: PathId, resource: PathId, request: Request, c: ContainerDep
) -> Response:
    """End a WHIP session (the same bearer stream key, or session, as the POST)."""
    key, actor = await _publisher(request, c)
    with contextlib.suppress(live.ShowEnded):  # stopping after the show ended is fine
        if actor is not None:
            await check_signed_in_publisher(c.db, show_id, actor)
        else:
            await check_publisher(c.db, show_id, key)
    found = c.media.whip_sessions.get(resource)
    if found is None or found[0] != show_id:
        return localized_problem(request, 404, "not_found", N_("No such WHIP session"))
    del c.media.whip_sessions[resource]
    await c.media.stop(show_id, session=found[1])
    return Response(status_code=200)


async def _publisher(request: Request, c: ContainerDep) -> tuple[str, Actor | None]:
    """The bearer stream key (and no actor), or, with no Authorization at all, the signed-in
    page session (CSRF-checked); InvalidStreamKey when neither is there."""
    if "authorization" not in request.headers:
        actor = await session_actor(request, c)
        if actor is not None:
            return "", actor
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not 0 < len(key.strip()) <= 256:
        raise InvalidStreamKey()
    return key.strip(), None


async def _bounded_body(request: Request) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_SDP_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


# -- LL-HLS ----------------------------------------------------------------------------------


def _playlist(text: str) -> Response:
    return Response(text, media_type=MPEGURL, headers={"Cache-Control": CACHE_MUTABLE})


@hls.get("/shows/{show_id}/live.m3u8", response_class=Response)
async def master_playlist(show_id: PathId, c: ContainerDep) -> Response:
    """The show's multivariant playlist while it has video."""
    text = c.media.master(show_id)
    if text is None:
        return problem_response(404, "no_video", "The show has no video yet")
    return _playlist(text)


@hls.get(
    "/shows/{show_id}/{rendition}/live.m3u8",
    response_class=Response,
    responses=problem_responses(s503="The part asked for did not arrive in time"),
)
async def media_playlist(
    show_id: PathId,
    rendition: PathId,
    c: ContainerDep,
    msn: Annotated[int | None, Query(alias="_HLS_msn", ge=0, le=2**31)] = None,
    part: Annotated[int | None, Query(alias="_HLS_part", ge=0, le=1000)] = None,
) -> Response:
    """One rendition's LL-HLS playlist; `_HLS_msn` / `_HLS_part` block until that part exists."""
    video = c.media.video(show_id)
    playlist = video.playlists.get(rendition) if video is not None else None
    if playlist is None:
        return problem_response(404, "no_video", "No such rendition of the show's video")
    if part is not None and msn is None:
        return problem_response(400, "bad_request", "_HLS_part needs _HLS_msn")
    if msn is not None:
        result = await playlist.wait_for(msn, part, BLOCK_TIMEOUT_S)
        if result is ReloadResult.TOO_FAR:
            return problem_response(400, "bad_request", "_HLS_msn is too far in the future")
        if result is ReloadResult.TIMEOUT:
            return problem_response(503, "not_yet", "That part is not available yet")
    return _playlist(playlist.render())


@hls.get("/{key:path}", response_class=Response)
async def stored_file(key: str, c: ContainerDep) -> Response:
    """A file of the local segment store (object stores are served by their CDN)."""
    store = c.store
    if not isinstance(store, LocalSegmentStore):
        return problem_response(404, "not_found", "Media is served by the object store")
    try:
        check_key(key)
    except ValueError:
        return problem_response(404, "not_found", "No such media file")
    path = store.local_path(key)
    try:
        headers = store.http_headers(key)
    except KeyError:
        return problem_response(404, "not_found", "No such media file")
    media_type = headers.pop("Content-Type")
    return FileResponse(path, media_type=media_type, headers=headers)
