"""A producer's statement for a period, read from the ledger. Never commits.

Its balance is what the shop owes the producer and has not paid out yet: the producer's
`producer_payable` accounts in the shop's currency in the buckets pending, available and
in_transit. So a sale (into pending) is a positive line, a refund or chargeback a negative
one, and a payout a negative line when it is settled (in_transit -> paid_out), with its
reference. Entries that only move money between those buckets (release: pending ->
available; a payout sent: available -> in_transit; a payout failed: back) net to zero for
the producer and are not lines. Hence closing - opening == sum(lines), and both equal the
ledger's movement of those accounts in the period: each line is one posting of the producer.

The uplift per product compares what the producer received per unit sold in the period with
the farm-gate reference price: the product's sales in the period less their refunds and
chargebacks in the period, over the units sold less those of orders reversed whole; the
quotient is rounded half to even to the minor unit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar import catalog, checkout
from livebazaar.accounts import Actor, check_shop_role
from livebazaar.ledger.errors import StatementPeriodInvalid
from livebazaar.ledger.journal import AccountRef
from livebazaar.ledger.models import (
    PLATFORM_OWNER,
    AccountKind,
    Bucket,
    EntryKind,
    LedgerAccount,
    LedgerEntry,
    LedgerPosting,
    OwnerType,
)
from livebazaar.ledger.queries import STAFF_ROLES, is_linked_producer
from livebazaar.ledger.schemas import (
    DeductionOut,
    PartyOut,
    ReferencePriceOut,
    StatementLineOut,
    StatementOut,
    UpliftOut,
)
from livebazaar.ledger.split import TOTAL_BPS

COVERED_BUCKETS = (Bucket.PENDING, Bucket.AVAILABLE, Bucket.IN_TRANSIT)
MAX_SPAN_DAYS = 366
DEFAULT_SPAN_DAYS = 30
_EARLIEST, _LATEST = date(2000, 1, 1), date(9000, 12, 31)  # no arithmetic overflows within
_DEDUCTIONS = (
    AccountKind.PAYMENT_FEE, AccountKind.PLATFORM_FEE, AccountKind.COMMISSION_PAYABLE,
    AccountKind.SHIPPING_PAYABLE,
)  # fmt: skip
_REVERSALS = (EntryKind.REFUND, EntryKind.CHARGEBACK)

# Payout ids -> their references (the bank's, the agent's): payouts is its own feature, so
# the caller passes how to read them.
PayoutReferences = Callable[[AsyncSession, Sequence[str]], Awaitable[Mapping[str, str]]]


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), UTC)

    @property
    def end(self) -> datetime:  # exclusive
        return datetime.combine(self.last + timedelta(days=1), time(), UTC)


def check_period(first: date | None, last: date | None, today: date) -> Period:
    """The days asked for (by default the last 30 up to today): StatementPeriodInvalid if
    they run backwards or over a year."""
    for day in (first, last):
        if day is not None and not _EARLIEST <= day <= _LATEST:
            raise StatementPeriodInvalid(f"a day from {_EARLIEST} to {_LATEST}")
    last = last or (today if first is None else first + timedelta(days=DEFAULT_SPAN_DAYS - 1))
    first = first or last - timedelta(days=DEFAULT_SPAN_DAYS - 1)
    if first > last:
        raise StatementPeriodInvalid("`from` is after `to`", field="from")
    if (last - first).days + 1 > MAX_SPAN_DAYS:
        raise StatementPeriodInvalid(f"a statement covers {MAX_SPAN_DAYS} days at most")
    return Period(first, last)


def divide_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator (> 0) rounded to an integer, halves to the even one."""
    quotient, remainder = divmod(numerator, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2):
        quotient += 1
    return quotient


async def get_producer_statement(
    session: AsyncSession, actor: Actor, producer_id: str, period: Period,
    payout_references: PayoutReferences | None = None,
) -> StatementOut:  # fmt: skip
    """The statement, for the shop's owners and hosts (admins) and the producer's own linked
    account, as the producer's balance is (ledger.queries.get_producer_balance)."""
    producer = await session.get(catalog.Producer, producer_id)
    if producer is None:
        raise catalog.ProducerNotFound()
    if not await is_linked_producer(session, actor, producer):
        await check_shop_role(session, actor, producer.shop_id, STAFF_ROLES)
    shop = await catalog.get_shop(session, producer.shop_id)
    accounts = [
        AccountRef(shop.id, OwnerType.PRODUCER, producer.id, AccountKind.PRODUCER_PAYABLE,
                   bucket, shop.currency).id
        for bucket in COVERED_BUCKETS
    ]  # fmt: skip
    opening = await _sum_before(session, accounts, period.start)
    lines = await _lines(session, accounts, period)
    await _describe(session, producer.id, lines, payout_references)
    return StatementOut(
        producer_id=producer.id, producer_name=producer.name, currency=shop.currency,
        **{"from": period.first.isoformat()}, to=period.last.isoformat(),
        opening_minor=opening, closing_minor=opening + sum(x.amount_minor for x in lines),
        lines=lines, uplift=await _uplift(session, lines, shop.currency),
    )  # fmt: skip


async def _sum_before(session: AsyncSession, accounts: list[str], moment: datetime) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(LedgerPosting.amount_minor), 0))
        .join(LedgerEntry, LedgerEntry.id == LedgerPosting.entry_id)
        .where(LedgerPosting.account_id.in_(accounts), LedgerEntry.created_at < moment)
    )
    return int(total or 0)


async def _lines(
    session: AsyncSession, accounts: list[str], period: Period
) -> list[StatementLineOut]:
    """The producer's postings in the period, those of entries that net to zero for the
    producer (moves between its own buckets) left out; oldest first."""
    rows = (
        await session.execute(
            select(LedgerPosting.id, LedgerPosting.amount_minor, LedgerEntry)
            .join(LedgerEntry, LedgerEntry.id == LedgerPosting.entry_id)
            .where(
                LedgerPosting.account_id.in_(accounts),
                LedgerEntry.created_at >= period.start,
                LedgerEntry.created_at < period.end,
            )
            .order_by(LedgerEntry.created_at, LedgerEntry.id, LedgerPosting.id)
        )
    ).all()
    net: dict[str, int] = {}
    for _, amount, entry in rows:
        net[entry.id] = net.get(entry.id, 0) + amount
    return [
        _line(posting_id, amount, entry) for posting_id, amount, entry in rows if net[entry.id] != 0
    ]


def _line(posting_id: str, amount: int, entry: LedgerEntry) -> StatementLineOut:
    at = entry.created_at.astimezone(UTC)
    payout_id = None
    if entry.key.startswith("payout:"):
        payout_id = entry.key.split(":")[1]
    return StatementLineOut(
        date=at.date().isoformat(), at=at.isoformat(), kind=str(entry.kind),
        order_id=entry.order_id, show_id=entry.show_id, product_id=None, units=None,
        amount_minor=amount, posting_id=posting_id, entry_id=entry.id,
        sale_posting_id=entry.reverses_entry_id, payout_id=payout_id,
    )  # fmt: skip


async def _describe(
    session: AsyncSession, producer_id: str, lines: list[StatementLineOut],
    payout_references: PayoutReferences | None,
) -> None:  # fmt: skip
    """Fill in each line's order (product, units, gross), a sale's deductions and share, a
    reversal's sale posting, a payout's reference."""
    order_ids = sorted({x.order_id for x in lines if x.order_id})
    orders = {
        o.id: o
        for o in await session.scalars(
            select(checkout.Order).where(checkout.Order.id.in_(order_ids))
        )
    }
    sales = [x for x in lines if x.kind == EntryKind.SALE]
    deductions = await _deductions(session, [x.entry_id for x in sales])
    shares = await _shares(session, producer_id, {o.product_id for o in orders.values()})
    sale_postings = await _producer_postings_of(
        session, producer_id, [x.sale_posting_id for x in lines if x.sale_posting_id]
    )
    for line in lines:
        order = orders.get(line.order_id or "")
        if order is not None:
            line.product_id, line.units = order.product_id, order.quantity
        line.sale_posting_id = sale_postings.get(line.sale_posting_id or "")
        if line.kind == EntryKind.SALE and order is not None:
            line.gross_minor = order.total_minor
            line.deductions = deductions.get(line.entry_id, [])
            rest = order.total_minor - sum(d.amount_minor for d in line.deductions)
            line.share_bps = _share_if_applied(shares.get(order.product_id), rest, line)
        elif line.kind in _REVERSALS:
            line.units = None  # set by the uplift when the order is reversed whole
    payout_ids = [x.payout_id for x in lines if x.payout_id]
    if payout_ids and payout_references is not None:
        references = await payout_references(session, payout_ids)
        for line in lines:
            line.reference = references.get(line.payout_id or "")


def _share_if_applied(bps: int | None, rest: int, line: StatementLineOut) -> int | None:
    """The product's revenue share of the producer, if the sale's posting is that share of
    what was left after the deductions (within the one minor unit of rounding): a share
    changed since the sale is not shown as the one applied."""
    if bps is None or abs(line.amount_minor * TOTAL_BPS - rest * bps) >= TOTAL_BPS:
        return None
    return bps


async def _deductions(session: AsyncSession, entry_ids: list[str]) -> dict[str, list[DeductionOut]]:
    rows = await session.execute(
        select(LedgerPosting.entry_id, LedgerPosting.id, LedgerPosting.amount_minor,
               LedgerAccount.kind, LedgerAccount.owner_type, LedgerAccount.owner_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
        .where(LedgerPosting.entry_id.in_(entry_ids), LedgerAccount.kind.in_(_DEDUCTIONS))
        .order_by(LedgerPosting.entry_id, LedgerAccount.kind, LedgerAccount.owner_id)
    )  # fmt: skip
    found: dict[str, list[DeductionOut]] = {}
    for entry_id, posting_id, amount, kind, owner_type, owner_id in rows:
        party = PartyOut(type=owner_type, id=None if owner_id == PLATFORM_OWNER else owner_id)
        found.setdefault(entry_id, []).append(
            DeductionOut(kind=kind, party=party, amount_minor=amount, posting_id=posting_id)
        )
    return found


async def _shares(session: AsyncSession, producer_id: str, products: set[str]) -> dict[str, int]:
    rows = await session.execute(
        select(catalog.RevenueShare.product_id, catalog.RevenueShare.bps).where(
            catalog.RevenueShare.producer_id == producer_id,
            catalog.RevenueShare.product_id.in_(sorted(products)),
        )
    )
    return {row.product_id: row.bps for row in rows}


async def _producer_postings_of(
    session: AsyncSession, producer_id: str, entry_ids: list[str]
) -> dict[str, str]:
    """Sale entry id -> the producer's posting in it."""
    rows = await session.execute(
        select(LedgerPosting.entry_id, LedgerPosting.id)
        .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
        .where(
            LedgerPosting.entry_id.in_(entry_ids),
            LedgerAccount.owner_type == OwnerType.PRODUCER,
            LedgerAccount.owner_id == producer_id,
        )
        .order_by(LedgerPosting.id)
    )
    found: dict[str, str] = {}
    for entry_id, posting_id in rows:
        found.setdefault(entry_id, posting_id)
    return found


async def _uplift(
    session: AsyncSession, lines: list[StatementLineOut], currency: str
) -> list[UpliftOut]:
    """Per product sold in the period (see the module)."""
    sold = {x.order_id: x for x in lines if x.kind == EntryKind.SALE and x.order_id}
    net = {order_id: x.amount_minor for order_id, x in sold.items()}
    for x in lines:
        if x.kind in _REVERSALS and x.order_id in net:
            net[x.order_id] += x.amount_minor
            if net[x.order_id] == 0:  # reversed whole: its units come back out
                x.units = -(sold[x.order_id].units or 0)
    per_product: dict[str, list[int]] = {}
    for order_id, sale in sold.items():
        totals = per_product.setdefault(sale.product_id or "", [0, 0])
        totals[0] += 0 if net[order_id] == 0 else sale.units or 0
        totals[1] += net[order_id]
    products = {
        p.id: p
        for p in await session.scalars(
            select(catalog.Product).where(catalog.Product.id.in_(sorted(per_product)))
        )
    }
    return [
        _uplift_of(products[product_id], units, received, currency)
        for product_id, (units, received) in sorted(per_product.items())
        if product_id in products
    ]


def _uplift_of(product: catalog.Product, units: int, received: int, currency: str) -> UpliftOut:
    per_unit = divide_half_even(received, units) if units > 0 else None
    reference = None
    if product.reference_price_minor is not None:
        reference = ReferencePriceOut(
            amount_minor=product.reference_price_minor, currency=currency,
            unit=product.reference_unit,
        )  # fmt: skip
    uplift = None
    if reference is not None and per_unit is not None:
        uplift = per_unit - reference.amount_minor
    return UpliftOut(
        product_id=product.id, title=product.title, units=units, received_minor=received,
        reference_price=reference, received_per_unit=per_unit, uplift_per_unit=uplift,
    )  # fmt: skip
