"""Mutes and bans in a show's chat: who may give and lift them, and where they apply.

A sanction is the shop's (it applies in every show of the shop: `show_id` None) or one
show's. The shop's owners, hosts and moderators, and a co-host granted `shop_sanctions`, mute
and ban shop-wide and lift anything (live/powers.py: SANCTION_SHOP). Any other co-host of the
show moderates that show only: their mutes apply in it alone, they may not ban, and they lift
only that show's mutes, never the shop's (a guest must not silence, or pardon, the shop's
buyers in every other show). Nobody sanctions the shop's members or the show's hosts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor, User, get_display_names
from livebazaar.live.actions import Live
from livebazaar.live.errors import CannotSanctionStaff, ShowEnded, UserNotFound
from livebazaar.live.models import ChatSanction, SanctionKind, ShowStatus
from livebazaar.live.powers import Power, get_actor_standing
from livebazaar.live.queries import SANCTIONS_CAP, get_show, is_staff, sanctions_in_force
from livebazaar.live.schemas import SanctionedUserOut


async def do_sanction(
    lv: Live, actor: Actor, show_id: str, user_id: str, kind: SanctionKind, minutes: int = 0
) -> ChatSanction:
    """Mute (for `minutes`) or ban a user: in every show of the shop, or, for a co-host
    without `shop_sanctions`, a mute in this show only. Only while the show runs."""
    async with lv.db.uow() as uow:
        show = await get_show(uow.session, show_id)
        standing = await get_actor_standing(uow.session, actor, show)
        standing.check(Power.SANCTION_SHOP if kind is SanctionKind.BAN else Power.MODERATE_CHAT)
        if show.status is ShowStatus.ENDED:
            raise ShowEnded()
        if await uow.session.get(User, user_id) is None:
            raise UserNotFound()
        if await is_staff(uow.session, show, user_id):
            raise CannotSanctionStaff()
        now = lv.clock.now()
        sanction = ChatSanction(
            shop_id=show.shop_id,
            show_id=None if standing.may(Power.SANCTION_SHOP) else show_id,
            user_id=user_id,
            kind=kind,
            until=now + timedelta(minutes=minutes) if kind is SanctionKind.MUTE else None,
            created_by=actor.user_id,
            created_at=now,
        )
        uow.session.add(sanction)
        await uow.commit()
    return sanction


async def do_lift_sanctions(lv: Live, actor: Actor, show_id: str, user_id: str) -> int:
    """Lift the user's mutes and bans in this show's shop (those who may sanction shop-wide),
    or this show's mutes (another co-host: GrantRequired while a sanction of the shop's applies
    to the user, and then nothing is lifted). Returns how many were lifted."""
    async with lv.db.uow() as uow:
        show = await get_show(uow.session, show_id)
        standing = await get_actor_standing(uow.session, actor, show)
        standing.check(Power.MODERATE_CHAT)
        lifting = update(ChatSanction).where(
            ChatSanction.shop_id == show.shop_id,
            ChatSanction.user_id == user_id,
            ChatSanction.lifted_at.is_(None),
        )
        if not standing.may(Power.SANCTION_SHOP):
            shop_wide = await uow.session.scalar(
                select(ChatSanction.id).where(
                    sanctions_in_force(show.shop_id, show_id, lv.clock.now()),
                    ChatSanction.user_id == user_id,
                    ChatSanction.show_id.is_(None),
                )
            )
            if shop_wide is not None:
                standing.check(Power.SANCTION_SHOP)  # raises: GrantRequired
            lifting = lifting.where(ChatSanction.show_id == show_id)
        result = await uow.session.execute(lifting.values(lifted_at=lv.clock.now()))
        await uow.commit()
    lifted: int = getattr(result, "rowcount", 0)
    return lifted


async def list_sanctions(
    session: AsyncSession, actor: Actor, show_id: str, now: datetime, *, limit: int
) -> list[SanctionedUserOut]:
    """Who may not chat in the show now, for those who may moderate it (raises ShowNotFound /
    NotModerator): one entry per person, banned or muted until the latest end of their mutes
    in force, the most recently sanctioned first, at most `limit` of them."""
    show = await get_show(session, show_id)
    (await get_actor_standing(session, actor, show)).check(Power.MODERATE_CHAT)
    banned = func.max(case((ChatSanction.kind == SanctionKind.BAN, 1), else_=0))
    shop_wide = func.max(case((ChatSanction.show_id.is_(None), 1), else_=0))
    muted_until = func.max(case((ChatSanction.kind == SanctionKind.MUTE, ChatSanction.until)))
    rows = (
        await session.execute(
            select(ChatSanction.user_id, banned, shop_wide, muted_until)
            .where(sanctions_in_force(show.shop_id, show_id, now))
            .group_by(ChatSanction.user_id)
            .order_by(func.max(ChatSanction.created_at).desc(), func.max(ChatSanction.id).desc())
            .limit(min(limit, SANCTIONS_CAP))
        )
    ).all()
    names = await get_display_names(session, [row[0] for row in rows])
    return [
        SanctionedUserOut(
            user_id=user_id,
            display_name=names.get(user_id, ""),
            banned=bool(is_banned),
            shop_wide=bool(is_shop_wide),
            muted_until=until,
        )
        for user_id, is_banned, is_shop_wide, until in rows
    ]
