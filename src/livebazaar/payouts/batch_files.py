"""A batch's file for the treasurer (the manual provider's way out): CSV, or SEPA XML.
Whole IBANs and phone numbers are in it, so only the shop's owner downloads it."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor
from livebazaar.catalog import get_shop
from livebazaar.kernel.clock import Clock
from livebazaar.payouts.batch_csv import batch_csv
from livebazaar.payouts.ledger_seam import Party
from livebazaar.payouts.methods import MethodSnapshot
from livebazaar.payouts.models import PartyType
from livebazaar.payouts.queries import get_method, get_party_names, list_batch_payouts, party_of
from livebazaar.payouts.sepa import sepa_transfer
from livebazaar.payouts.views import check_batch_owner


class FileFormat(enum.StrEnum):
    CSV = "csv"
    SEPA = "sepa"


@dataclass(frozen=True)
class BatchFile:
    content: bytes
    media_type: str
    filename: str


async def get_batch_file(
    session: AsyncSession, clock: Clock, actor: Actor, batch_id: str, fmt: FileFormat
) -> BatchFile:
    batch = await check_batch_owner(session, actor, batch_id)
    payouts = await list_batch_payouts(session, batch.id)
    stem = f"payouts-{batch.created_at:%Y-%m-%d}-{batch.id}"
    if fmt is FileFormat.CSV:
        names = await get_party_names(session, [party_of(payout) for payout in payouts])
        return BatchFile(batch_csv(payouts, names), "text/csv; charset=utf-8", f"{stem}.csv")
    shop = await get_shop(session, batch.shop_id)
    row = await get_method(session, Party(PartyType.SHOP, shop.id))
    debtor = MethodSnapshot.of(row) if row is not None else None
    xml = sepa_transfer(payouts, debtor, shop.name, clock.now().date())
    return BatchFile(xml, "application/xml", f"{stem}.xml")
