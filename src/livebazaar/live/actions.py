"""Live-show actions: the only code here that changes state. Each commits its own unit of
work and publishes its events after the commit (`live.emit`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from livebazaar.accounts import Actor
from livebazaar.broker import Broker
from livebazaar.catalog import get_shop
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database, UnitOfWork
from livebazaar.kernel.events import media_now
from livebazaar.kernel.money import Money, MoneyOut
from livebazaar.kernel.ratelimit import RateLimiter
from livebazaar.live.channel import emit, publish_now
from livebazaar.live.errors import (
    BlockedWordTooLong,
    BlockedWordUsed,
    ChatEmpty,
    ChatMessageNotFound,
    ChatTooLong,
    ProductNotInLineup,
    ShowAlreadyLive,
    ShowEnded,
    ShowInPast,
    ShowNotLive,
    SlowMode,
)
from livebazaar.live.events import (
    ChatDeleted,
    ChatMessageSent,
    ChatSlowMode,
    ProductPinned,
    ProductPriceChanged,
    ReactionKind,
    ReactionSent,
    ShowEndedEvent,
    ShowStarted,
)
from livebazaar.live.models import (
    BlockedWord,
    ChatMessage,
    HostRole,
    LineupItem,
    PinMoment,
    Show,
    ShowHost,
    ShowStatus,
)
from livebazaar.live.powers import Power, check_power, check_shop_power
from livebazaar.live.queries import (
    check_lineup_products,
    check_not_sanctioned,
    find_blocked_word,
    get_last_chat_at,
    get_show,
    is_in_lineup,
    list_blocked_words,
    list_shows_selling,
)
from livebazaar.live.tally import ReactionTally

MAX_WORD = 100  # BlockedWord.word's length
# How far in the past a new show's time may be: the seller's clock may be a little behind.
SCHEDULE_SKEW = timedelta(minutes=5)

InSameUnit = Callable[[UnitOfWork], Awaitable[object]]


@dataclass(frozen=True)
class Live:
    """What every live action needs: storage, the channel, the time."""

    db: Database
    broker: Broker
    clock: Clock


def _refuse_if_ended(show: Show) -> None:
    if show.status is ShowStatus.ENDED:
        raise ShowEnded()


def _put_lineup(uow: UnitOfWork, show_id: str, product_ids: Sequence[str]) -> None:
    for position, product_id in enumerate(product_ids):
        uow.session.add(LineupItem(show_id=show_id, product_id=product_id, position=position))


async def do_create_show(
    lv: Live,
    actor: Actor,
    *,
    shop_id: str,
    title: str,
    scheduled_at: datetime,
    lineup: Sequence[str],
    description: str = "",
) -> Show:
    async with lv.db.uow() as uow:
        await get_shop(uow.session, shop_id)
        await check_shop_power(uow.session, actor, shop_id, Power.SCHEDULE_SHOW)
        product_ids = await check_lineup_products(uow.session, shop_id, lineup)
        now = lv.clock.now()
        if scheduled_at < now - SCHEDULE_SKEW:
            raise ShowInPast()
        show = Show(
            shop_id=shop_id,
            title=title.strip(),
            description=description,
            status=ShowStatus.SCHEDULED,
            scheduled_at=scheduled_at,
            slow_mode_s=0,
            created_by=actor.user_id,
            created_at=now,
        )
        uow.session.add(show)
        await uow.session.flush()
        uow.session.add(
            ShowHost(show_id=show.id, user_id=actor.user_id, role=HostRole.HOST, created_at=now)
        )
        _put_lineup(uow, show.id, product_ids)
        await uow.commit()
    return show


async def do_start_show(lv: Live, actor: Actor, show_id: str) -> Show:
    async with lv.db.uow() as uow:
        show = await check_power(uow.session, actor, show_id, Power.START_SHOW)
        _refuse_if_ended(show)
        if show.status is ShowStatus.LIVE:
            raise ShowAlreadyLive()
        show.status = ShowStatus.LIVE
        show.started_at = lv.clock.now()
        emit(uow, lv.broker, lv.clock, show_id, ShowStarted(started_at=show.started_at))
        await uow.commit()
    return show


async def do_end_show(
    lv: Live, actor: Actor, show_id: str, *, also: InSameUnit | None = None
) -> Show:
    """End the show. `also` runs inside the same unit of work before the commit: the web
    layer passes checkout's "end this show's drops" so both happen together or not at all,
    without live importing checkout."""
    async with lv.db.uow() as uow:
        await uow.session.execute(select(Show.id).where(Show.id == show_id).with_for_update())
        show = await check_power(uow.session, actor, show_id, Power.END_SHOW)
        _refuse_if_ended(show)
        if show.status is not ShowStatus.LIVE:
            raise ShowNotLive()
        show.status = ShowStatus.ENDED
        show.ended_at = lv.clock.now()
        if show.pinned_product_id is not None:
            show.pinned_product_id = None
            uow.session.add(PinMoment(show_id=show_id, product_id=None, at=media_now()))
            emit(uow, lv.broker, lv.clock, show_id, ProductPinned(product_id=None))
        if also is not None:
            await also(uow)
        emit(uow, lv.broker, lv.clock, show_id, ShowEndedEvent(ended_at=show.ended_at))
        await uow.commit()
    return show


async def do_announce_price(
    uow: UnitOfWork, broker: Broker, clock: Clock, *, product_id: str, variant_id: str,
    price: Money,
) -> int:  # fmt: skip
    """Inside the caller's unit of work (the catalog setting the price): tell every show not
    yet ended whose lineup holds the product, once it commits. How many shows were told."""
    shows = await list_shows_selling(uow.session, product_id)
    event = ProductPriceChanged(
        product_id=product_id, variant_id=variant_id, price=MoneyOut.of(price)
    )
    for show_id in shows:
        emit(uow, broker, clock, show_id, event)
    return len(shows)


async def do_pin_product(lv: Live, actor: Actor, show_id: str, product_id: str | None) -> Show:
    async with lv.db.uow() as uow:
        show = await check_power(uow.session, actor, show_id, Power.PIN)
        _refuse_if_ended(show)
        if product_id is not None and not await is_in_lineup(uow.session, show_id, product_id):
            raise ProductNotInLineup()
        show.pinned_product_id = product_id
        uow.session.add(PinMoment(show_id=show_id, product_id=product_id, at=media_now()))
        emit(uow, lv.broker, lv.clock, show_id, ProductPinned(product_id=product_id))
        await uow.commit()
    return show


async def do_set_lineup(lv: Live, actor: Actor, show_id: str, lineup: Sequence[str]) -> Show:
    """Replace the lineup; a pinned product that left it is unpinned."""
    async with lv.db.uow() as uow:
        show = await check_power(uow.session, actor, show_id, Power.EDIT_LINEUP)
        _refuse_if_ended(show)
        product_ids = await check_lineup_products(uow.session, show.shop_id, lineup)
        await uow.session.execute(delete(LineupItem).where(LineupItem.show_id == show_id))
        _put_lineup(uow, show_id, product_ids)
        if show.pinned_product_id is not None and show.pinned_product_id not in product_ids:
            show.pinned_product_id = None
            uow.session.add(PinMoment(show_id=show_id, product_id=None, at=media_now()))
            emit(uow, lv.broker, lv.clock, show_id, ProductPinned(product_id=None))
        await uow.commit()
    return show


def check_chat_text(text: str, max_length: int) -> str:
    text = text.replace("\x00", "").strip()  # NUL: no database stores it in text
    if not text:
        raise ChatEmpty()
    if len(text) > max_length:
        raise ChatTooLong(f"At most {max_length} characters")
    return text


async def do_post_chat(
    lv: Live, limiter: RateLimiter, actor: Actor, show_id: str, text: str, max_length: int
) -> ChatMessageSent:
    text = check_chat_text(text, max_length)
    async with lv.db.uow() as uow:
        show = await get_show(uow.session, show_id)
        if show.status is not ShowStatus.LIVE:
            raise ShowNotLive()
        now = lv.clock.now()
        await check_not_sanctioned(uow.session, now, show, actor.user_id)
        if find_blocked_word(text, await list_blocked_words(uow.session, show.shop_id)):
            raise BlockedWordUsed()
        if show.slow_mode_s:  # one sender's messages one at a time, whichever node takes them
            await uow.lock_name(f"chat:{show_id}:{actor.user_id}")
            last = await get_last_chat_at(uow.session, show_id, actor.user_id)
            wait = (last + timedelta(seconds=show.slow_mode_s) - now) if last else None
            if wait is not None and wait.total_seconds() > 0:
                raise SlowMode(retry_after_s=wait.total_seconds())
        await limiter.hit(f"chat:{actor.user_id}", now)
        message = ChatMessage(show_id=show_id, user_id=actor.user_id, text=text, created_at=now)
        uow.session.add(message)
        await uow.session.flush()
        event = ChatMessageSent(
            id=message.id,
            user_id=actor.user_id,
            display_name=actor.display_name,
            text=text,
            created_at=now,
        )
        emit(uow, lv.broker, lv.clock, show_id, event)
        await uow.commit()
    return event


async def do_delete_chat(lv: Live, actor: Actor, show_id: str, message_id: str) -> None:
    async with lv.db.uow() as uow:
        await check_power(uow.session, actor, show_id, Power.MODERATE_CHAT)
        message = await uow.session.get(ChatMessage, message_id)
        if message is None or message.show_id != show_id:
            raise ChatMessageNotFound()
        if message.deleted_at is not None:
            return
        message.deleted_at = lv.clock.now()
        message.deleted_by = actor.user_id
        emit(uow, lv.broker, lv.clock, show_id, ChatDeleted(message_id=message_id))
        await uow.commit()


async def do_set_slow_mode(lv: Live, actor: Actor, show_id: str, seconds: int) -> Show:
    async with lv.db.uow() as uow:
        show = await check_power(uow.session, actor, show_id, Power.MODERATE_CHAT)
        _refuse_if_ended(show)
        show.slow_mode_s = seconds
        emit(uow, lv.broker, lv.clock, show_id, ChatSlowMode(seconds=seconds))
        await uow.commit()
    return show


async def do_set_blocked_words(
    lv: Live, actor: Actor, shop_id: str, words: Sequence[str]
) -> list[str]:
    """Replace the shop's blocked words (kept lower-case, de-duplicated)."""
    cleaned = sorted({w.strip().lower() for w in words if w.strip()})
    if any(len(w) > MAX_WORD for w in cleaned):
        raise BlockedWordTooLong()
    async with lv.db.uow() as uow:
        await get_shop(uow.session, shop_id)
        await check_shop_power(uow.session, actor, shop_id, Power.BLOCKED_WORDS)
        await uow.session.execute(delete(BlockedWord).where(BlockedWord.shop_id == shop_id))
        for word in cleaned:
            uow.session.add(BlockedWord(shop_id=shop_id, word=word))
        await uow.commit()
    return cleaned


async def do_react(
    lv: Live, limiter: RateLimiter, actor: Actor, show_id: str, kind: ReactionKind,
    *, tally: ReactionTally,
) -> None:  # fmt: skip
    """A reaction is stored nowhere: checked, rate limited, counted in `tally` (this
    process's), and sent to the show's viewers."""
    async with lv.db.read() as session:
        show = await get_show(session, show_id)
    if show.status is not ShowStatus.LIVE:
        raise ShowNotLive()
    now = lv.clock.now()
    await limiter.hit(f"reaction:{actor.user_id}", now)
    tally.add(show_id)
    await publish_now(lv.broker, lv.clock, show_id, ReactionSent(kind=kind))
