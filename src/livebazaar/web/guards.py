"""Refusals made before routing, for what no route should ever see.

A NUL character in the path or the query string is refused as the routes refuse any malformed
id or search: 422 `validation_failed`, its `errors` naming the part. SQLite stores NUL, but
PostgreSQL text cannot hold it, so a route whose parameter has no NUL check would otherwise
reach the database and fail there as a 500. Bodies are checked field by field
(`kernel.text.Clean`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from livebazaar.web.problems import VALIDATION_TITLE, localized_problem

NUL_MESSAGE = "NUL characters are not allowed"


class RefuseNul:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        part = _part_with_nul(scope)
        if part is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            error = {"loc": [part], "msg": NUL_MESSAGE, "type": "value_error"}
            response = localized_problem(
                Request(scope), 422, "validation_failed", VALIDATION_TITLE, errors=[error]
            )
            await response(scope, receive, send)


def _part_with_nul(scope: Scope) -> str | None:
    query: bytes = scope.get("query_string", b"")
    if "\x00" in scope.get("path", ""):
        return "path"
    if b"%00" in query or b"\x00" in query:
        return "query"
    return None
