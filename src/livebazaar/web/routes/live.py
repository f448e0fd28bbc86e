"""Live shows over HTTP: lifecycle, hosts, lineup, chat and moderation; the show WebSocket."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, FastAPI, Query, Request, Response, WebSocket, status
from starlette.applications import Starlette

from livebazaar.bootstrap import Container
from livebazaar.checkout import do_end_show_drops
from livebazaar.kernel.db import UnitOfWork
from livebazaar.live import (
    SANCTIONS_CAP,
    Live,
    RateLimiter,
    SanctionKind,
    ShowSearch,
    ShowStatus,
    do_clear_reminder,
    do_create_show,
    do_delete_chat,
    do_end_show,
    do_lift_sanctions,
    do_pin_product,
    do_post_chat,
    do_react,
    do_sanction,
    do_set_blocked_words,
    do_set_lineup,
    do_set_reminder,
    do_set_slow_mode,
    do_start_show,
    get_show,
    list_chat,
    list_sanctions,
    list_shows,
    mark_reminders,
    search_shows,
)
from livebazaar.live.models import ChatSanction
from livebazaar.live.schemas import (
    BanIn,
    BlockedWords,
    BlockedWordsOut,
    ChatIn,
    ChatMessageOut,
    LiftedOut,
    Lineup,
    MuteIn,
    PinIn,
    ReactionIn,
    ReminderOut,
    SanctionedUserOut,
    SanctionOut,
    ShowIn,
    ShowSummaryOut,
    SlowModeIn,
    SlowModeOut,
)
from livebazaar.media import do_record_replay, recorded_show_ids
from livebazaar.web.channel.realtime import hub_for
from livebazaar.web.channel.show_socket import serve_show_socket
from livebazaar.web.compose.show_state import ReplayOut, ShowState, read_replay, read_show_state
from livebazaar.web.compose.show_stats import ShowStatsOut, read_show_stats
from livebazaar.web.deps import ActorDep, ContainerDep, OptionalActorDep, PathId
from livebazaar.web.periodic import PeriodicJob
from livebazaar.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["live"], responses=PROBLEM_RESPONSES)


def _live(c: Container) -> Live:
    return Live(c.db, c.broker, c.clock)


def limiters(app: Starlette) -> tuple[RateLimiter, RateLimiter]:
    """The chat and reaction limiters, per user per 10 s (shared by the nodes when set to)."""
    c: Container = app.state.container
    per_10s = c.settings.chat_rate_per_10s
    return c.limiter("chat", per_10s), c.limiter("reaction", per_10s)


async def _state(request: Request, c: Container, show_id: str) -> ShowState:
    return await read_show_state(c, request.app, show_id)


def _sanction_out(sanction: ChatSanction) -> SanctionOut:
    return SanctionOut.model_validate(sanction, from_attributes=True)


@router.post("/shows", status_code=status.HTTP_201_CREATED)
async def create_show(
    body: ShowIn, actor: ActorDep, c: ContainerDep, request: Request
) -> ShowState:
    show = await do_create_show(
        _live(c),
        actor,
        shop_id=body.shop_id,
        title=body.title,
        scheduled_at=body.scheduled_at,
        lineup=body.lineup,
        description=body.description,
    )
    return await _state(request, c, show.id)


@router.get("/shows")
async def get_shows(
    c: ContainerDep,
    show_status: Annotated[ShowStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> list[ShowSummaryOut]:
    async with c.db.read() as session:
        return await list_shows(session, status=show_status, limit=limit, offset=offset)


@router.get("/search/shows")
async def find_shows(
    c: ContainerDep,
    actor: OptionalActorDep,
    q: Annotated[str | None, Query(max_length=100, description="Show, shop or product")] = None,
    country: Annotated[
        str | None, Query(pattern="^[A-Za-z]{2}$", description="The shop's ISO 3166-1 alpha-2")
    ] = None,
    show_status: Annotated[ShowStatus | None, Query(alias="status")] = None,
    replay: Annotated[bool, Query(description="Only shows with a recording")] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> list[ShowSummaryOut]:
    """Shows whose title, shop name or a lineup product's title contains `q` (any case),
    of shops in `country`. Upcoming ones come soonest first, live and ended ones latest
    first. `reminded` is the caller's own reminder; `reminders` is counted for their shows.
    (Not under /shows/: that path's next segment is a show id.)"""
    search = ShowSearch(
        q=q, country=country, status=show_status, within=recorded_show_ids() if replay else None
    )
    async with c.db.read() as session:
        found = await search_shows(session, search, limit=limit, offset=offset)
        return await mark_reminders(session, actor, found)


@router.get("/shows/{show_id}")
async def get_show_detail(show_id: str, c: ContainerDep, request: Request) -> ShowState:
    return await _state(request, c, show_id)


@router.get("/shows/{show_id}/replay")
async def get_show_replay(show_id: str, c: ContainerDep, request: Request) -> ReplayOut:
    """The ended show's replay: its VOD playlist and where each pin and drop falls in it."""
    return await read_replay(c, request.app, show_id)


@router.get("/shows/{show_id}/stats")
async def get_show_stats(
    show_id: PathId, actor: ActorDep, c: ContainerDep, request: Request
) -> ShowStatsOut:
    """The live panel's numbers, for the show's hosts, co-hosts and the shop's moderators."""
    return await read_show_stats(c, request.app, actor, show_id)


@router.put(
    "/shows/{show_id}/reminder",
    status_code=status.HTTP_201_CREATED,
    responses={status.HTTP_200_OK: {"model": ReminderOut, "description": "Already set"}},
)
async def set_reminder(
    show_id: PathId, actor: ActorDep, c: ContainerDep, response: Response
) -> ReminderOut:
    """Remind me when this scheduled show starts (201 set now, 200 set before; 409 once the
    show has started). Nothing is sent yet: email and web push come later."""
    reminder, created = await do_set_reminder(_live(c), actor, show_id)
    if not created:
        response.status_code = status.HTTP_200_OK
    return reminder


@router.delete("/shows/{show_id}/reminder", status_code=status.HTTP_204_NO_CONTENT)
async def clear_reminder(show_id: PathId, actor: ActorDep, c: ContainerDep) -> None:
    """Forget my reminder for this show (204 whether or not there was one)."""
    await do_clear_reminder(_live(c), actor, show_id)


@router.post("/shows/{show_id}/start")
async def start_show(show_id: str, actor: ActorDep, c: ContainerDep, request: Request) -> ShowState:
    await do_start_show(_live(c), actor, show_id)
    return await _state(request, c, show_id)


@router.post("/shows/{show_id}/end")
async def end_show(show_id: str, actor: ActorDep, c: ContainerDep, request: Request) -> ShowState:
    async def end_its_drops(uow: UnitOfWork) -> int:
        return await do_end_show_drops(uow, c.broker, c.clock, show_id)

    await do_end_show(_live(c), actor, show_id, also=end_its_drops)
    # The video stops with the show: ENDLIST, the VOD playlist, and the replay's record.
    video = await c.media.end_show(show_id)
    if video is not None:
        await do_record_replay(c.db, c.clock, video)
    return await _state(request, c, show_id)


@router.post("/shows/{show_id}/pin")
async def pin_product(
    show_id: str, body: PinIn, actor: ActorDep, c: ContainerDep, request: Request
) -> ShowState:
    await do_pin_product(_live(c), actor, show_id, body.product_id)
    return await _state(request, c, show_id)


@router.put("/shows/{show_id}/lineup")
async def set_lineup(
    show_id: str,
    lineup: Annotated[Lineup, Body()],
    actor: ActorDep,
    c: ContainerDep,
    request: Request,
) -> ShowState:
    await do_set_lineup(_live(c), actor, show_id, lineup)
    return await _state(request, c, show_id)


@router.post("/shows/{show_id}/chat", status_code=status.HTTP_201_CREATED)
async def post_chat(
    show_id: str, body: ChatIn, actor: ActorDep, c: ContainerDep, request: Request
) -> ChatMessageOut:
    chat_limiter, _ = limiters(request.app)
    return await do_post_chat(
        _live(c), chat_limiter, actor, show_id, body.text, c.settings.chat_max_length
    )


@router.get("/shows/{show_id}/chat")
async def get_chat(
    show_id: str,
    c: ContainerDep,
    after: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ChatMessageOut]:
    async with c.db.read() as session:
        await get_show(session, show_id)
        return await list_chat(session, show_id, after=after, limit=limit)


@router.delete("/shows/{show_id}/chat/{message_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_chat(show_id: str, message_id: str, actor: ActorDep, c: ContainerDep) -> None:
    await do_delete_chat(_live(c), actor, show_id, message_id)


@router.post("/shows/{show_id}/mutes", status_code=status.HTTP_201_CREATED)
async def mute(show_id: str, body: MuteIn, actor: ActorDep, c: ContainerDep) -> SanctionOut:
    sanction = await do_sanction(
        _live(c), actor, show_id, body.user_id, SanctionKind.MUTE, body.minutes
    )
    return _sanction_out(sanction)


@router.post("/shows/{show_id}/bans", status_code=status.HTTP_201_CREATED)
async def ban(show_id: str, body: BanIn, actor: ActorDep, c: ContainerDep) -> SanctionOut:
    sanction = await do_sanction(_live(c), actor, show_id, body.user_id, SanctionKind.BAN)
    return _sanction_out(sanction)


@router.get("/shows/{show_id}/sanctions")
async def get_sanctions(
    show_id: PathId,
    actor: ActorDep,
    c: ContainerDep,
    limit: Annotated[
        int, Query(ge=1, le=SANCTIONS_CAP, description=f"At most {SANCTIONS_CAP} people")
    ] = SANCTIONS_CAP,
) -> list[SanctionedUserOut]:
    """Who may not chat in this show's shop now (bans, and mutes not yet over), one entry per
    person, the most recently sanctioned first: for those who may mute and ban here."""
    async with c.db.read() as session:
        return await list_sanctions(session, actor, show_id, c.clock.now(), limit=limit)


@router.delete("/shows/{show_id}/sanctions/{user_id}")
async def lift_sanctions(show_id: str, user_id: str, actor: ActorDep, c: ContainerDep) -> LiftedOut:
    """Lift the user's mutes and bans in this show's shop (its moderators may)."""
    return LiftedOut(lifted=await do_lift_sanctions(_live(c), actor, show_id, user_id))


@router.put("/shows/{show_id}/slow-mode")
async def set_slow_mode(
    show_id: str, body: SlowModeIn, actor: ActorDep, c: ContainerDep
) -> SlowModeOut:
    show = await do_set_slow_mode(_live(c), actor, show_id, body.seconds)
    return SlowModeOut(show_id=show.id, seconds=show.slow_mode_s)


@router.put("/shops/{shop_id}/blocked-words")
async def set_blocked_words(
    shop_id: str, words: Annotated[BlockedWords, Body()], actor: ActorDep, c: ContainerDep
) -> BlockedWordsOut:
    stored = await do_set_blocked_words(_live(c), actor, shop_id, words)
    return BlockedWordsOut(shop_id=shop_id, words=stored)


@router.post("/shows/{show_id}/reactions", status_code=status.HTTP_202_ACCEPTED)
async def react(
    show_id: str, body: ReactionIn, actor: ActorDep, c: ContainerDep, request: Request
) -> dict[str, str]:
    _, reaction_limiter = limiters(request.app)
    tally = hub_for(request.app).reactions
    await do_react(_live(c), reaction_limiter, actor, show_id, body.kind, tally=tally)
    return {"status": "accepted"}


@router.websocket("/shows/{show_id}/events")
async def show_events(websocket: WebSocket, show_id: str) -> None:
    chat_limiter, reaction_limiter = limiters(websocket.app)
    await serve_show_socket(websocket, show_id, chat_limiter, reaction_limiter)


def periodic_jobs(app: FastAPI) -> list[PeriodicJob]:
    interval = app.state.container.settings.viewer_count_interval_s
    return [("live.viewer_counts", interval, hub_for(app).publish_viewer_counts)]
