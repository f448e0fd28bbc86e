"""Security headers on every HTTP response, and where browsers report what the policy blocked.

The Content-Security-Policy lets pages run only our own scripts and styles (hls.js and htmx
are served from /static/vendor; no inline script, style attribute or eval anywhere: htmx is
told so in its `htmx-config`), play and fetch video from this origin and the media store's
(a CDN when `media_store_url` names one; `blob:` for hls.js's MediaSource), and open
WebSockets to this origin. Product pictures may be any https URL a seller gave. No page may be
framed (`frame-ancestors 'none'`, and X-Frame-Options for older browsers). Over https
(`public_url`), browsers are told to keep to it (HSTS). A response that sets its own policy
keeps it (the API docs, web/api_docs.py).

Violations are posted to /csp-report and logged (logger `livebazaar.csp`); the browser tests
fail on any (tests/web/conftest.py).
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from livebazaar.settings import Settings

log = logging.getLogger("livebazaar.csp")
REPORT_PATH = "/csp-report"
_REPORTED = (
    "violated-directive",
    "blocked-uri",
    "document-uri",
    "source-file",
    "line-number",
    "column-number",
    "script-sample",
)

router = APIRouter(include_in_schema=False)


def origin_of(url: str) -> str | None:
    """`https://cdn.example.org` of an absolute http(s) URL; None for a path."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(settings: Settings, media_url: str) -> str:
    """The pages' policy; `media_url` is where the media store serves a key."""
    media = origin_of(media_url)
    own = origin_of(settings.public_url)
    sockets = own.replace("http", "ws", 1) if own else None  # 'self' covers it in CSP 3
    extra = f" {media}" if media else ""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data: blob: https:",
        "media-src": f"'self' blob:{extra}",
        "connect-src": " ".join(filter(None, ("'self'", sockets, media))),
        "worker-src": "'self' blob:",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
        "report-uri": REPORT_PATH,
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(settings: Settings, media_url: str) -> list[tuple[bytes, bytes]]:
    headers = {
        "content-security-policy": content_security_policy(settings, media_url),
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
    }
    if settings.public_url.startswith("https://"):
        headers["strict-transport-security"] = "max-age=31536000"
    return [(name.encode(), value.encode()) for name, value in headers.items()]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, headers: list[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [(k, v) for k, v in self.headers if k not in present]
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        await self.app(scope, receive, send_with_headers)


@router.post(REPORT_PATH, status_code=204)
async def csp_report(request: Request) -> Response:
    """A browser's report of what the policy blocked (application/csp-report), logged. Its
    size is bounded like any body (web/body_limit.py); anything unreadable is dropped."""
    try:
        report: Any = json.loads(await request.body())
    except (ValueError, RecursionError):
        return Response(status_code=204)
    body = report.get("csp-report") if isinstance(report, dict) else None
    if isinstance(body, dict):
        fields = {key: str(body.get(key, ""))[:300] for key in _REPORTED}
        log.warning("content security policy violation: %s", fields)
    return Response(status_code=204)
