from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from livebazaar.kernel.db import Base
from livebazaar.kernel.ids import new_id


class Role(enum.StrEnum):
    OWNER = "owner"
    HOST = "host"
    PRODUCER = "producer"
    MODERATOR = "moderator"


class TokenKind(enum.StrEnum):
    API = "api"  # bearer token for the API
    SESSION = "session"  # HttpOnly cookie for the pages, paired with a CSRF token


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class AuthToken(Base):
    __tablename__ = "auth_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # sha256 of the secret; the secret itself is only ever in the client's hands.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[TokenKind] = mapped_column(Enum(TokenKind, native_enum=False, length=16))
    csrf_token: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # When the token was last used, written at most once per settings.token_touch_interval_s:
    # a token unused for settings.token_idle_ttl_s is refused before it expires.
    last_used_at: Mapped[datetime]


class Membership(Base):
    """A user's role in a shop (a cooperative or a business). One row per role held."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("shop_id", "user_id", "role"),
        Index("ix_memberships_user", "user_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16))
    created_at: Mapped[datetime]


class Address(Base):
    """A buyer's saved delivery address. Orders keep a copy when paid, so editing or deleting
    an address never changes where an order already went."""

    __tablename__ = "addresses"
    __table_args__ = (Index("ix_addresses_user", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(120), default="")
    postal_code: Mapped[str] = mapped_column(String(32), default="")
    country: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime]
