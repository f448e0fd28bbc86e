"""Refusals made before routing, for what no route should ever see.

A NUL character in the path or the query string is refused with 400 problem+json: SQLite
stores it, but PostgreSQL text cannot hold it, so an id such as `/shows/%00` would reach the
database and fail there as a 500. Bodies are checked field by field (`kernel.text.Clean`).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from livebazaar.web.problems import problem_response


class RefuseNul:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and _has_nul(scope):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            response = problem_response(
                400, "nul_character", "The address holds a NUL character", None
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _has_nul(scope: Scope) -> bool:
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query
