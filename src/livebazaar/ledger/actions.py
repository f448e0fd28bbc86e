"""What happens to an order's money, as ledger entries; and the shows' commissions.

The `record_*` and `release_*` steps run inside the caller's unit of work (payments calls them
where the order becomes paid, refunded or charged back), so an order never changes without
its entry, nor the reverse. Each entry's key is the order's event (`order:<id>:paid`), so a
step run twice writes once. `do_*` open and commit their own unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar import catalog, checkout, live
from livebazaar.accounts import Actor
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database
from livebazaar.ledger.errors import (
    CommissionsTooHigh,
    DuplicateCommission,
    NotShowCohost,
)
from livebazaar.ledger.journal import AccountRef, Leg, Posted, post_entry
from livebazaar.ledger.models import (
    AccountKind,
    Bucket,
    EntryKind,
    LedgerEntry,
    ShowCommission,
)
from livebazaar.ledger.queries import (
    get_sale_shares,
    list_order_parts,
    order_entry_key,
    platform_fee_of,
)
from livebazaar.ledger.schemas import CommissionIn, CommissionOut
from livebazaar.ledger.split import TOTAL_BPS, Part, Party, Sale, split_refund, split_sale


@dataclass(frozen=True)
class SaleTerms:
    """The platform's terms for a sale when the shop has none of its own (settings)."""

    platform_fee_bps: int = 500


async def record_sale(
    session: AsyncSession, order: checkout.Order, *, provider_fee_minor: int,
    terms: SaleTerms, now: datetime,
) -> Posted:  # fmt: skip
    """The paid order's split: the buyer's payment out of the provider clearing account into
    every party's pending share."""
    terms_here = await get_sale_shares(session, order.shop_id, order.product_id, order.show_id)
    fee_bps = terms_here.shop_fee_bps
    sale = Sale(
        shop_id=order.shop_id, total_minor=order.total_minor,
        provider_fee_minor=provider_fee_minor,
        platform_fee_bps=terms.platform_fee_bps if fee_bps is None else fee_bps,
        commissions=terms_here.commissions, producer_shares=terms_here.producer_shares,
        shipping_minor=shipping_of(order),
    )  # fmt: skip
    legs = [_clearing_leg(order, -order.total_minor)]
    legs += [_leg(order, part, Bucket.PENDING) for part in split_sale(sale)]
    return await post_entry(
        session, order_entry_key(order.id, "paid"), EntryKind.SALE, legs,
        shop_id=order.shop_id, now=now, order_id=order.id, show_id=order.show_id,
    )  # fmt: skip


def shipping_of(order: checkout.Order) -> int:
    """What the buyer paid for shipping: none yet (the fulfilment issue adds it to orders,
    and then the shop's shipping_payable gets it in the split)."""
    return 0


async def record_refund(
    session: AsyncSession, order: checkout.Order, *, refund_id: str, amount_minor: int,
    refunded_before_minor: int, now: datetime,
) -> Posted | None:  # fmt: skip
    """`amount_minor` given back to the buyer: every party returns its share in proportion.
    The refund that completes the order returns exactly what the full refund would have, so a
    fully refunded order ends the same however its refunds were cut. None if the order's sale
    was never booked (paid before the ledger existed): there is nothing to reverse."""
    closing = refunded_before_minor + amount_minor >= order.total_minor
    return await _reverse(
        session, order, order_entry_key(order.id, f"refund:{refund_id}"), EntryKind.REFUND,
        amount_minor, closing=closing, now=now,
    )  # fmt: skip


async def record_chargeback(
    session: AsyncSession, order: checkout.Order, *, refunded_before_minor: int, now: datetime
) -> Posted | None:
    """The buyer's bank took back what was not refunded yet: like a full refund. Money already
    paid out is not taken back from anyone's hands: their balance goes negative, and later
    earnings net it off."""
    return await _reverse(
        session, order, order_entry_key(order.id, "chargeback"), EntryKind.CHARGEBACK,
        order.total_minor - refunded_before_minor, closing=True, now=now,
    )  # fmt: skip


async def release_order_funds(
    session: AsyncSession, order: checkout.Order, now: datetime
) -> Posted:
    """The order's pending shares (what is left of them after refunds) become available."""
    parts = await list_order_parts(session, order.id, Bucket.PENDING)
    legs: list[Leg] = []
    for account, amount in parts:
        legs += [Leg(account, -amount), Leg(account.moved(Bucket.AVAILABLE), amount)]
    return await post_entry(
        session, order_entry_key(order.id, "release"), EntryKind.RELEASE, legs,
        shop_id=order.shop_id, now=now, order_id=order.id, show_id=order.show_id,
    )  # fmt: skip


async def _reverse(
    session: AsyncSession, order: checkout.Order, key: str, kind: EntryKind, amount: int, *,
    closing: bool, now: datetime,
) -> Posted | None:  # fmt: skip
    sale_entry = await session.scalar(
        select(LedgerEntry.id).where(LedgerEntry.key == order_entry_key(order.id, "paid"))
    )
    if sale_entry is None:
        return None
    sale_rows = await list_order_parts(session, order.id, kinds=[EntryKind.SALE])
    sale = [Part(party, n) for party, n in sorted(_by_party(sale_rows).items())]
    taken = split_refund(order.total_minor if closing else amount, sale, order.shop_id)
    if closing:  # what the whole refund takes, less what earlier reversals took already
        rows = await list_order_parts(session, order.id, kinds=[EntryKind.REFUND])
        before = {party: -n for party, n in _by_party(rows).items()}
        taken = [Part(p.party, p.amount_minor - before.pop(p.party, 0)) for p in taken]
        taken += [Part(party, -n) for party, n in sorted(before.items())]
    released = await session.scalar(
        select(LedgerEntry.id).where(LedgerEntry.key == order_entry_key(order.id, "release"))
    )
    bucket = Bucket.AVAILABLE if released is not None else Bucket.PENDING
    legs = [_clearing_leg(order, amount)] + [_leg(order, p, bucket, -1) for p in taken]
    return await post_entry(
        session, key, kind, legs, shop_id=order.shop_id, now=now, order_id=order.id,
        show_id=order.show_id, reverses_entry_id=sale_entry,
    )  # fmt: skip


def _clearing_leg(order: checkout.Order, amount: int) -> Leg:
    account = AccountRef.platform(
        order.shop_id, AccountKind.PROVIDER_CLEARING, Bucket.POSTED, order.currency
    )
    return Leg(account, amount)


def _leg(order: checkout.Order, part: Part, bucket: Bucket, sign: int = 1) -> Leg:
    party = part.party
    if party.kind in (AccountKind.PAYMENT_FEE, AccountKind.REFUNDS):
        bucket = Bucket.POSTED  # the provider has it, or it is gone: no hold
    account = AccountRef(
        order.shop_id, party.owner_type, party.owner_id, party.kind, bucket, order.currency
    )
    return Leg(account, sign * part.amount_minor)


def _by_party(rows: Sequence[tuple[AccountRef, int]]) -> dict[Party, int]:
    """Net amounts per party, whatever bucket they are in."""
    totals: dict[Party, int] = {}
    for account, amount in rows:
        party = Party(account.owner_id, account.kind, account.owner_type)
        totals[party] = totals.get(party, 0) + amount
    return totals


async def do_set_commissions(
    db: Database, clock: Clock, actor: Actor, show_id: str, items: list[CommissionIn], *,
    default_platform_fee_bps: int,
) -> list[CommissionOut]:  # fmt: skip
    """Replace the show's commissions (its shop's owners and hosts, before or during it): each
    to one of its hosts or co-hosts; with the shop's platform fee at most 10,000 bps."""
    async with db.uow() as uow:
        s = uow.session
        show = await live.check_power(s, actor, show_id, live.Power.INVITE_COHOSTS)
        if show.status is live.ShowStatus.ENDED:
            raise live.ShowEnded()
        users = [item.user_id for item in items]
        if len(set(users)) != len(users):
            raise DuplicateCommission()
        hosts = {host.user_id for host in await live.list_hosts(s, show_id)}
        if strangers := sorted(set(users) - hosts):
            raise NotShowCohost(user_ids=strangers)
        fee = platform_fee_of(await catalog.get_shop(s, show.shop_id), default_platform_fee_bps)
        total = fee + sum(item.bps for item in items)
        if total > TOTAL_BPS:
            raise CommissionsTooHigh(
                f"The commissions and the platform fee come to {total} basis points",
                total_bps=total, platform_fee_bps=fee,
            )  # fmt: skip
        await s.execute(delete(ShowCommission).where(ShowCommission.show_id == show_id))
        rows = [
            ShowCommission(show_id=show_id, user_id=item.user_id, bps=item.bps,
                           set_by=actor.user_id, created_at=clock.now())
            for item in items
        ]  # fmt: skip
        s.add_all(rows)
        await uow.commit()
    return [CommissionOut(user_id=r.user_id, bps=r.bps) for r in rows]


async def check_platform_fee_fits(session: AsyncSession, shop_id: str, fee_bps: int) -> None:
    """CommissionsTooHigh if `fee_bps` with the commissions of any of the shop's shows not
    ended yet would pass 10,000 bps (a platform admin setting the shop's fee)."""
    rows = await session.execute(
        select(ShowCommission.show_id, ShowCommission.bps)
        .join(live.Show, live.Show.id == ShowCommission.show_id)
        .where(live.Show.shop_id == shop_id, live.Show.status != live.ShowStatus.ENDED)
    )
    per_show: dict[str, int] = {}
    for show_id, bps in rows:
        per_show[show_id] = per_show.get(show_id, 0) + bps
    highest = max(per_show.values(), default=0)
    if fee_bps + highest > TOTAL_BPS:
        raise CommissionsTooHigh(
            f"A show's commissions with this fee come to {fee_bps + highest} basis points",
            total_bps=fee_bps + highest, platform_fee_bps=fee_bps,
        )  # fmt: skip
