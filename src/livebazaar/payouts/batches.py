"""Payout batches: paying out what is available, and settling each payout. Each action
commits its own unit of work.

Making a batch: under the shop's payout lock (ledger_seam.lock_shop_payouts, held by every
node), read what the ledger says is available to the shop's world in the currency, pay each
party with a payout method whose balance reaches the shop's minimum (the rest waits for a
later batch), copy each method onto its payout, and post the payouts to the ledger, all in
one transaction. A second batch asked for at the same moment, on any node, waits for the
lock and then finds that money gone: no payout ever exceeds what was available.

The provider is called after the commit, never inside a transaction; what it settles at
once (the test provider) is applied as a treasurer's marks are, one payout at a time under
the same lock. If that step is lost (the node dies) the payouts stay pending, to be marked.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from livebazaar.accounts import Actor, check_shop_role
from livebazaar.catalog import get_shop
from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Database, UnitOfWork
from livebazaar.kernel.ids import new_id
from livebazaar.kernel.money import Money
from livebazaar.payouts.errors import NothingToPayOut, PayoutNotPending, UnknownPayoutProvider
from livebazaar.payouts.ledger_seam import (
    Available,
    Party,
    PayoutLedger,
    PayoutPosting,
    lock_shop_payouts,
)
from livebazaar.payouts.methods import MethodSnapshot
from livebazaar.payouts.models import BatchStatus, Payout, PayoutBatch, PayoutStatus
from livebazaar.payouts.port import (
    PayoutInstruction,
    PayoutOutcome,
    PayoutProvider,
    PayoutResult,
)
from livebazaar.payouts.queries import (
    OWNER,
    get_methods,
    get_minimum,
    get_party_names,
    get_payout,
    party_of,
)
from livebazaar.payouts.schemas import (
    PayoutBatchCreatedOut,
    PayoutBatchIn,
    PayoutOut,
    SkippedOut,
)
from livebazaar.payouts.views import batch_out, payout_outs

log = logging.getLogger(__name__)
Providers = Mapping[str, PayoutProvider]


@dataclass
class Plan:
    paying: list[tuple[Available, MethodSnapshot]] = field(default_factory=list)
    skipped: list[tuple[Available, str]] = field(default_factory=list)


def plan_batch(
    balances: Sequence[Available], methods: Mapping[Party, MethodSnapshot], minimum_minor: int
) -> Plan:
    """Who is paid: each positive balance at or above the minimum whose party has a method,
    in a stable order (by party). Nothing is paid of a zero or negative balance."""
    plan = Plan()
    for balance in sorted(balances, key=lambda b: b.party):
        if balance.amount_minor <= 0:
            continue
        method = methods.get(balance.party)
        if balance.amount_minor < minimum_minor:
            plan.skipped.append((balance, "below_minimum"))
        elif method is None:
            plan.skipped.append((balance, "no_payout_method"))
        else:
            plan.paying.append((balance, method))
    return plan


async def do_create_payout_batch(
    db: Database, clock: Clock, ledger: PayoutLedger, providers: Providers, actor: Actor,
    shop_id: str, data: PayoutBatchIn, *, default_minimum_major: int,
) -> PayoutBatchCreatedOut:  # fmt: skip
    """Pay out everything available to the shop's world in one currency (the module's
    docstring); NothingToPayOut (409) when no balance qualifies, and then nothing changes."""
    provider = providers.get(data.provider)
    if provider is None:
        raise UnknownPayoutProvider()
    async with db.uow() as uow:
        shop = await get_shop(uow.session, shop_id)
        await check_shop_role(uow.session, actor, shop_id, OWNER)
        currency = data.currency or shop.currency
        await lock_shop_payouts(uow, shop_id)
        balances = await ledger.available_balances(uow, shop_id, currency)
        minimum, _ = await get_minimum(uow.session, shop_id, currency, default_minimum_major)
        methods = await get_methods(uow.session, [b.party for b in balances])
        plan = plan_batch(balances, methods, minimum.amount_minor)
        names = await get_party_names(uow.session, [b.party for b in balances])
        skipped = [
            SkippedOut.of(b.party, names.get(b.party, b.party.id),
                          Money(b.amount_minor, currency), reason)
            for b, reason in plan.skipped
        ]  # fmt: skip
        if not plan.paying:
            raise NothingToPayOut(skipped=[s.model_dump(mode="json") for s in skipped])
        batch, payouts = await _record(uow, clock, actor, shop_id, currency, provider, plan)
        await ledger.post_payouts_sent(uow, [posting_of(p) for p in payouts])
        await uow.commit()
    await _submit(db, clock, ledger, provider, batch, payouts)
    async with db.read() as session:
        out = await batch_out(session, await session.get_one(PayoutBatch, batch.id), full=True)
    return PayoutBatchCreatedOut(**out.model_dump(), skipped=skipped)


async def _record(
    uow: UnitOfWork, clock: Clock, actor: Actor, shop_id: str, currency: str,
    provider: PayoutProvider, plan: Plan,
) -> tuple[PayoutBatch, list[Payout]]:  # fmt: skip
    now = clock.now()
    batch = PayoutBatch(
        id=new_id(), shop_id=shop_id, currency=currency, provider=provider.name,
        status=BatchStatus.OPEN, created_by=actor.user_id, created_at=now,
    )  # fmt: skip
    uow.session.add(batch)
    await uow.session.flush()  # the batch's row before its payouts' (no ORM relationship)
    payouts = [
        Payout(
            id=new_id(),
            batch_id=batch.id,
            shop_id=shop_id,
            party_type=balance.party.type,
            party_id=balance.party.id,
            amount_minor=balance.amount_minor,
            currency=currency,
            method=method.as_json(),
            status=PayoutStatus.PENDING,
            created_at=now,
        )
        for balance, method in plan.paying
    ]
    uow.session.add_all(payouts)
    await uow.session.flush()
    return batch, payouts


def posting_of(payout: Payout) -> PayoutPosting:
    return PayoutPosting(
        payout.id, payout.shop_id, party_of(payout), payout.amount_minor, payout.currency
    )


async def _submit(
    db: Database, clock: Clock, ledger: PayoutLedger, provider: PayoutProvider,
    batch: PayoutBatch, payouts: Sequence[Payout],
) -> None:  # fmt: skip
    instructions = [
        PayoutInstruction(
            p.id, party_of(p), Money(p.amount_minor, p.currency), MethodSnapshot.from_json(p.method)
        )
        for p in payouts
    ]
    try:
        results = await provider.submit(batch.id, instructions)
    except Exception:  # what the provider did is unknown: the payouts stay pending
        log.exception("payout provider %s failed on batch %s", provider.name, batch.id)
        return
    for result in results:
        try:
            await _apply_result(db, clock, ledger, batch.shop_id, result)
        except PayoutNotPending:
            log.warning("payout %s was settled before its provider's result", result.payout_id)


async def _apply_result(
    db: Database, clock: Clock, ledger: PayoutLedger, shop_id: str, result: PayoutResult
) -> None:
    async with db.uow() as uow:
        await lock_shop_payouts(uow, shop_id)
        payout = await _locked_payout(uow, result.payout_id)
        text = result.reference if result.outcome is PayoutOutcome.PAID else result.failure_reason
        await settle_payout(uow, clock, ledger, payout, result.outcome, text or "")
        await uow.commit()


async def do_mark_payout(
    db: Database, clock: Clock, ledger: PayoutLedger, actor: Actor, payout_id: str,
    outcome: PayoutOutcome, text: str,
) -> PayoutOut:  # fmt: skip
    """The shop's owner (its treasurer) marks a pending payout paid with the bank's
    reference, or failed with the reason (its money is available again). A payout already
    paid or failed is PayoutNotPending (409), and nothing changes."""
    async with db.uow() as uow:
        payout = await get_payout(uow.session, payout_id)
        await check_shop_role(uow.session, actor, payout.shop_id, OWNER)
        await lock_shop_payouts(uow, payout.shop_id)
        payout = await _locked_payout(uow, payout_id)
        await settle_payout(uow, clock, ledger, payout, outcome, text.strip())
        [out] = await payout_outs(uow.session, [payout], full=True)
        await uow.commit()
    return out


async def _locked_payout(uow: UnitOfWork, payout_id: str) -> Payout:
    """The payout as committed, its row locked (after the shop's lock: always that order)."""
    payout = await uow.session.scalar(
        select(Payout)
        .where(Payout.id == payout_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert payout is not None, "payouts are never deleted"
    return payout


async def settle_payout(
    uow: UnitOfWork, clock: Clock, ledger: PayoutLedger, payout: Payout,
    outcome: PayoutOutcome, text: str,
) -> None:  # fmt: skip
    """Mark a pending payout paid (`text`: the reference) or failed (`text`: the reason),
    post it to the ledger, and close its batch when none of its payouts is left pending."""
    if payout.status is not PayoutStatus.PENDING:
        raise PayoutNotPending(payout_status=payout.status.value)
    payout.settled_at = clock.now()
    if outcome is PayoutOutcome.PAID:
        payout.status, payout.reference = PayoutStatus.PAID, text
        await ledger.post_payout_paid(uow, posting_of(payout), text)
    else:
        payout.status, payout.failure_reason = PayoutStatus.FAILED, text
        await ledger.post_payout_failed(uow, posting_of(payout), text)
    await uow.session.flush()
    pending = await uow.session.scalar(
        select(func.count())
        .select_from(Payout)
        .where(Payout.batch_id == payout.batch_id, Payout.status == PayoutStatus.PENDING)
    )
    if not pending:
        batch = await uow.session.get_one(PayoutBatch, payout.batch_id)
        batch.status = BatchStatus.CLOSED
