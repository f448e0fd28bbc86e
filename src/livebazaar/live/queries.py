"""Read-only queries about shows: who may run them, their state, their chat."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor, Membership, Role, User, list_roles
from livebazaar.catalog import Shop, get_product_summaries
from livebazaar.kernel.money import MoneyOut
from livebazaar.live.errors import (
    ChatBanned,
    ChatMessageNotFound,
    ChatMuted,
    ProductNotInShop,
    ShowNotFound,
)
from livebazaar.live.models import (
    BlockedWord,
    ChatMessage,
    ChatSanction,
    LineupItem,
    PinMoment,
    SanctionKind,
    Show,
    ShowHost,
    ShowStatus,
)
from livebazaar.live.schemas import (
    ChatMessageOut,
    HostOut,
    LineupItemOut,
    ShowOut,
    ShowSummaryOut,
)
from livebazaar.live.search import summarize_shows

HOSTING_ROLES = frozenset({Role.OWNER, Role.HOST})
MODERATING_ROLES = frozenset({Role.OWNER, Role.HOST, Role.MODERATOR})
RECENT_CHAT = 50
SANCTIONS_CAP = 200  # people listed by list_sanctions at most (GET .../sanctions?limit=)


async def get_show(session: AsyncSession, show_id: str) -> Show:
    show = await session.get(Show, show_id, populate_existing=True)
    if show is None:
        raise ShowNotFound()
    return show


async def _is_show_host_row(session: AsyncSession, show_id: str, user_id: str) -> bool:
    found = await session.scalar(
        select(ShowHost.id).where(ShowHost.show_id == show_id, ShowHost.user_id == user_id)
    )
    return found is not None


def hosted_show_ids(actor: Actor) -> Select[tuple[str]]:
    """The ids of the shows whose studio the actor may open, as one SELECT (for
    `ShowSearch(within=...)`): shows of shops where they are owner or host, and shows they
    co-host; every show for a platform admin."""
    ids: Select[tuple[str]] = select(Show.id)
    if actor.is_admin:
        return ids
    hosting_shops = select(Membership.shop_id).where(
        Membership.user_id == actor.user_id, Membership.role.in_(HOSTING_ROLES)
    )
    cohosted = select(ShowHost.show_id).where(ShowHost.user_id == actor.user_id)
    return ids.where(or_(Show.shop_id.in_(hosting_shops), Show.id.in_(cohosted)))


async def may_moderate_show(session: AsyncSession, actor: Actor | None, show_id: str) -> bool:
    """Whether `actor` may moderate the show's chat (live/powers.py's MODERATE_CHAT: the shop's
    owners, hosts and moderators, the show's hosts and co-hosts), in one SELECT that also finds
    the show (ShowNotFound): what a WebSocket is told at admission."""
    if actor is None:
        if await session.scalar(select(Show.id).where(Show.id == show_id)) is None:
            raise ShowNotFound()
        return False
    shop_role = exists().where(
        Membership.shop_id == Show.shop_id,
        Membership.user_id == actor.user_id,
        Membership.role.in_(MODERATING_ROLES),
    )
    hosts = exists().where(ShowHost.show_id == Show.id, ShowHost.user_id == actor.user_id)
    row = (await session.execute(select(or_(shop_role, hosts)).where(Show.id == show_id))).first()
    if row is None:
        raise ShowNotFound()
    return actor.is_admin or bool(row[0])


async def is_staff(session: AsyncSession, show: Show, user_id: str) -> bool:
    """A member of the show's shop (any role) or one of the show's hosts and co-hosts."""
    if await list_roles(session, user_id, show.shop_id):
        return True
    return await _is_show_host_row(session, show.id, user_id)


async def is_in_lineup(session: AsyncSession, show_id: str, product_id: str) -> bool:
    found = await session.scalar(
        select(LineupItem.id).where(
            LineupItem.show_id == show_id, LineupItem.product_id == product_id
        )
    )
    return found is not None


async def check_lineup_products(
    session: AsyncSession, shop_id: str, product_ids: Sequence[str]
) -> list[str]:
    """The ids, de-duplicated in order, if each is a sellable product of the shop."""
    ids = list(dict.fromkeys(product_ids))
    summaries = await get_product_summaries(session, ids)
    for product_id in ids:
        summary = summaries.get(product_id)
        if summary is None or summary.shop_id != shop_id:
            raise ProductNotInShop(f"Product {product_id!r} is not in this shop")
    return ids


async def list_hosts(session: AsyncSession, show_id: str) -> list[HostOut]:
    rows = await session.execute(
        select(ShowHost, User.display_name)
        .join(User, User.id == ShowHost.user_id)
        .where(ShowHost.show_id == show_id)
        .order_by(ShowHost.created_at, ShowHost.id)
    )
    return [HostOut(user_id=h.user_id, display_name=name, role=h.role) for h, name in rows]


async def list_lineup(session: AsyncSession, show_id: str) -> list[LineupItemOut]:
    items = list(
        await session.scalars(
            select(LineupItem).where(LineupItem.show_id == show_id).order_by(LineupItem.position)
        )
    )
    summaries = await get_product_summaries(session, [i.product_id for i in items])
    lineup = []
    for item in items:
        summary = summaries.get(item.product_id)
        if summary is not None:
            lineup.append(
                LineupItemOut(
                    product_id=item.product_id,
                    title=summary.title,
                    image_url=summary.image_url,
                    variant_id=summary.default_variant_id,
                    price=MoneyOut.of(summary.price),
                    position=item.position,
                )
            )
    return lineup


async def list_shows_selling(session: AsyncSession, product_id: str) -> list[str]:
    """The shows not yet ended whose lineup holds the product (their viewers see its price)."""
    rows = await session.scalars(
        select(LineupItem.show_id)
        .join(Show, Show.id == LineupItem.show_id)
        .where(LineupItem.product_id == product_id, Show.status != ShowStatus.ENDED)
        .order_by(LineupItem.show_id)
    )
    return list(dict.fromkeys(rows))


def _chat_out(message: ChatMessage, display_name: str) -> ChatMessageOut:
    return ChatMessageOut(
        id=message.id,
        user_id=message.user_id,
        display_name=display_name,
        text=message.text,
        created_at=message.created_at,
    )


async def list_chat(
    session: AsyncSession, show_id: str, *, after: str | None = None, limit: int = 50
) -> list[ChatMessageOut]:
    """Chat history oldest first, deleted messages left out; `after` is a message id."""
    query = (
        select(ChatMessage, User.display_name)
        .join(User, User.id == ChatMessage.user_id)
        .where(ChatMessage.show_id == show_id, ChatMessage.deleted_at.is_(None))
    )
    if after is not None:
        anchor = await session.get(ChatMessage, after)
        if anchor is None or anchor.show_id != show_id:
            raise ChatMessageNotFound()
        query = query.where(
            or_(
                ChatMessage.created_at > anchor.created_at,
                and_(ChatMessage.created_at == anchor.created_at, ChatMessage.id > anchor.id),
            )
        )
    query = query.order_by(ChatMessage.created_at, ChatMessage.id).limit(limit)
    return [_chat_out(m, name) for m, name in await session.execute(query)]


async def list_recent_chat(session: AsyncSession, show_id: str) -> list[ChatMessageOut]:
    """The last RECENT_CHAT messages that were not deleted, oldest first."""
    rows = await session.execute(
        select(ChatMessage, User.display_name)
        .join(User, User.id == ChatMessage.user_id)
        .where(ChatMessage.show_id == show_id, ChatMessage.deleted_at.is_(None))
        .order_by(ChatMessage.created_at.desc(), ChatMessage.id.desc())
        .limit(RECENT_CHAT)
    )
    return [_chat_out(m, name) for m, name in reversed(list(rows))]


async def get_show_state(
    session: AsyncSession, show_id: str, *, viewer_count: int, last_seq: int
) -> ShowOut:
    """The live feature's part of a show's state (GET /shows/{id} adds the drops from
    checkout). Read `last_seq` before calling this, so events after it are never missing from
    the state a client builds (applying them is idempotent)."""
    show = await get_show(session, show_id)
    return ShowOut(
        id=show.id,
        shop_id=show.shop_id,
        title=show.title,
        description=show.description,
        status=show.status,
        scheduled_at=show.scheduled_at,
        started_at=show.started_at,
        ended_at=show.ended_at,
        hosts=await list_hosts(session, show_id),
        lineup=await list_lineup(session, show_id),
        pinned_product_id=show.pinned_product_id,
        slow_mode_s=show.slow_mode_s,
        viewer_count=viewer_count,
        recent_chat=await list_recent_chat(session, show_id),
        last_seq=last_seq,
    )


async def list_shows(
    session: AsyncSession, *, status: ShowStatus | None, limit: int, offset: int
) -> list[ShowSummaryOut]:
    """Shows newest scheduled first (live.search finds and orders them for the home page)."""
    query = select(Show, Shop).join(Shop, Shop.id == Show.shop_id)
    if status is not None:
        query = query.where(Show.status == status)
    query = query.order_by(Show.scheduled_at.desc(), Show.id.desc()).limit(limit).offset(offset)
    rows = [(show, shop) for show, shop in (await session.execute(query)).all()]
    return await summarize_shows(session, rows)


def sanctions_in_force(shop_id: str, show_id: str, now: datetime) -> ColumnElement[bool]:
    """The sanctions that apply in the show now: the shop's (or the show's own), not lifted,
    and a ban or a mute not yet over."""
    return and_(
        ChatSanction.shop_id == shop_id,
        or_(ChatSanction.show_id.is_(None), ChatSanction.show_id == show_id),
        ChatSanction.lifted_at.is_(None),
        or_(ChatSanction.until.is_(None), ChatSanction.until > now),
    )


async def check_not_sanctioned(
    session: AsyncSession, now: datetime, show: Show, user_id: str
) -> None:
    """Raise ChatBanned / ChatMuted if a sanction applies to the user in the show now."""
    kinds = set(
        await session.scalars(
            select(ChatSanction.kind).where(
                sanctions_in_force(show.shop_id, show.id, now), ChatSanction.user_id == user_id
            )
        )
    )
    if SanctionKind.BAN in kinds:
        raise ChatBanned()
    if SanctionKind.MUTE in kinds:
        raise ChatMuted()


async def list_blocked_words(session: AsyncSession, shop_id: str) -> list[str]:
    words = await session.scalars(
        select(BlockedWord.word).where(BlockedWord.shop_id == shop_id).order_by(BlockedWord.word)
    )
    return list(words)


def find_blocked_word(text: str, words: Sequence[str]) -> str | None:
    """The first blocked word that appears in `text` as a whole word, ignoring case."""
    for word in words:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
            return word
    return None


async def get_last_chat_at(session: AsyncSession, show_id: str, user_id: str) -> datetime | None:
    last: datetime | None = await session.scalar(
        select(func.max(ChatMessage.created_at)).where(
            ChatMessage.show_id == show_id, ChatMessage.user_id == user_id
        )
    )
    return last


async def list_pin_moments(
    session: AsyncSession, show_id: str
) -> list[tuple[datetime, str | None]]:
    """(when, product id or None for a cleared pin) of every pin of the show, oldest first."""
    rows = await session.execute(
        select(PinMoment.at, PinMoment.product_id)
        .where(PinMoment.show_id == show_id)
        .order_by(PinMoment.at, PinMoment.id)
    )
    return [(at, product_id) for at, product_id in rows.all()]
