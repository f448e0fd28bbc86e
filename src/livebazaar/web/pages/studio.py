"""The host studio: a show's hosts and co-hosts run it from a phone or a laptop.

`/studio` lists the shows the signed-in user may host (live and upcoming); `/studio/shows/{id}`
is the studio itself: camera preview and "Go live" over WHIP (or the RTMP server and key for
OBS and phone apps), the lineup and the pin, flash drops with their live stock, co-host
invitations and their grants, the live panel, and the chat with moderation. The page reads
the show's state, the shop's currency and the caller's powers in the show (live/powers.py) on
the server, and leaves out the controls they lack (a co-host without grants sees no drop form,
no End show, no stream key, no Ban); the ES module in static/studio.js then does everything
through /api/v1 with the page's session cookie and CSRF token, and follows the show's
WebSocket (static/live.js). Anyone else gets a sign-in redirect or a 403 page; the API still
checks every call on its own.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor
from livebazaar.catalog import get_shop
from livebazaar.kernel.money import CURRENCY_EXPONENTS
from livebazaar.live import (
    NotShowHost,
    Power,
    ShowNotFound,
    ShowSearch,
    ShowStatus,
    get_actor_standing,
    get_show,
    hosted_show_ids,
    list_blocked_words,
    list_my_invites,
    search_shows,
)
from livebazaar.live.schemas import ShowSummaryOut
from livebazaar.web import i18n
from livebazaar.web.compose.show_state import read_show_state
from livebazaar.web.deps import ContainerDep
from livebazaar.web.pages.viewer import PageActorDep, render_page

router = APIRouter(include_in_schema=False)

# How many live and how many scheduled shows /studio lists.
LISTED_PER_STATUS = 200


def _sign_in_first(request: Request) -> RedirectResponse:
    target = quote(request.url.path, safe="/")
    return RedirectResponse(f"/login?next={target}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/studio", response_class=HTMLResponse, response_model=None)
async def studio_index(request: Request, c: ContainerDep, actor: PageActorDep) -> Response:
    if actor is None:
        return _sign_in_first(request)
    async with c.db.read() as session:
        live = await _hosted_shows(session, actor, ShowStatus.LIVE)
        upcoming = await _hosted_shows(session, actor, ShowStatus.SCHEDULED)
        invites = await list_my_invites(session, actor)
    return render_page(request, "studio_list.html", actor, shows=live + upcoming, invites=invites)


async def _hosted_shows(
    session: AsyncSession, actor: Actor, show_status: ShowStatus
) -> list[ShowSummaryOut]:
    """The actor's shows in `show_status`, as `search_shows` orders them (upcoming soonest
    first, live newest first)."""
    search = ShowSearch(status=show_status, within=hosted_show_ids(actor))
    return await search_shows(session, search, limit=LISTED_PER_STATUS)


@router.get("/studio/shows/{show_id}", response_class=HTMLResponse, response_model=None)
async def studio_page(
    show_id: str, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    if actor is None:
        return _sign_in_first(request)
    try:
        async with c.db.read() as session:
            show = await get_show(session, show_id)
            standing = await get_actor_standing(session, actor, show)
            standing.check(Power.OPEN_STUDIO)
            shop = await get_shop(session, show.shop_id)
            blocked_words = await list_blocked_words(session, shop.id)
        state = await read_show_state(c, request.app, show_id)
    except ShowNotFound:
        _ = i18n.translator(request)
        return render_page(
            request, "missing.html", actor, message=_("There is no such show."), _status=404
        )
    except NotShowHost:
        _ = i18n.translator(request)
        return render_page(
            request, "missing.html", actor, heading=_("Not your show"),
            message=_("Only the show's hosts and co-hosts can open its studio."),
            back_url="/studio", back_label=_("Your shows"), _status=403,
        )  # fmt: skip
    powers = standing.powers()
    return render_page(
        request, "studio.html", actor, show=state, currency=shop.currency,
        exponent=CURRENCY_EXPONENTS[shop.currency], powers=sorted(powers),
        can_invite=Power.INVITE_COHOSTS in powers, can_grant=Power.GRANT_COHOSTS in powers,
        can_block_words=Power.BLOCKED_WORDS in powers,
        blocked_words=blocked_words, default_hold_s=c.settings.default_hold_s,
    )  # fmt: skip
