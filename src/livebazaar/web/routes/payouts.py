"""Payout methods, a shop's payout settings, payout batches, their files and marks. Thin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from livebazaar.payouts import (
    FileFormat,
    Party,
    PartyType,
    PayoutOutcome,
    do_create_payout_batch,
    do_mark_payout,
    do_set_payout_method,
    do_set_payout_settings,
    get_batch_file,
    get_batch_view,
    get_method_view,
    get_settings_view,
    list_batch_views,
)
from livebazaar.payouts.schemas import (
    MarkFailedIn,
    MarkPaidIn,
    PayoutBatchCreatedOut,
    PayoutBatchIn,
    PayoutBatchOut,
    PayoutMethodIn,
    PayoutMethodOut,
    PayoutOut,
    PayoutSettingsIn,
    PayoutSettingsOut,
)
from livebazaar.web.deps import ActorDep, ContainerDep, PathId
from livebazaar.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["payouts"], responses=PROBLEM_RESPONSES)

_METHOD_DOC = """Where the party's money goes: `bank` {holder, iban, bic?}, `mobile_money`
{phone in international form, provider} or `cash` (collected at the cooperative). A malformed
IBAN is 422 `invalid_iban`, a BIC `invalid_bic`, a bank outside SEPA without its BIC
`bic_required`, a phone number `invalid_phone`."""


@router.put("/producers/{producer_id}/payout-method", description=_METHOD_DOC)
async def set_producer_method(
    producer_id: PathId, body: PayoutMethodIn, actor: ActorDep, c: ContainerDep
) -> PayoutMethodOut:
    party = Party(PartyType.PRODUCER, producer_id)
    return await do_set_payout_method(c.db, c.clock, actor, party, body)


@router.get("/producers/{producer_id}/payout-method")
async def read_producer_method(
    producer_id: PathId, actor: ActorDep, c: ContainerDep
) -> PayoutMethodOut:
    """The shop's owners and hosts, and the producer's linked account; the IBAN and phone
    number whole only for the shop's owner and the producer."""
    async with c.db.read() as session:
        return await get_method_view(session, actor, Party(PartyType.PRODUCER, producer_id))


@router.put("/shops/{shop_id}/payout-method", description=_METHOD_DOC)
async def set_shop_method(
    shop_id: PathId, body: PayoutMethodIn, actor: ActorDep, c: ContainerDep
) -> PayoutMethodOut:
    return await do_set_payout_method(c.db, c.clock, actor, Party(PartyType.SHOP, shop_id), body)


@router.get("/shops/{shop_id}/payout-method")
async def read_shop_method(shop_id: PathId, actor: ActorDep, c: ContainerDep) -> PayoutMethodOut:
    async with c.db.read() as session:
        return await get_method_view(session, actor, Party(PartyType.SHOP, shop_id))


@router.put("/me/payout-method", description=_METHOD_DOC)
async def set_my_method(body: PayoutMethodIn, actor: ActorDep, c: ContainerDep) -> PayoutMethodOut:
    """Where a co-host's commissions go."""
    party = Party(PartyType.USER, actor.user_id)
    return await do_set_payout_method(c.db, c.clock, actor, party, body)


@router.get("/me/payout-method")
async def read_my_method(actor: ActorDep, c: ContainerDep) -> PayoutMethodOut:
    async with c.db.read() as session:
        return await get_method_view(session, actor, Party(PartyType.USER, actor.user_id))


@router.put("/shops/{shop_id}/payout-settings")
async def set_payout_settings(
    shop_id: PathId, body: PayoutSettingsIn, actor: ActorDep, c: ContainerDep
) -> PayoutSettingsOut:
    """The shop's minimum payout: smaller balances wait for a later batch."""
    return await do_set_payout_settings(c.db, c.clock, actor, shop_id, body)


@router.get("/shops/{shop_id}/payout-settings")
async def read_payout_settings(
    shop_id: PathId, actor: ActorDep, c: ContainerDep
) -> PayoutSettingsOut:
    default = c.settings.payout_minimum_default_major
    async with c.db.read() as session:
        return await get_settings_view(session, actor, shop_id, default)


@router.post("/shops/{shop_id}/payout-batches", status_code=status.HTTP_201_CREATED)
async def create_batch(
    shop_id: PathId, actor: ActorDep, c: ContainerDep, body: PayoutBatchIn | None = None
) -> PayoutBatchCreatedOut:
    """Pay out everything available to the shop, its producers and its shows' co-hosts in
    one currency (the shop's unless given), each to its payout method; balances under the
    shop's minimum, or of parties with no method, wait (`skipped`). 409 nothing_to_pay_out
    when none qualifies."""
    return await do_create_payout_batch(
        c.db, c.clock, c.payout_ledger, c.payout_providers, actor, shop_id,
        body or PayoutBatchIn(), default_minimum_major=c.settings.payout_minimum_default_major,
    )  # fmt: skip


@router.get("/shops/{shop_id}/payout-batches")
async def read_shop_batches(
    shop_id: PathId, actor: ActorDep, c: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[PayoutBatchOut]:  # fmt: skip
    async with c.db.read() as session:
        return await list_batch_views(session, actor, shop_id, limit)


@router.get("/payout-batches/{batch_id}")
async def read_batch(batch_id: PathId, actor: ActorDep, c: ContainerDep) -> PayoutBatchOut:
    async with c.db.read() as session:
        return await get_batch_view(session, actor, batch_id)


@router.get(
    "/payout-batches/{batch_id}/file",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/xml": {}},
                     "description": "The batch as CSV, or as SEPA pain.001 XML"}},
)  # fmt: skip
async def read_batch_file(
    batch_id: PathId, actor: ActorDep, c: ContainerDep,
    format: Annotated[FileFormat, Query()] = FileFormat.CSV,
) -> Response:  # fmt: skip
    """The treasurer's file (the shop's owner only: it holds whole IBANs). `sepa` only when
    every payout goes to a euro bank account in SEPA and the shop's own method is one
    (409 `sepa_not_possible`, `shop_bank_account_required`, `no_pending_payouts`)."""
    async with c.db.read() as session:
        made = await get_batch_file(session, c.clock, actor, batch_id, format)
    disposition = f'attachment; filename="{made.filename}"'
    return Response(made.content, media_type=made.media_type,
                    headers={"Content-Disposition": disposition})  # fmt: skip


@router.post("/payouts/{payout_id}/paid")
async def mark_paid(
    payout_id: PathId, body: MarkPaidIn, actor: ActorDep, c: ContainerDep
) -> PayoutOut:
    """The shop's owner marks a pending payout paid, with the bank's or agent's reference."""
    return await do_mark_payout(
        c.db, c.clock, c.payout_ledger, actor, payout_id, PayoutOutcome.PAID, body.reference
    )


@router.post("/payouts/{payout_id}/failed")
async def mark_failed(
    payout_id: PathId, body: MarkFailedIn, actor: ActorDep, c: ContainerDep
) -> PayoutOut:
    """The shop's owner marks a pending payout failed; its money is available again."""
    return await do_mark_payout(
        c.db, c.clock, c.payout_ledger, actor, payout_id, PayoutOutcome.FAILED, body.reason
    )
