"""Read-only queries about shows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor, Role, list_roles
from livebazaar.live.errors import NotShowHost, ShowNotFound
from livebazaar.live.models import LineupItem, Show, ShowHost

HOSTING_ROLES = frozenset({Role.OWNER, Role.HOST})


async def get_show(session: AsyncSession, show_id: str) -> Show:
    show = await session.get(Show, show_id, populate_existing=True)
    if show is None:
        raise ShowNotFound()
    return show


async def check_show_host(session: AsyncSession, actor: Actor, show_id: str) -> Show:
    """The show, if the actor may run it: a platform admin, an owner or host of its shop, or a
    co-host who accepted an invitation to this show. Raises ShowNotFound / NotShowHost."""
    show = await get_show(session, show_id)
    if actor.is_admin:
        return show
    if await list_roles(session, actor.user_id, show.shop_id) & HOSTING_ROLES:
        return show
    is_cohost = await session.scalar(
        select(ShowHost.id).where(ShowHost.show_id == show_id, ShowHost.user_id == actor.user_id)
    )
    if is_cohost is None:
        raise NotShowHost()
    return show


async def is_in_lineup(session: AsyncSession, show_id: str, product_id: str) -> bool:
    found = await session.scalar(
        select(LineupItem.id).where(
            LineupItem.show_id == show_id, LineupItem.product_id == product_id
        )
    )
    return found is not None
