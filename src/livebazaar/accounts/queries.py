"""Read-only account queries: who is calling, and what may they do in a shop."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts.actions import hash_token
from livebazaar.accounts.errors import AddressNotFound, InvalidToken, RoleRequired
from livebazaar.accounts.models import Address, AuthToken, Membership, Role, TokenKind, User
from livebazaar.kernel.clock import Clock


@dataclass(frozen=True)
class Actor:
    """The authenticated caller, as every action receives it."""

    user_id: str
    display_name: str
    is_admin: bool
    token_id: str
    token_kind: TokenKind
    csrf_token: str | None
    token_expires_at: datetime
    token_last_used_at: datetime | None = None  # None: an actor made by hand, not by a token


async def get_actor_by_token(
    session: AsyncSession, clock: Clock, secret: str, idle_ttl: timedelta | None = None
) -> Actor:
    """The token's owner; InvalidToken when unknown, revoked, expired, or unused for
    `idle_ttl` (settings.token_idle_ttl_s)."""
    row = (
        await session.execute(
            select(AuthToken, User)
            .join(User, User.id == AuthToken.user_id)
            .where(AuthToken.token_hash == hash_token(secret))
        )
    ).first()
    if row is None:
        raise InvalidToken()
    token, user = row
    now = clock.now()
    if token.revoked_at is not None or token.expires_at <= now:
        raise InvalidToken()
    if idle_ttl is not None and token.last_used_at + idle_ttl <= now:
        raise InvalidToken()
    return Actor(
        user_id=user.id,
        display_name=user.display_name,
        is_admin=user.is_admin,
        token_id=token.id,
        token_kind=token.kind,
        csrf_token=token.csrf_token,
        token_expires_at=token.expires_at,
        token_last_used_at=token.last_used_at,
    )


async def list_roles(session: AsyncSession, user_id: str, shop_id: str) -> set[Role]:
    rows = await session.scalars(
        select(Membership.role).where(Membership.user_id == user_id, Membership.shop_id == shop_id)
    )
    return set(rows)


async def check_shop_role(
    session: AsyncSession, actor: Actor, shop_id: str, allowed: Iterable[Role]
) -> set[Role]:
    """Raise RoleRequired unless the actor holds one of `allowed` in the shop (admins pass)."""
    roles = await list_roles(session, actor.user_id, shop_id)
    if actor.is_admin or roles & set(allowed):
        return roles
    raise RoleRequired()


async def list_user_roles(session: AsyncSession, user_id: str) -> dict[str, set[Role]]:
    """The shops the user holds a role in, each with the user's roles there (oldest first)."""
    rows = await session.execute(
        select(Membership.shop_id, Membership.role)
        .where(Membership.user_id == user_id)
        .order_by(Membership.created_at, Membership.id)
    )
    roles: dict[str, set[Role]] = {}
    for shop_id, role in rows.all():
        roles.setdefault(str(shop_id), set()).add(role)
    return roles


async def get_user(session: AsyncSession, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def list_members(session: AsyncSession, shop_id: str) -> list[tuple[User, Role]]:
    rows = await session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.shop_id == shop_id)
        .order_by(Membership.created_at)
    )
    return [(user, role) for user, role in rows]


async def list_addresses(session: AsyncSession, user_id: str) -> list[Address]:
    """The user's saved addresses, oldest first."""
    rows = await session.scalars(
        select(Address).where(Address.user_id == user_id).order_by(Address.created_at, Address.id)
    )
    return list(rows)


async def get_own_address(session: AsyncSession, user_id: str, address_id: str) -> Address:
    """One of the user's addresses; AddressNotFound for anyone else's (no existence leak)."""
    address = await session.get(Address, address_id)
    if address is None or address.user_id != user_id:
        raise AddressNotFound()
    return address


async def get_display_names(session: AsyncSession, user_ids: Iterable[str]) -> dict[str, str]:
    """Display names keyed by user id (unknown ids are absent)."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return {}
    rows = await session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {str(user_id): str(name) for user_id, name in rows.all()}
