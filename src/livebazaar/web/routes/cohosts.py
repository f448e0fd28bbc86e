"""Co-host invitations over HTTP: the show's host invites, lists and withdraws; the invitee
finds theirs (GET /me/cohost-invites), accepts or declines; the shop's owner sets what an
accepted co-host may do beyond presenting (PUT .../grants; docs/roles.md)."""

from __future__ import annotations

from fastapi import APIRouter, status

from livebazaar.live import (
    CohostInviteOut,
    Live,
    MyInviteOut,
    do_accept_cohost,
    do_decline_cohost,
    do_invite_cohost,
    do_set_cohost_grants,
    do_withdraw_cohost,
    list_cohost_invites,
    list_my_invites,
)
from livebazaar.live.models import CohostInvite
from livebazaar.live.schemas import CohostIn, GrantsIn, GrantsOut, InviteOut
from livebazaar.web.deps import ActorDep, ContainerDep, PathId
from livebazaar.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["live"], responses=PROBLEM_RESPONSES)


def _invite_out(invite: CohostInvite) -> InviteOut:
    return InviteOut.model_validate(invite, from_attributes=True)


@router.get("/shows/{show_id}/cohosts")
async def show_cohosts(show_id: PathId, actor: ActorDep, c: ContainerDep) -> list[CohostInviteOut]:
    async with c.db.read() as session:
        return await list_cohost_invites(session, actor, show_id)


@router.post("/shows/{show_id}/cohosts", status_code=status.HTTP_201_CREATED)
async def invite_cohost(
    show_id: PathId, body: CohostIn, actor: ActorDep, c: ContainerDep
) -> InviteOut:
    live = Live(c.db, c.broker, c.clock)
    return _invite_out(await do_invite_cohost(live, actor, show_id, body.email))


@router.post("/shows/{show_id}/cohosts/accept")
async def accept_cohost(show_id: PathId, actor: ActorDep, c: ContainerDep) -> InviteOut:
    return _invite_out(await do_accept_cohost(Live(c.db, c.broker, c.clock), actor, show_id))


@router.post("/shows/{show_id}/cohosts/decline")
async def decline_cohost(show_id: PathId, actor: ActorDep, c: ContainerDep) -> InviteOut:
    return _invite_out(await do_decline_cohost(Live(c.db, c.broker, c.clock), actor, show_id))


@router.delete("/shows/{show_id}/cohosts/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def withdraw_cohost(
    show_id: PathId, user_id: PathId, actor: ActorDep, c: ContainerDep
) -> None:
    await do_withdraw_cohost(Live(c.db, c.broker, c.clock), actor, show_id, user_id)


@router.put("/shows/{show_id}/cohosts/{user_id}/grants")
async def set_cohost_grants(
    show_id: PathId, user_id: PathId, body: GrantsIn, actor: ActorDep, c: ContainerDep
) -> GrantsOut:
    """What this accepted co-host may do in the show beyond presenting, replacing what they
    had (`[]` takes every grant back): `drops` (start and end drops at the list price),
    `prices` (price a drop otherwise), `stream_key`, `shop_sanctions` (ban, mute and lift in
    every show of the shop), `end_show`. The shop's owners only; docs/roles.md has the table."""
    live = Live(c.db, c.broker, c.clock)
    grants = await do_set_cohost_grants(live, actor, show_id, user_id, body.grants)
    return GrantsOut(show_id=show_id, user_id=user_id, grants=grants)


@router.get("/me/cohost-invites")
async def my_cohost_invites(actor: ActorDep, c: ContainerDep) -> list[MyInviteOut]:
    async with c.db.read() as session:
        return await list_my_invites(session, actor)
