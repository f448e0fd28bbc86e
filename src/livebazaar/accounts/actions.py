"""Account actions: the only code here that changes state. Each commits its own unit of work."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from livebazaar.accounts.errors import (
    AddressNotFound,
    BadCredentials,
    EmailTaken,
    TooManyAddresses,
)
from livebazaar.accounts.models import Address, AuthToken, Membership, Role, TokenKind, User
from livebazaar.accounts.password_policy import check_password_strength
from livebazaar.accounts.passwords import Passwords
from livebazaar.accounts.schemas import AddressIn
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database, UnitOfWork
from livebazaar.kernel.errors import NotFound


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    secret: str
    csrf_token: str | None
    user_id: str
    max_age_s: int


async def do_register(
    db: Database,
    passwords: Passwords,
    clock: Clock,
    *,
    email: str,
    password: str,
    display_name: str,
    is_admin: bool = False,
) -> User:
    """WeakPassword for a password easy to guess (password_policy.py), EmailTaken."""
    await check_password_strength(password, email=email, display_name=display_name)
    password_hash = await passwords.hash(password)
    async with db.uow() as uow:
        email = email.strip().lower()
        if await uow.session.scalar(select(User.id).where(User.email == email)):
            raise EmailTaken()
        user = User(
            email=email,
            display_name=display_name.strip(),
            password_hash=password_hash,
            is_admin=is_admin,
            created_at=clock.now(),
        )
        uow.session.add(user)
        try:
            await uow.commit()
        except IntegrityError as exc:  # a concurrent registration won the race
            raise EmailTaken() from exc
    return user


async def do_log_in(
    db: Database,
    passwords: Passwords,
    clock: Clock,
    *,
    email: str,
    password: str,
    kind: TokenKind,
    ttl_s: int,
) -> IssuedToken:
    user = None
    if "\x00" not in email:  # no account has one, and PostgreSQL text cannot hold it
        async with db.read() as session:
            user = await session.scalar(select(User).where(User.email == email.strip().lower()))
    if not await passwords.verify(user.password_hash if user else None, password) or user is None:
        raise BadCredentials()
    async with db.uow() as uow:
        issued = _add_token(uow, clock, user.id, kind, ttl_s)
        await uow.commit()
    return issued


def _add_token(
    uow: UnitOfWork, clock: Clock, user_id: str, kind: TokenKind, ttl_s: int
) -> IssuedToken:
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24) if kind is TokenKind.SESSION else None
    now = clock.now()
    uow.session.add(
        AuthToken(
            user_id=user_id,
            token_hash=hash_token(secret),
            kind=kind,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_s),
            last_used_at=now,
        )
    )
    return IssuedToken(secret=secret, csrf_token=csrf, user_id=user_id, max_age_s=ttl_s)


async def do_log_out(db: Database, clock: Clock, *, token_id: str) -> None:
    async with db.uow() as uow:
        await uow.session.execute(
            update(AuthToken)
            .where(AuthToken.id == token_id, AuthToken.revoked_at.is_(None))
            .values(revoked_at=clock.now())
        )
        await uow.commit()


async def do_touch_token(db: Database, clock: Clock, *, token_id: str) -> datetime:
    """Note that the token is in use now (it then lives token_idle_ttl_s more); the time."""
    now = clock.now()
    async with db.uow() as uow:
        await uow.session.execute(
            update(AuthToken)
            .where(AuthToken.id == token_id, AuthToken.last_used_at < now)
            .values(last_used_at=now)
        )
        await uow.commit()
    return now


async def do_grant_role(
    db: Database, clock: Clock, *, shop_id: str, email: str, role: Role
) -> Membership:
    """Give the account with `email` a role in the shop (idempotent)."""
    async with db.uow() as uow:
        user_id = await uow.session.scalar(select(User.id).where(User.email == email.lower()))
        if user_id is None:
            raise NotFound("No account has this email", code_hint="user")
        existing = await uow.session.scalar(
            select(Membership).where(
                Membership.shop_id == shop_id,
                Membership.user_id == user_id,
                Membership.role == role,
            )
        )
        if existing is not None:
            await uow.commit()  # nothing to write; committing keeps `existing` loaded
            return existing
        membership = Membership(shop_id=shop_id, user_id=user_id, role=role, created_at=clock.now())
        uow.session.add(membership)
        try:
            await uow.commit()
        except IntegrityError as exc:
            raise NotFound("No such shop") from exc
    return membership


def add_membership(uow: UnitOfWork, clock: Clock, shop_id: str, user_id: str, role: Role) -> None:
    """Used inside another feature's action (creating a shop makes its creator owner and host)."""
    uow.session.add(Membership(shop_id=shop_id, user_id=user_id, role=role, created_at=clock.now()))


async def do_set_admin(db: Database, *, email: str, is_admin: bool) -> User:
    """Make an account a platform admin, or stop it being one (run by the operator's CLI)."""
    async with db.uow() as uow:
        user = await uow.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise NotFound("No account has this email")
        user.is_admin = is_admin
        await uow.commit()
    return user


MAX_ADDRESSES = 20


async def do_add_address(db: Database, clock: Clock, user_id: str, data: AddressIn) -> Address:
    async with db.uow() as uow:
        held = await uow.session.scalar(
            select(func.count()).select_from(Address).where(Address.user_id == user_id)
        )
        if (held or 0) >= MAX_ADDRESSES:
            raise TooManyAddresses()
        address = Address(user_id=user_id, created_at=clock.now(), **data.model_dump())
        uow.session.add(address)
        await uow.commit()
    return address


async def do_delete_address(db: Database, user_id: str, address_id: str) -> None:
    """Forget a saved address (orders keep their own copy)."""
    async with db.uow() as uow:
        address = await uow.session.get(Address, address_id)
        if address is None or address.user_id != user_id:
            raise AddressNotFound()
        await uow.session.delete(address)
        await uow.commit()
