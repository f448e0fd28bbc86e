"""Request dependencies: the container, and who is calling (bearer token or session cookie)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Path, Request, WebSocket
from fastapi.exceptions import RequestValidationError

from livebazaar.accounts import Actor, TokenKind
from livebazaar.accounts.errors import CsrfFailed
from livebazaar.bootstrap import Container
from livebazaar.kernel.errors import NotAuthenticated

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

PathId = Annotated[str, Path(min_length=1, max_length=36)]
IDEMPOTENCY_KEY_MAX = 255
IdempotencyKeyHeader = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=IDEMPOTENCY_KEY_MAX)
]
# The same header for a route that reads it itself (`idempotency_key_of`): its OpenAPI entry.
IDEMPOTENCY_KEY_OPENAPI: dict[str, Any] = {
    "parameters": [{
        "name": "Idempotency-Key", "in": "header", "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX},
        "description": (
            "A retry with the same key gets the first answer, never a second effect; while the "
            "first is still being carried out, 409 idempotency_key_in_flight with Retry-After"
        ),
    }]
}  # fmt: skip
CSRF_HEADER = "x-csrf-token"


async def get_container(request: Request) -> Container:
    """Async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a thread hop
    on every request (measured: about a fifth of a claim's CPU under the flash-sale bench)."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def idempotency_key_of(request: Request) -> str | None:
    """The Idempotency-Key header, checked as IdempotencyKeyHeader is (422 otherwise), for a
    hot route that takes the request instead of dependencies (routes/checkout.py: claims)."""
    key = request.headers.get("idempotency-key")
    if key is not None and not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX:
        too = "string_too_short" if not key else "string_too_long"
        raise RequestValidationError(
            [{"type": too, "loc": ("header", "Idempotency-Key"), "input": key[:40],
              "msg": f"String should have 1 to {IDEMPOTENCY_KEY_MAX} characters"}]
        )  # fmt: skip
    return key


def _bearer(request: Request | WebSocket) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def _resolve(request: Request, container: Container) -> Actor | None:
    secret = _bearer(request)
    if secret is None:
        return await session_actor(request, container)
    return await container.actors.get_actor(secret)


async def session_actor(request: Request, container: Container) -> Actor | None:
    """Who calls by the page session cookie alone (CSRF-checked for a write), or None without
    one: for a route whose bearer token means something else (WHIP's is the stream key)."""
    secret = request.cookies.get(container.settings.session_cookie_name)
    if not secret:
        return None
    actor = await container.actors.get_actor(secret)
    if actor.token_kind is not TokenKind.SESSION:
        raise NotAuthenticated("Use a session cookie from the sign-in page")
    if request.method not in SAFE_METHODS:
        given = request.headers.get(CSRF_HEADER)
        if given is None:
            form = await request.form() if _is_form(request) else None
            value = form.get("csrf_token") if form is not None else None
            given = value if isinstance(value, str) else None
        if not given or given != actor.csrf_token:
            raise CsrfFailed()
    return actor


def _is_form(request: Request) -> bool:
    ctype = request.headers.get("content-type", "")
    return ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


async def optional_actor(request: Request, container: ContainerDep) -> Actor | None:
    return await _resolve(request, container)


async def current_actor(request: Request, container: ContainerDep) -> Actor:
    actor = await _resolve(request, container)
    if actor is None:
        raise NotAuthenticated()
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
OptionalActorDep = Annotated[Actor | None, Depends(optional_actor)]


async def websocket_actor(websocket: WebSocket, container: Container) -> Actor | None:
    """WebSockets authenticate by `?token=` or the session cookie; anonymous viewers may watch."""
    secret = websocket.query_params.get("token") or _bearer(websocket)
    if not secret:
        secret = websocket.cookies.get(container.settings.session_cookie_name)
    if not secret:
        return None
    return await container.actors.get_actor(secret)
