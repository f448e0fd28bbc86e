"""Who may do what in a show: the role table, and the one check every show action makes.

`RULES` is the table. Each row is one power over a show; it names the shop roles that hold it
(a platform admin holds every power), and whether a show's co-host holds it: always (they
present: pin, chat, publish video to the show, moderate its chat), never (the lineup, the
co-hosts, the shop's settings), or only with one of the owner's `Grant`s for that show (what
touches the shop's stock, money, stream key or other shows). Actions ask `check_power`;
docs/roles.md is the same table (tests/test_authz_matrix.py checks the two agree, and the
matrix's rows take who is allowed from here).

Whoever scheduled a show keeps a host's powers over it (its `ShowHost` row, role HOST), as
the shop's hosts do. A co-host's powers end with their invitation (withdrawn: the row goes).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor, Role, RoleRequired, User, check_shop_role, list_roles
from livebazaar.kernel.errors import DomainError
from livebazaar.live.errors import (
    GrantRequired,
    NotModerator,
    NotShowHost,
    ShopHostRequired,
)
from livebazaar.live.models import Grant, HostRole, Show, ShowHost
from livebazaar.live.queries import HOSTING_ROLES, MODERATING_ROLES, get_show


class Power(enum.StrEnum):
    OPEN_STUDIO = "open_studio"
    START_SHOW = "start_show"
    PIN = "pin"
    PUBLISH_VIDEO = "publish_video"
    SEE_STATS = "see_stats"
    MODERATE_CHAT = "moderate_chat"
    SANCTION_SHOP = "sanction_shop"
    RUN_DROPS = "run_drops"
    PRICE_DROPS = "price_drops"
    STREAM_KEY = "stream_key"
    END_SHOW = "end_show"
    EDIT_LINEUP = "edit_lineup"
    INVITE_COHOSTS = "invite_cohosts"
    GRANT_COHOSTS = "grant_cohosts"
    SCHEDULE_SHOW = "schedule_show"
    BLOCKED_WORDS = "blocked_words"


HOSTS = HOSTING_ROLES
MODERATORS = MODERATING_ROLES
OWNERS = frozenset({Role.OWNER})


@dataclass(frozen=True)
class Rule:
    """One power: `what` it is (docs/roles.md's words), the shop `roles` that hold it, and
    `cohost`: True (every co-host of the show), False (none), or the Grant a co-host needs.
    `refusal` is what anyone else gets; a `shop_wide` power is about the shop, not one show
    (checked with accounts.check_shop_role: RoleRequired)."""

    what: str
    roles: frozenset[Role]
    cohost: bool | Grant
    refusal: type[DomainError] = NotShowHost
    shop_wide: bool = False


RULES: dict[Power, Rule] = {
    Power.OPEN_STUDIO: Rule("Open the show's studio", HOSTS, True),
    Power.START_SHOW: Rule("Start the show (going live starts it)", HOSTS, True),
    Power.PIN: Rule("Pin or unpin a product of the lineup", HOSTS, True),
    Power.PUBLISH_VIDEO: Rule("Go live with the studio's camera (signed in, no key)", HOSTS, True),
    Power.SEE_STATS: Rule("See the live panel (viewers, orders, revenue)", MODERATORS, True,
                          NotModerator),
    Power.MODERATE_CHAT: Rule(
        "Moderate the show's chat: delete messages, mute in this show, slow mode, see and "
        "lift who may not chat", MODERATORS, True, NotModerator),
    Power.SANCTION_SHOP: Rule("Ban, mute and lift in every show of the shop", MODERATORS,
                              Grant.SHOP_SANCTIONS, NotModerator),
    Power.RUN_DROPS: Rule("Start or end a flash drop (at the list price)", HOSTS, Grant.DROPS),
    Power.PRICE_DROPS: Rule("Price a drop otherwise than at the list price", HOSTS,
                            Grant.PRICES),
    Power.STREAM_KEY: Rule("Get a new stream key (OBS, apps; the old key stops working)", HOSTS,
                           Grant.STREAM_KEY),
    Power.END_SHOW: Rule("End the show, its drops and its video", HOSTS, Grant.END_SHOW),
    Power.EDIT_LINEUP: Rule("Change the show's lineup", HOSTS, False),
    Power.INVITE_COHOSTS: Rule("Invite, list and withdraw co-hosts; set their commissions",
                               HOSTS, False),
    Power.GRANT_COHOSTS: Rule("Give a co-host grants", OWNERS, False, RoleRequired, True),
    Power.SCHEDULE_SHOW: Rule("Schedule a show of the shop", HOSTS, False, RoleRequired, True),
    Power.BLOCKED_WORDS: Rule("Set the shop's blocked words", MODERATORS, False, RoleRequired,
                              True),
}  # fmt: skip


@dataclass(frozen=True)
class Standing:
    """Where someone stands in one show: what `may` they do there."""

    is_admin: bool
    roles: frozenset[Role]  # in the show's shop, and HOST for whoever scheduled the show
    cohost: bool
    grants: frozenset[Grant]

    def may(self, power: Power) -> bool:
        rule = RULES[power]
        if self.is_admin or self.roles & rule.roles:
            return True
        if not self.cohost or rule.shop_wide:
            return False
        return rule.cohost is True or (
            isinstance(rule.cohost, Grant) and rule.cohost in self.grants
        )

    def check(self, power: Power) -> None:
        """Raise the refusal a caller without `power` gets: a co-host learns which grant they
        lack (GrantRequired) or that it is not for co-hosts (ShopHostRequired)."""
        if self.may(power):
            return
        rule = RULES[power]
        if self.cohost and isinstance(rule.cohost, Grant):
            raise GrantRequired(grant=rule.cohost.value)
        if self.cohost and not rule.shop_wide:
            raise ShopHostRequired()
        raise rule.refusal()

    def powers(self) -> frozenset[Power]:
        return frozenset(power for power in Power if self.may(power))


async def get_standing(
    session: AsyncSession, show: Show, user_id: str, *, is_admin: bool
) -> Standing:
    roles = await list_roles(session, user_id, show.shop_id)
    row = (
        await session.execute(
            select(ShowHost.role, ShowHost.grants).where(
                ShowHost.show_id == show.id, ShowHost.user_id == user_id
            )
        )
    ).first()
    if row is not None and row.role is HostRole.HOST:
        roles = roles | {Role.HOST}
    cohost = row is not None and row.role is HostRole.COHOST
    grants = frozenset(parse_grants(row.grants)) if cohost and row is not None else frozenset()
    return Standing(is_admin=is_admin, roles=frozenset(roles), cohost=cohost, grants=grants)


async def get_actor_standing(session: AsyncSession, actor: Actor, show: Show) -> Standing:
    return await get_standing(session, show, actor.user_id, is_admin=actor.is_admin)


async def get_user_standing(session: AsyncSession, user_id: str, show: Show) -> Standing:
    """The standing of an account that is not the caller (whoever issued a stream key)."""
    is_admin = await session.scalar(select(User.is_admin).where(User.id == user_id))
    return await get_standing(session, show, user_id, is_admin=bool(is_admin))


async def check_power(session: AsyncSession, actor: Actor, show_id: str, power: Power) -> Show:
    """The show, if the actor holds `power` over it. Raises ShowNotFound, or the refusal
    `Standing.check` picks (NotShowHost, NotModerator, GrantRequired, ShopHostRequired)."""
    show = await get_show(session, show_id)
    (await get_actor_standing(session, actor, show)).check(power)
    return show


async def check_shop_power(session: AsyncSession, actor: Actor, shop_id: str, power: Power) -> None:
    """For a power over the whole shop (`Rule.shop_wide`): RoleRequired unless the actor holds
    one of its roles there (admins do); a show's co-host never does."""
    rule = RULES[power]
    assert rule.shop_wide, power
    await check_shop_role(session, actor, shop_id, rule.roles)


def parse_grants(stored: list[str] | None) -> list[Grant]:
    """A row's grants, in the table's order; a name this version does not know is ignored."""
    known = set(stored or ())
    return [grant for grant in Grant if grant.value in known]
