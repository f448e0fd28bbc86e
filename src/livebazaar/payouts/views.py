"""What the API and the pages show of payout methods, settings and batches, each read
after its reader's check (queries.py), with IBANs masked for those who see them masked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor, check_shop_role
from livebazaar.catalog import get_shop, list_producers
from livebazaar.kernel.errors import DomainError
from livebazaar.kernel.money import Money, MoneyOut
from livebazaar.payouts.ledger_seam import Party
from livebazaar.payouts.methods import MethodSnapshot
from livebazaar.payouts.models import PartyType, Payout, PayoutBatch
from livebazaar.payouts.queries import (
    OWNER,
    check_batch_reader,
    check_method_reader,
    get_batch,
    get_method,
    get_methods,
    get_minimum,
    get_party_names,
    list_batch_payouts,
    list_shop_batches,
    party_of,
)
from livebazaar.payouts.schemas import (
    MethodOut,
    PartyOut,
    PayoutBatchOut,
    PayoutMethodOut,
    PayoutOut,
    PayoutSettingsOut,
)
from livebazaar.payouts.sepa import check_sepa_possible


@dataclass(frozen=True)
class PartyMethod:
    party: Party
    name: str
    method: MethodOut | None


@dataclass(frozen=True)
class MoneyOverview:
    """What the seller dashboard's money section shows a shop's owner or host."""

    methods: list[PartyMethod]  # the shop's, then each producer's
    batches: list[PayoutBatchOut]  # the newest first
    minimum: MoneyOut
    may_pay: bool  # the owner: sets methods, makes batches, downloads files, marks payouts
    sepa_ready: frozenset[str]  # the batches a SEPA file can be made of now


async def get_money_overview(
    session: AsyncSession, actor: Actor, shop_id: str, default_major: int, batches: int = 10
) -> MoneyOverview:
    shop = await get_shop(session, shop_id)
    full = await check_batch_reader(session, actor, shop_id)
    parties = [(Party(PartyType.SHOP, shop.id), shop.name)] + [
        (Party(PartyType.PRODUCER, p.id), p.name) for p in await list_producers(session, shop_id)
    ]
    found = await get_methods(session, [party for party, _ in parties])
    methods = [
        PartyMethod(party, name, MethodOut.of(found[party], full=full) if party in found else None)
        for party, name in parties
    ]
    minimum, _ = await get_minimum(session, shop_id, shop.currency, default_major)
    made = await list_shop_batches(session, shop_id, batches)
    debtor = found.get(parties[0][0])
    return MoneyOverview(
        methods=methods,
        batches=[await batch_out(session, batch, full=full) for batch in made],
        minimum=MoneyOut.of(minimum),
        may_pay=full,
        sepa_ready=frozenset(
            [b.id for b in made if _sepa_ready(await list_batch_payouts(session, b.id), debtor)]
        ),
    )


def _sepa_ready(payouts: Sequence[Payout], debtor: MethodSnapshot | None) -> bool:
    try:
        check_sepa_possible(payouts, debtor)
    except DomainError:
        return False
    return True


async def get_method_view(session: AsyncSession, actor: Actor, party: Party) -> PayoutMethodOut:
    full = await check_method_reader(session, actor, party)
    row = await get_method(session, party)
    if row is None:
        return PayoutMethodOut(party=PartyOut.of(party), method=None, updated_at=None)
    method = MethodOut.of(MethodSnapshot.of(row), full=full)
    return PayoutMethodOut(party=PartyOut.of(party), method=method, updated_at=row.updated_at)


async def get_settings_view(
    session: AsyncSession, actor: Actor, shop_id: str, default_major: int
) -> PayoutSettingsOut:
    shop = await get_shop(session, shop_id)
    await check_batch_reader(session, actor, shop_id)
    minimum, is_default = await get_minimum(session, shop_id, shop.currency, default_major)
    return PayoutSettingsOut(shop_id=shop_id, minimum=MoneyOut.of(minimum), is_default=is_default)


async def get_batch_view(session: AsyncSession, actor: Actor, batch_id: str) -> PayoutBatchOut:
    batch = await get_batch(session, batch_id)
    full = await check_batch_reader(session, actor, batch.shop_id)
    return await batch_out(session, batch, full=full)


async def list_batch_views(
    session: AsyncSession, actor: Actor, shop_id: str, limit: int = 20
) -> list[PayoutBatchOut]:
    await get_shop(session, shop_id)
    full = await check_batch_reader(session, actor, shop_id)
    return [
        await batch_out(session, batch, full=full)
        for batch in await list_shop_batches(session, shop_id, limit)
    ]


async def check_batch_owner(session: AsyncSession, actor: Actor, batch_id: str) -> PayoutBatch:
    """The batch, if the actor holds its shop's owner role (whole IBANs: its files)."""
    batch = await get_batch(session, batch_id)
    await check_shop_role(session, actor, batch.shop_id, OWNER)
    return batch


async def batch_out(session: AsyncSession, batch: PayoutBatch, *, full: bool) -> PayoutBatchOut:
    payouts = await list_batch_payouts(session, batch.id)
    total = sum(payout.amount_minor for payout in payouts)
    return PayoutBatchOut(
        id=batch.id, shop_id=batch.shop_id, currency=batch.currency, provider=batch.provider,
        status=batch.status, created_by=batch.created_by, created_at=batch.created_at,
        total=MoneyOut.of(Money(total, batch.currency)),
        payouts=await payout_outs(session, payouts, full=full),
    )  # fmt: skip


async def payout_outs(
    session: AsyncSession, payouts: Sequence[Payout], *, full: bool
) -> list[PayoutOut]:
    names = await get_party_names(session, [party_of(payout) for payout in payouts])
    return [_payout_out(payout, names, full=full) for payout in payouts]


def _payout_out(payout: Payout, names: dict[Party, str], *, full: bool) -> PayoutOut:
    party = party_of(payout)
    return PayoutOut(
        id=payout.id, batch_id=payout.batch_id, party=PartyOut.of(party),
        party_name=names.get(party, party.id),
        amount=MoneyOut.of(Money(payout.amount_minor, payout.currency)), status=payout.status,
        method=MethodOut.of(MethodSnapshot.from_json(payout.method), full=full),
        reference=payout.reference, failure_reason=payout.failure_reason,
        created_at=payout.created_at, settled_at=payout.settled_at,
    )  # fmt: skip
