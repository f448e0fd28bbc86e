from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from livebazaar.kernel.db import Base
from livebazaar.kernel.ids import new_id


class ShowStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"


class HostRole(enum.StrEnum):
    HOST = "host"
    COHOST = "cohost"  # invited for this show only: the influencer beside the ambassador


class Grant(enum.StrEnum):
    """What a shop's owner may let one co-host do in one show, beyond presenting."""

    DROPS = "drops"  # start and end flash drops (at the list price)
    PRICES = "prices"  # price a drop otherwise than at the list price (with DROPS)
    STREAM_KEY = "stream_key"  # get, and so rotate, the stream key (OBS, apps)
    SHOP_SANCTIONS = "shop_sanctions"  # ban, mute and lift in every show of the shop
    END_SHOW = "end_show"  # end the show, and with it its drops and video


class SanctionKind(enum.StrEnum):
    MUTE = "mute"  # may watch, may not chat, until `until`
    BAN = "ban"  # may not chat, until lifted


class Show(Base):
    __tablename__ = "shows"
    __table_args__ = (Index("ix_shows_status_scheduled", "status", "scheduled_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ShowStatus] = mapped_column(
        Enum(ShowStatus, native_enum=False, length=16), default=ShowStatus.SCHEDULED
    )
    scheduled_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    pinned_product_id: Mapped[str | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL")
    )
    slow_mode_s: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class ShowHost(Base):
    """Who hosts a show beside its shop's owners and hosts: whoever scheduled it (HOST), and
    each co-host who accepted an invitation (COHOST), with the grants the shop's owner gave
    them for this show (live/powers.py: `Grant` values; none at first)."""

    __tablename__ = "show_hosts"
    __table_args__ = (UniqueConstraint("show_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[HostRole] = mapped_column(Enum(HostRole, native_enum=False, length=16))
    created_at: Mapped[datetime]
    grants: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")


class CohostInvite(Base):
    __tablename__ = "cohost_invites"
    __table_args__ = (UniqueConstraint("show_id", "invitee_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    invitee_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    invited_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]


class LineupItem(Base):
    __tablename__ = "lineup_items"
    __table_args__ = (UniqueConstraint("show_id", "product_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)


class PinMoment(Base):
    """When a product was pinned (or the pin cleared: product_id None): the replay's chapters.
    `at` is media time (kernel.events.media_now), the clock the video is stamped with."""

    __tablename__ = "pin_moments"
    __table_args__ = (Index("ix_pin_moments_show_at", "show_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    product_id: Mapped[str | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    at: Mapped[datetime]


class ChatMessage(Base):
    """Stored as plain text, always; rendering escapes it."""

    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_show_created", "show_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]
    deleted_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))


class ChatSanction(Base):
    """A mute or a ban in the chat of every show of a shop, or, when `show_id` is set, of that
    show only (a co-host's mute: live/sanctions.py)."""

    __tablename__ = "chat_sanctions"
    __table_args__ = (Index("ix_chat_sanctions_shop_user", "shop_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    show_id: Mapped[str | None] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[SanctionKind] = mapped_column(Enum(SanctionKind, native_enum=False, length=16))
    until: Mapped[datetime | None]  # None: until lifted
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    lifted_at: Mapped[datetime | None]


class BlockedWord(Base):
    __tablename__ = "blocked_words"
    __table_args__ = (UniqueConstraint("shop_id", "word"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    word: Mapped[str] = mapped_column(String(100))


class ShowReminder(Base):
    """A viewer asked to be told when a scheduled show starts. Nothing delivers it yet (email
    and web push are a later piece); the home page shows it and the show's hosts count them.
    Unique per (show, user), which also indexes "everyone to remind of this show"."""

    __tablename__ = "show_reminders"
    __table_args__ = (UniqueConstraint("show_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
