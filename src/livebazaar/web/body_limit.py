"""Request bodies past a limit are refused with 413 `body_too_large` before they are read.

Nothing else bounds them: a 50 MB JSON body to /api/v1/auth/register was read whole and cost
~480 MB while parsed. The limit depends on the kind of route (settings): picture uploads take
`max_upload_body_bytes`, WHIP's SDP offers `max_sdp_body_bytes`, everything else (JSON, page
forms) `max_body_bytes`. A declared Content-Length over the limit is refused before the app
runs; a chunked body is counted as it streams, and the read that passes the limit fails with
the same 413 (raised into the route, or answered here if the route let it through).
"""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from livebazaar.kernel.text import N_
from livebazaar.settings import Settings
from livebazaar.web.problems import localized_problem

TOO_LARGE_TITLE = N_("The request body is too large")
_UPLOAD = re.compile(r"^/api/v1/products/[^/]+/images/upload$")
_WHIP = re.compile(r"^/api/v1/shows/[^/]+/whip(/[^/]+)?$")


class BodyTooLarge(HTTPException):
    """Raised into the route by the read that passes the limit; FastAPI lets an
    HTTPException through its body parsing, and the problem handlers render it."""

    code = "body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(413, TOO_LARGE_TITLE)
        self.extra = {"limit_bytes": limit}


def body_limit_for(settings: Settings, path: str) -> int:
    """How many bytes a request to `path` may carry."""
    if _UPLOAD.match(path):
        return settings.max_upload_body_bytes
    if _WHIP.match(path):
        return settings.max_sdp_body_bytes
    return settings.max_body_bytes


class LimitBodies:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit_for(self.settings, scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(scope, receive, send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            return int(value)
    return None


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = localized_problem(
        Request(scope), 413, "body_too_large", TOO_LARGE_TITLE, limit_bytes=limit
    )
    response.headers["Connection"] = "close"  # the rest of the body is not read
    await response(scope, receive, send)
