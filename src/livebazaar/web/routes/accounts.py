from __future__ import annotations

from fastapi import APIRouter, Request, status

from livebazaar.accounts import (
    AddressIn,
    AddressOut,
    Role,
    TokenKind,
    check_shop_role,
    do_add_address,
    do_delete_address,
    do_grant_role,
    do_log_in,
    do_log_out,
    do_register,
    get_user,
    list_addresses,
    list_members,
)
from livebazaar.accounts.schemas import MemberIn, MemberOut, RegisterIn, TokenIn, TokenOut, UserOut
from livebazaar.kernel.errors import NotFound
from livebazaar.web.auth_limits import (
    check_account_sign_in_rate,
    check_register_rate,
    check_sign_in_rate,
)
from livebazaar.web.deps import ActorDep, ContainerDep, PathId
from livebazaar.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["accounts"], responses=PROBLEM_RESPONSES)


@router.post("/auth/register", status_code=status.HTTP_201_CREATED)
async def register(body: RegisterIn, c: ContainerDep, request: Request) -> UserOut:
    """At most settings.register_rate_per_hour accounts per client address (429 beyond); a
    password easy to guess is refused (422 weak_password)."""
    await check_register_rate(c, request)
    user = await do_register(
        c.db,
        c.passwords,
        c.clock,
        email=str(body.email),
        password=body.password,
        display_name=body.display_name,
    )
    return UserOut(id=user.id, email=user.email, display_name=user.display_name, is_admin=False)


@router.post("/auth/token")
async def issue_token(body: TokenIn, c: ContainerDep, request: Request) -> TokenOut:
    """At most settings.sign_in_rate_per_10min attempts per client address (429 beyond), and
    sign_in_account_rate_per_15min on one account from one address (429 sign_in_locked)."""
    await check_sign_in_rate(c, request)
    await check_account_sign_in_rate(c, request, body.email)
    issued = await do_log_in(
        c.db,
        c.passwords,
        c.clock,
        email=body.email,
        password=body.password,
        kind=TokenKind.API,
        ttl_s=c.settings.token_ttl_s,
    )
    return TokenOut(access_token=issued.secret, expires_in=issued.max_age_s)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def log_out(actor: ActorDep, c: ContainerDep) -> None:
    await do_log_out(c.db, c.clock, token_id=actor.token_id)
    c.actors.forget(actor.token_id)


@router.get("/me")
async def me(actor: ActorDep, c: ContainerDep) -> UserOut:
    async with c.db.read() as session:
        user = await get_user(session, actor.user_id)
    if user is None:
        raise NotFound()
    return UserOut(
        id=user.id, email=user.email, display_name=user.display_name, is_admin=user.is_admin
    )


@router.get("/me/addresses")
async def my_addresses(actor: ActorDep, c: ContainerDep) -> list[AddressOut]:
    async with c.db.read() as session:
        rows = await list_addresses(session, actor.user_id)
    return [AddressOut.model_validate(row) for row in rows]


@router.post("/me/addresses", status_code=status.HTTP_201_CREATED)
async def add_address(body: AddressIn, actor: ActorDep, c: ContainerDep) -> AddressOut:
    """Save a delivery address (at most 20); pay an order with its id to ship there."""
    return AddressOut.model_validate(await do_add_address(c.db, c.clock, actor.user_id, body))


@router.delete("/me/addresses/{address_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_address(address_id: PathId, actor: ActorDep, c: ContainerDep) -> None:
    await do_delete_address(c.db, actor.user_id, address_id)


@router.get("/shops/{shop_id}/members")
async def get_members(shop_id: str, actor: ActorDep, c: ContainerDep) -> list[MemberOut]:
    async with c.db.read() as session:
        await check_shop_role(session, actor, shop_id, Role)
        members = await list_members(session, shop_id)
    return [MemberOut(user_id=u.id, display_name=u.display_name, role=r) for u, r in members]


@router.post("/shops/{shop_id}/members", status_code=status.HTTP_201_CREATED)
async def add_member(shop_id: str, body: MemberIn, actor: ActorDep, c: ContainerDep) -> MemberOut:
    async with c.db.read() as session:
        await check_shop_role(session, actor, shop_id, {Role.OWNER})
    membership = await do_grant_role(
        c.db, c.clock, shop_id=shop_id, email=str(body.email), role=body.role
    )
    async with c.db.read() as session:
        user = await get_user(session, membership.user_id)
    assert user is not None
    return MemberOut(user_id=user.id, display_name=user.display_name, role=membership.role)
