"""Read-only payout queries and the checks of who may do what. Given a session; never commit.

Who sees a whole IBAN or phone number (others allowed to read see them masked, `MethodOut`):
the method's own party (a user for themselves, a producer's linked account) and whoever
holds the shop's owner role (platform admins pass role checks, as everywhere). The shop's
hosts read payout methods and batches masked; nobody else reads them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor, Role, check_shop_role, get_display_names, list_roles
from livebazaar.catalog import EDITOR_ROLES, Producer, Shop, get_producer, get_shop
from livebazaar.kernel.errors import Forbidden
from livebazaar.kernel.money import CURRENCY_EXPONENTS, Money
from livebazaar.payouts.errors import PayoutBatchNotFound, PayoutNotFound
from livebazaar.payouts.ledger_seam import Party
from livebazaar.payouts.methods import MethodSnapshot
from livebazaar.payouts.models import (
    PartyType,
    Payout,
    PayoutBatch,
    PayoutMethod,
    PayoutSettings,
)

OWNER = frozenset({Role.OWNER})


async def check_method_reader(session: AsyncSession, actor: Actor, party: Party) -> bool:
    """Raise unless the actor may read the party's payout method; True if unmasked."""
    if party.type is PartyType.USER:
        if party.id != actor.user_id:
            raise Forbidden("Only its owner reads a person's payout method")
        return True
    shop_id, linked = await _shop_of(session, actor, party)
    if linked:
        return True
    roles = await check_shop_role(session, actor, shop_id, EDITOR_ROLES)
    return actor.is_admin or Role.OWNER in roles


async def check_method_writer(session: AsyncSession, actor: Actor, party: Party) -> None:
    """Raise unless the actor may set the party's payout method: a person their own, a
    linked producer theirs, the shop's owner the shop's and its producers'."""
    if party.type is PartyType.USER:
        if party.id != actor.user_id:
            raise Forbidden("Only its owner sets a person's payout method")
        return
    shop_id, linked = await _shop_of(session, actor, party)
    if not linked:
        await check_shop_role(session, actor, shop_id, OWNER)


async def _shop_of(session: AsyncSession, actor: Actor, party: Party) -> tuple[str, bool]:
    """The party's shop (ShopNotFound / ProducerNotFound), and whether the actor is the
    producer's linked account (still holding the producer role in its shop)."""
    if party.type is PartyType.SHOP:
        return (await get_shop(session, party.id)).id, False
    producer = await get_producer(session, party.id)
    return producer.shop_id, await is_linked_producer(session, actor, producer)


async def is_linked_producer(session: AsyncSession, actor: Actor, producer: Producer) -> bool:
    if producer.user_id is None or producer.user_id != actor.user_id:
        return False
    return Role.PRODUCER in await list_roles(session, actor.user_id, producer.shop_id)


async def check_batch_reader(session: AsyncSession, actor: Actor, shop_id: str) -> bool:
    """Raise unless the actor may read the shop's batches (owner, host); True if unmasked."""
    roles = await check_shop_role(session, actor, shop_id, EDITOR_ROLES)
    return actor.is_admin or Role.OWNER in roles


async def get_method(session: AsyncSession, party: Party) -> PayoutMethod | None:
    return await session.scalar(
        select(PayoutMethod).where(
            PayoutMethod.party_type == party.type, PayoutMethod.party_id == party.id
        )
    )


async def get_methods(
    session: AsyncSession, parties: Iterable[Party]
) -> dict[Party, MethodSnapshot]:
    """The payout methods of `parties` that have one."""
    wanted = set(parties)
    ids = {party.id for party in wanted}
    if not ids:
        return {}
    rows = await session.scalars(select(PayoutMethod).where(PayoutMethod.party_id.in_(ids)))
    found = {Party(row.party_type, row.party_id): MethodSnapshot.of(row) for row in rows}
    return {party: method for party, method in found.items() if party in wanted}


async def get_party_names(session: AsyncSession, parties: Iterable[Party]) -> dict[Party, str]:
    """What a person calls each party: the shop's or producer's name, a user's display name
    (a party that no longer exists is named by its id)."""
    by_type: dict[PartyType, set[str]] = {kind: set() for kind in PartyType}
    for party in parties:
        by_type[party.type].add(party.id)
    names: dict[Party, str] = {}
    for model in (Shop, Producer):
        kind = PartyType.SHOP if model is Shop else PartyType.PRODUCER
        if by_type[kind]:
            rows = await session.execute(
                select(model.id, model.name).where(model.id.in_(by_type[kind]))
            )
            names.update({Party(kind, str(i)): str(name) for i, name in rows.all()})
    users = await get_display_names(session, by_type[PartyType.USER])
    names.update({Party(PartyType.USER, i): name for i, name in users.items()})
    return names


async def get_minimum(
    session: AsyncSession, shop_id: str, currency: str, default_major: int
) -> tuple[Money, bool]:
    """The shop's minimum payout in `currency`, and whether it is the default
    (`default_major` whole units: the shop set none, or set it in another currency)."""
    row = await session.get(PayoutSettings, shop_id)
    if row is not None and row.currency == currency:
        return Money(row.minimum_minor, currency), False
    return Money(default_major * 10 ** CURRENCY_EXPONENTS[currency], currency), True


async def get_batch(session: AsyncSession, batch_id: str) -> PayoutBatch:
    batch = await session.get(PayoutBatch, batch_id, populate_existing=True)
    if batch is None:
        raise PayoutBatchNotFound()
    return batch


async def get_payout(session: AsyncSession, payout_id: str) -> Payout:
    payout = await session.get(Payout, payout_id, populate_existing=True)
    if payout is None:
        raise PayoutNotFound()
    return payout


async def list_batch_payouts(session: AsyncSession, batch_id: str) -> list[Payout]:
    rows = await session.scalars(
        select(Payout).where(Payout.batch_id == batch_id).order_by(Payout.created_at, Payout.id)
    )
    return list(rows)


async def list_shop_batches(session: AsyncSession, shop_id: str, limit: int) -> list[PayoutBatch]:
    """The shop's batches, the newest first."""
    rows = await session.scalars(
        select(PayoutBatch)
        .where(PayoutBatch.shop_id == shop_id)
        .order_by(PayoutBatch.created_at.desc(), PayoutBatch.id.desc())
        .limit(limit)
    )
    return list(rows)


def party_of(payout: Payout) -> Party:
    return Party(payout.party_type, payout.party_id)
