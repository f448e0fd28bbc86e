"""Co-host invitations: a show's host invites someone by email (for this show only), the
invitee accepts or declines, and the host sees each invitation's state and may withdraw it
(which also ends an accepted co-host's hosting of the show, and their grants).

Only the shop's owners and hosts (and admins) invite, list and withdraw: a co-host may not hand
their powers on. Only the invitee answers; an answer stands (accepting again is a no-op,
declining an accepted invitation is refused) until the host invites them again.

A co-host presents; what touches the shop's stock, money, stream key or other shows needs the
owner's grant for the show (live/powers.py). Only the shop's owners (and admins) grant: a grant
hands a guest part of what a member of the shop may do, and adding members is theirs too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor, User
from livebazaar.catalog import Shop
from livebazaar.live.actions import Live
from livebazaar.live.errors import (
    AlreadyHost,
    CohostNotAccepted,
    CohostNotFound,
    InviteAnswered,
    InviteNotFound,
    ShowEnded,
    UserNotFound,
)
from livebazaar.live.models import CohostInvite, Grant, HostRole, Show, ShowHost, ShowStatus
from livebazaar.live.powers import Power, check_power, check_shop_power, parse_grants
from livebazaar.live.queries import get_show

InviteStatus = Literal["pending", "accepted", "declined"]
# How many invitations one show, or one person, may have listed at once.
INVITES_LISTED = 200


class CohostInviteOut(BaseModel):
    """An invitation as the show's host sees it."""

    show_id: str
    invitee_id: str
    display_name: str
    email: str
    status: InviteStatus
    created_at: datetime
    answered_at: datetime | None
    grants: list[Grant] = Field(
        description="What the shop's owner lets this co-host do in the show beyond presenting "
        "(accepted invitations only; docs/roles.md)"
    )


class MyInviteOut(BaseModel):
    """An invitation as its invitee sees it."""

    show_id: str
    show_title: str
    show_status: ShowStatus
    scheduled_at: datetime
    shop_name: str
    status: InviteStatus
    created_at: datetime


def _status(invite: CohostInvite) -> InviteStatus:
    if invite.accepted_at is not None:
        return "accepted"
    return "declined" if invite.declined_at is not None else "pending"


async def check_shop_host_of_show(session: AsyncSession, actor: Actor, show_id: str) -> Show:
    """The show, if the actor may invite its co-hosts (owners, hosts, admins): not a co-host."""
    return await check_power(session, actor, show_id, Power.INVITE_COHOSTS)


async def _find(session: AsyncSession, show_id: str, user_id: str) -> CohostInvite | None:
    found: CohostInvite | None = await session.scalar(
        select(CohostInvite).where(
            CohostInvite.show_id == show_id, CohostInvite.invitee_id == user_id
        )
    )
    return found


async def do_invite_cohost(lv: Live, actor: Actor, show_id: str, email: str) -> CohostInvite:
    """A host invites someone (who need not belong to the shop) to co-host this show only;
    inviting again someone who declined asks them again."""
    async with lv.db.uow() as uow:
        show = await check_shop_host_of_show(uow.session, actor, show_id)
        if show.status is ShowStatus.ENDED:
            raise ShowEnded()
        invitee_id = await uow.session.scalar(
            select(User.id).where(User.email == email.strip().lower())
        )
        if invitee_id is None:
            raise UserNotFound()
        hosting = await uow.session.scalar(
            select(ShowHost.id).where(ShowHost.show_id == show_id, ShowHost.user_id == invitee_id)
        )
        if hosting is not None:
            raise AlreadyHost()
        invite = await _find(uow.session, show_id, invitee_id)
        if invite is None:
            invite = CohostInvite(
                show_id=show_id, invitee_id=invitee_id, invited_by=actor.user_id,
                created_at=lv.clock.now(),
            )  # fmt: skip
            uow.session.add(invite)
        elif invite.declined_at is not None:
            invite.declined_at = None
            invite.invited_by = actor.user_id
            invite.created_at = lv.clock.now()
        await uow.commit()
    return invite


async def do_accept_cohost(lv: Live, actor: Actor, show_id: str) -> CohostInvite:
    """The invitee accepts: they host the show from now on (accepting again changes nothing)."""
    async with lv.db.uow() as uow:
        show = await get_show(uow.session, show_id)
        invite = await _find(uow.session, show_id, actor.user_id)
        if invite is None:
            raise InviteNotFound()
        if invite.declined_at is not None:
            raise InviteAnswered()
        if invite.accepted_at is None:
            if show.status is ShowStatus.ENDED:
                raise ShowEnded()
            now = lv.clock.now()
            invite.accepted_at = now
            uow.session.add(
                ShowHost(
                    show_id=show_id, user_id=actor.user_id, role=HostRole.COHOST, created_at=now
                )
            )
        await uow.commit()
    return invite


async def do_decline_cohost(lv: Live, actor: Actor, show_id: str) -> CohostInvite:
    """The invitee declines (declining again changes nothing; an accepted one is refused)."""
    async with lv.db.uow() as uow:
        await get_show(uow.session, show_id)
        invite = await _find(uow.session, show_id, actor.user_id)
        if invite is None:
            raise InviteNotFound()
        if invite.accepted_at is not None:
            raise InviteAnswered()
        if invite.declined_at is None:
            invite.declined_at = lv.clock.now()
        await uow.commit()
    return invite


async def do_withdraw_cohost(lv: Live, actor: Actor, show_id: str, user_id: str) -> None:
    """A host withdraws the invitation of `user_id`: pending, declined or accepted (then they
    co-host the show no more). Withdrawing what is not there changes nothing."""
    async with lv.db.uow() as uow:
        await check_shop_host_of_show(uow.session, actor, show_id)
        await uow.session.execute(
            delete(CohostInvite).where(
                CohostInvite.show_id == show_id, CohostInvite.invitee_id == user_id
            )
        )
        await uow.session.execute(
            delete(ShowHost).where(
                ShowHost.show_id == show_id,
                ShowHost.user_id == user_id,
                ShowHost.role == HostRole.COHOST,
            )
        )
        await uow.commit()


async def do_set_cohost_grants(
    lv: Live, actor: Actor, show_id: str, user_id: str, grants: Sequence[Grant]
) -> list[Grant]:
    """The shop's owner sets what an accepted co-host of the show may do beyond presenting
    (replacing what they had; none takes every grant back). Returns them in the table's order.
    CohostNotFound if `user_id` was not invited, CohostNotAccepted until they accept."""
    async with lv.db.uow() as uow:
        show = await get_show(uow.session, show_id)
        await check_shop_power(uow.session, actor, show.shop_id, Power.GRANT_COHOSTS)
        row = await uow.session.scalar(
            select(ShowHost).where(
                ShowHost.show_id == show_id,
                ShowHost.user_id == user_id,
                ShowHost.role == HostRole.COHOST,
            )
        )
        if row is None:
            if await _find(uow.session, show_id, user_id) is not None:
                raise CohostNotAccepted()
            raise CohostNotFound()
        kept = [grant for grant in Grant if grant in set(grants)]
        row.grants = [grant.value for grant in kept]
        await uow.commit()
    return kept


async def list_cohost_invites(
    session: AsyncSession, actor: Actor, show_id: str
) -> list[CohostInviteOut]:
    """The show's invitations, oldest first, for the shop's hosts."""
    await check_shop_host_of_show(session, actor, show_id)
    rows = await session.execute(
        select(CohostInvite, User.display_name, User.email, ShowHost.grants)
        .join(User, User.id == CohostInvite.invitee_id)
        .outerjoin(
            ShowHost,
            (ShowHost.show_id == CohostInvite.show_id)
            & (ShowHost.user_id == CohostInvite.invitee_id)
            & (ShowHost.role == HostRole.COHOST),
        )
        .where(CohostInvite.show_id == show_id)
        .order_by(CohostInvite.created_at, CohostInvite.id)
        .limit(INVITES_LISTED)
    )
    return [
        CohostInviteOut(
            show_id=invite.show_id,
            invitee_id=invite.invitee_id,
            display_name=name,
            email=email,
            status=_status(invite),
            created_at=invite.created_at,
            answered_at=invite.accepted_at or invite.declined_at,
            grants=parse_grants(grants),
        )
        for invite, name, email, grants in rows
    ]


async def list_my_invites(session: AsyncSession, actor: Actor) -> list[MyInviteOut]:
    """The actor's unanswered invitations to shows not ended yet, newest first."""
    rows = await session.execute(
        select(CohostInvite, Show, Shop.name)
        .join(Show, Show.id == CohostInvite.show_id)
        .join(Shop, Shop.id == Show.shop_id)
        .where(
            CohostInvite.invitee_id == actor.user_id,
            CohostInvite.accepted_at.is_(None),
            CohostInvite.declined_at.is_(None),
            Show.status != ShowStatus.ENDED,
        )
        .order_by(CohostInvite.created_at.desc(), CohostInvite.id)
        .limit(INVITES_LISTED)
    )
    return [
        MyInviteOut(
            show_id=show.id,
            show_title=show.title,
            show_status=show.status,
            scheduled_at=show.scheduled_at,
            shop_name=shop_name,
            status=_status(invite),
            created_at=invite.created_at,
        )
        for invite, show, shop_name in rows
    ]
