"""Server-rendered pages: the home page, the viewer page, a show's replay.

The home page lists the shows live now, upcoming (soonest first, each with a "Remind me" toggle
for signed-in viewers) and the replays (ended shows with a recording), filtered by `?q=` (show,
shop or product) and `?country=` (the shop's). "Remind me" is a form that posts to
/shows/{id}/reminder with the session's CSRF token and comes back to the same place; with
JavaScript, static/home.js toggles it in place through PUT/DELETE /api/v1/shows/{id}/reminder.

The pages render a show's state on the server (so it reads without JavaScript); the ES module
in static/show.js then fetches the same state from the API and keeps it live over the
WebSocket, and plays the show's video (static/player.js, with hls.js from static/vendor, which
`make frontend` fetches). The replay page's module (static/replay.js) loads the recording and
its moments from GET /api/v1/shows/{id}/replay. Templates are Jinja2 with autoescaping on: user
text is always escaped, and the script inserts it with textContent only. Signing in and up
(web/pages/sign_in.py) issues a SESSION token in an HttpOnly, SameSite=Lax cookie; the page carries
that session's CSRF token in a meta tag for the script.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import NO_POSTAL_CODE, POSTAL_CODE_OPTIONAL, Actor
from livebazaar.catalog import ProductNotFound, get_product_view
from livebazaar.catalog.schemas import ProductOut
from livebazaar.checkout import DropOut
from livebazaar.kernel.errors import NotAuthenticated
from livebazaar.live import (
    Live,
    ShowNotFound,
    ShowNotScheduled,
    ShowSearch,
    ShowStatus,
    do_clear_reminder,
    do_set_reminder,
    list_show_countries,
    mark_reminders,
    search_shows,
)
from livebazaar.live.schemas import ShowOut
from livebazaar.media import recorded_show_ids
from livebazaar.web import i18n
from livebazaar.web.compose.show_state import ShowState, read_show_state
from livebazaar.web.deps import ContainerDep, optional_actor
from livebazaar.web.pages import viewer_currency

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
# Page text goes through gettext: `{{ _("Sign in") }}`, `{% trans %}…{% endtrans %}`, in the
# request's language (web/i18n.py).
i18n.install(templates.env)
# `{{ approx(price) }}`: "≈ 27.30 USD" in the viewer's currency, when a fresh rate is known;
# `{{ price | money }}`: "49,00 CNY" in French (web/numbers.py, installed by i18n.install).
viewer_currency.install(templates.env)
# The buy sheet asks for a postal code where a courier needs one (accounts/postal.py).
templates.env.globals["postal_code_free"] = " ".join(sorted(NO_POSTAL_CODE | POSTAL_CODE_OPTIONAL))


async def page_actor(request: Request, c: ContainerDep) -> Actor | None:
    """Who is looking at a page. A stale or revoked cookie just means signed out."""
    try:
        return await optional_actor(request, c)
    except NotAuthenticated:
        return None


PageActorDep = Annotated[Actor | None, Depends(page_actor)]


def render_page(request: Request, name: str, actor: Actor | None, **context: Any) -> HTMLResponse:
    """A template with what every page needs: the viewer, the CSRF token, the language, the
    viewer's currency (`_status` sets the HTTP status; `rates`, a RateBook, lets `approx`
    convert prices). `_block` renders that block of the template alone, for htmx to swap in
    (the template sees its name as `fragment`)."""
    locale = i18n.negotiate(request)
    prices = viewer_currency.ViewerPrices(
        viewer_currency.choose(request, locale), context.pop("rates", None), locale
    )
    block: str | None = context.pop("_block", None)
    status_code: int = context.pop("_status", 200)
    context["actor"] = actor
    context["csrf_token"] = actor.csrf_token if actor is not None else None
    context["fragment"] = block
    payments = request.app.state.container.payment_providers
    context["test_mode"] = "test" in payments  # a banner on every page; the test cards
    context["can_pay"] = bool(payments)
    context.update(i18n.page_context(locale))
    context.update(prices.page_context())
    response: HTMLResponse
    with i18n.activated(locale), viewer_currency.activated(prices):
        if block is None:
            response = templates.TemplateResponse(request, name, context, status_code=status_code)
        else:
            response = _render_block(request, name, block, context, status_code)
    response.headers["Content-Language"] = context["lang"]
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def _render_block(
    request: Request, name: str, block: str, context: dict[str, Any], status_code: int
) -> HTMLResponse:
    """One block of a page's template (the htmx "template fragment" pattern): the section is
    written once, in the page, and the route answers either. The block must not rely on
    macros or `set`s outside it: only the template's blocks run, not its top level."""
    template = templates.get_template(name)
    render = template.blocks[block]
    html = "".join(render(template.new_context({**context, "request": request})))
    return HTMLResponse(html, status_code=status_code)


HOME_SECTION_SIZE = 24  # cards per section
COUNTRY = re.compile(r"[A-Za-z]{2}")


@router.get("/", response_class=HTMLResponse)
async def index(
    request: Request, c: ContainerDep, actor: PageActorDep, q: str = "", country: str = ""
) -> HTMLResponse:
    """A page never answers 422: an over-long `q` is cut, a malformed `country` ignored."""
    q = q.strip()[:100]
    country = country.strip().upper() if COUNTRY.fullmatch(country.strip()) else ""
    sections = {
        "live": ShowSearch(q, country, ShowStatus.LIVE),
        "upcoming": ShowSearch(q, country, ShowStatus.SCHEDULED),
        "replays": ShowSearch(q, country, ShowStatus.ENDED, within=recorded_show_ids()),
    }
    found = {}
    async with c.db.read() as session:
        for name, section in sections.items():
            found[name] = await search_shows(session, section, limit=HOME_SECTION_SIZE)
        found["upcoming"] = await mark_reminders(session, actor, found["upcoming"])
        countries = await list_show_countries(session)
    if country and country not in countries:
        countries = sorted([*countries, country])
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return render_page(
        request, "index.html", actor, **found, q=q, country=country,
        countries=countries, here=here,
    )  # fmt: skip


@router.post("/shows/{show_id}/reminder", response_model=None)
async def remind_form(
    show_id: str,
    c: ContainerDep,
    request: Request,
    actor: PageActorDep,
    remind: Annotated[str, Form(pattern="^(on|off)$")],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """The "Remind me" form without JavaScript: set (`remind=on`) or clear (`off`) the
    viewer's reminder, then back to the card. Needs the session's CSRF token (`csrf_token`)."""
    back = i18n.safe_next(next).partition("#")[0]
    if actor is None:
        return RedirectResponse(f"/login?next={quote(back)}", status_code=303)
    lv = Live(c.db, c.broker, c.clock)
    try:
        if remind == "on":
            await do_set_reminder(lv, actor, show_id)
        else:
            await do_clear_reminder(lv, actor, show_id)
    except ShowNotFound:
        return render_page(
            request, "missing.html", actor, message=_no_such_show(request), _status=404
        )
    except ShowNotScheduled:
        pass  # it started meanwhile: back on the page, it is under "Live now"
    return RedirectResponse(f"{back}#show-{show_id}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/shows/{show_id}", response_class=HTMLResponse)
async def show_page(
    show_id: str, request: Request, c: ContainerDep, actor: PageActorDep
) -> HTMLResponse:
    try:
        show = await read_show_state(c, request.app, show_id)
        async with c.db.read() as session:
            pinned = await _pinned_product(session, show)
    except ShowNotFound:
        return render_page(
            request, "missing.html", actor, message=_no_such_show(request), _status=404
        )
    drop = _current_drop(show)
    drop_product = next((i for i in show.lineup if drop and i.product_id == drop.product_id), None)
    return render_page(
        request, "show.html", actor, show=show, pinned=pinned, drop=drop,
        drop_product=drop_product, has_replay=show.playback.vod_url is not None,
        rates=await viewer_currency.load_rates(c),
    )  # fmt: skip


@router.get("/shows/{show_id}/replay", response_class=HTMLResponse)
async def replay_page(
    show_id: str, request: Request, c: ContainerDep, actor: PageActorDep
) -> HTMLResponse:
    try:
        show = await read_show_state(c, request.app, show_id)
    except ShowNotFound:
        return render_page(
            request, "missing.html", actor, message=_no_such_show(request), _status=404
        )
    if show.playback.vod_url is None:
        _ = i18n.translator(request)
        return render_page(
            request, "missing.html", actor, heading=_("No replay yet"),
            message=_("“%(title)s” has no recording to watch.") % {"title": show.title},
            back_url=f"/shows/{show.id}", back_label=_("Go to the show's page"), _status=404,
        )  # fmt: skip
    return render_page(
        request, "replay.html", actor, show=show, rates=await viewer_currency.load_rates(c)
    )


async def _pinned_product(session: AsyncSession, show: ShowOut) -> ProductOut | None:
    product_id = show.pinned_product_id or (show.lineup[0].product_id if show.lineup else None)
    if product_id is None:
        return None
    try:
        return ProductOut.of(await get_product_view(session, product_id))
    except ProductNotFound:
        return None


def _no_such_show(request: Request) -> str:
    _ = i18n.translator(request)
    return _("There is no such show.")


def _current_drop(show: ShowState) -> DropOut | None:
    """The drop the page features: the newest live one, else the newest."""
    live = [d for d in show.drops if d.status == "live"]
    return (live or show.drops)[-1] if show.drops else None
