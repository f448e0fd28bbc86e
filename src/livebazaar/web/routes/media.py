"""Media over HTTP: a show's stream key (WHIP and RTMP ingest arrive with the video issue)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, status

from livebazaar.media import StreamKeyOut, do_issue_stream_key
from livebazaar.settings import Settings
from livebazaar.web.deps import ActorDep, ContainerDep, PathId
from livebazaar.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["media"], responses=PROBLEM_RESPONSES)


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
