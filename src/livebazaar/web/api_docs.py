"""The API's browsable docs at /api/docs: FastAPI's Swagger UI page, under a policy of its own.

The page loads Swagger UI from the jsDelivr CDN and starts it with an inline script, which the
pages' policy (web/security_headers.py) forbids; this page's policy allows that CDN and that
one script by its hash. Swagger UI sets style attributes in the markup it renders, so this
page (no user data on it) allows inline styles; it is not tested in a browser, which would
need the CDN.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from livebazaar.web.security_headers import REPORT_PATH

DOCS_PATH = "/api/docs"
_CDN = "https://cdn.jsdelivr.net"
_INLINE = re.compile(r"<script>(.*?)</script>", re.DOTALL)

router = APIRouter(include_in_schema=False)


def _policy(page: str) -> str:
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()}'"
        for code in _INLINE.findall(page)
    )
    return (
        f"default-src 'self'; script-src 'self' {_CDN} {hashes}; "
        f"style-src 'self' {_CDN} 'unsafe-inline'; "
        "img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        f"form-action 'self'; frame-ancestors 'none'; report-uri {REPORT_PATH}"
    )


@router.get(DOCS_PATH)
async def api_docs(request: Request) -> HTMLResponse:
    openapi_url = request.scope.get("root_path", "") + (request.app.openapi_url or "")
    page = get_swagger_ui_html(openapi_url=openapi_url, title=f"{request.app.title} - Swagger UI")
    html = bytes(page.body).decode()
    return HTMLResponse(html, headers={"Content-Security-Policy": _policy(html)})
