"""Server-rendered pages: the show list, the viewer page, a show's replay, sign-in and sign-out.

The pages render a show's state on the server (so it reads without JavaScript); the ES module
in static/show.js then fetches the same state from the API and keeps it live over the
WebSocket, and plays the show's video (static/player.js, with hls.js from static/vendor, which
`make frontend` fetches). The replay page's module (static/replay.js) loads the recording and
its moments from GET /api/v1/shows/{id}/replay. Templates are Jinja2 with autoescaping on: user
text is always escaped, and the script inserts it with textContent only. Sign-in issues a
SESSION token in an HttpOnly, SameSite=Lax cookie; the page carries that session's CSRF token
in a meta tag for the script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor, TokenKind, do_log_in, do_log_out
from livebazaar.catalog import ProductNotFound, get_product_view
from livebazaar.catalog.schemas import ProductOut
from livebazaar.checkout import DropOut
from livebazaar.kernel.errors import NotAuthenticated
from livebazaar.live import ShowNotFound, ShowStatus, list_shows
from livebazaar.live.schemas import ShowOut
from livebazaar.web.deps import ActorDep, ContainerDep, optional_actor
from livebazaar.web.show_state import ShowState, read_show_state

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")


async def page_actor(request: Request, c: ContainerDep) -> Actor | None:
    """Who is looking at a page. A stale or revoked cookie just means signed out."""
    try:
        return await optional_actor(request, c)
    except NotAuthenticated:
        return None


PageActorDep = Annotated[Actor | None, Depends(page_actor)]


def _render(request: Request, name: str, actor: Actor | None, **context: Any) -> HTMLResponse:
    context["actor"] = actor
    context["csrf_token"] = actor.csrf_token if actor is not None else None
    return templates.TemplateResponse(
        request, name, context, status_code=context.pop("_status", 200)
    )


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, c: ContainerDep, actor: PageActorDep) -> HTMLResponse:
    async with c.db.read() as session:
        live = await list_shows(session, status=ShowStatus.LIVE, limit=50, offset=0)
        upcoming = await list_shows(session, status=ShowStatus.SCHEDULED, limit=50, offset=0)
    upcoming.sort(key=lambda s: s.scheduled_at)
    return _render(request, "index.html", actor, live=live, upcoming=upcoming)


@router.get("/shows/{show_id}", response_class=HTMLResponse)
async def show_page(
    show_id: str, request: Request, c: ContainerDep, actor: PageActorDep
) -> HTMLResponse:
    try:
        show = await read_show_state(c, request.app, show_id)
        async with c.db.read() as session:
            pinned = await _pinned_product(session, show)
    except ShowNotFound:
        return _render(
            request, "missing.html", actor, message="There is no such show.", _status=404
        )
    drop = _current_drop(show)
    drop_product = next((i for i in show.lineup if drop and i.product_id == drop.product_id), None)
    return _render(
        request, "show.html", actor, show=show, pinned=pinned, drop=drop,
        drop_product=drop_product, has_replay=show.playback.vod_url is not None,
    )  # fmt: skip


@router.get("/shows/{show_id}/replay", response_class=HTMLResponse)
async def replay_page(
    show_id: str, request: Request, c: ContainerDep, actor: PageActorDep
) -> HTMLResponse:
    try:
        show = await read_show_state(c, request.app, show_id)
    except ShowNotFound:
        return _render(
            request, "missing.html", actor, message="There is no such show.", _status=404
        )
    if show.playback.vod_url is None:
        return _render(
            request, "missing.html", actor, heading="No replay yet",
            message=f"“{show.title}” has no recording to watch.",
            back_url=f"/shows/{show.id}", back_label="Go to the show's page", _status=404,
        )  # fmt: skip
    return _render(request, "replay.html", actor, show=show)


async def _pinned_product(session: AsyncSession, show: ShowOut) -> ProductOut | None:
    product_id = show.pinned_product_id or (show.lineup[0].product_id if show.lineup else None)
    if product_id is None:
        return None
    try:
        return ProductOut.of(await get_product_view(session, product_id))
    except ProductNotFound:
        return None


def _current_drop(show: ShowState) -> DropOut | None:
    """The drop the page features: the newest live one, else the newest."""
    live = [d for d in show.drops if d.status == "live"]
    return (live or show.drops)[-1] if show.drops else None


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, actor: PageActorDep, next: str = "/") -> HTMLResponse:
    return _render(request, "login.html", actor, next=_safe_next(next), error=None, email="")


@router.post("/login", response_model=None)
async def log_in(
    request: Request,
    c: ContainerDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    try:
        issued = await do_log_in(
            c.db, c.passwords, c.clock, email=email, password=password,
            kind=TokenKind.SESSION, ttl_s=c.settings.token_ttl_s,
        )  # fmt: skip
    except NotAuthenticated:
        return _render(
            request, "login.html", None, next=_safe_next(next), email=email,
            error="Email or password is wrong.", _status=status.HTTP_401_UNAUTHORIZED,
        )  # fmt: skip
    response = RedirectResponse(_safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        c.settings.session_cookie_name,
        issued.secret,
        max_age=issued.max_age_s,
        httponly=True,
        samesite="lax",
        secure=c.settings.cookie_secure,
        path="/",
    )
    return response


@router.post("/logout")
async def log_out(actor: ActorDep, c: ContainerDep) -> RedirectResponse:
    """Needs the session cookie and its CSRF token (the form's hidden `csrf_token` field)."""
    await do_log_out(c.db, c.clock, token_id=actor.token_id)
    c.actors.forget(actor.token_id)
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(c.settings.session_cookie_name, path="/")
    return response


def _safe_next(target: str) -> str:
    """Only same-site paths: never an open redirect to another host."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"
