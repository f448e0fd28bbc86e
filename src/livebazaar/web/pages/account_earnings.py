"""The account page's earnings section, for a person linked to a producer: the producer's
balance (pending, available, paid out) and the last 30 days' statement in brief (sales,
payouts, the uplift per product over its farm-gate price), with links to the whole statement
as CSV and PDF (the API's, which the session's cookie signs in to). Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar import catalog
from livebazaar.accounts import Actor
from livebazaar.kernel.errors import DomainError
from livebazaar.ledger.queries import get_producer_balance
from livebazaar.ledger.schemas import StatementOut
from livebazaar.ledger.statement import check_period, get_producer_statement
from livebazaar.web.numbers import format_minor
from livebazaar.web.statement_files import signed_money, uplift_text


@dataclass(frozen=True)
class Summary:
    """The period's statement in brief."""

    sales: int
    sold: str  # the period's sales, summed
    payouts: int
    uplifts: list[tuple[str, str]]  # (product title, "+4.00 CNY per bag")


@dataclass(frozen=True)
class Earnings:
    """One linked producer's figures, already written in the page's locale."""

    producer_id: str
    producer_name: str
    first: date
    last: date
    pending: str
    available: str
    paid_out: str
    summary: Summary


async def list_earnings(
    session: AsyncSession, actor: Actor, today: date, locale: str
) -> list[Earnings]:
    """Each producer linked to the actor that they may read (linked, with the producer role)."""
    found = []
    for producer in await catalog.list_linked_producers(session, actor.user_id):
        period = check_period(None, None, today)
        try:
            balance = await get_producer_balance(session, actor, producer.id)
            statement = await get_producer_statement(session, actor, producer.id, period)
        except DomainError:  # linked, but no longer the shop's producer: nothing to show
            continue
        cur = balance.currency
        earnings = Earnings(
            producer_id=producer.id, producer_name=producer.name,
            first=period.first, last=period.last,
            pending=format_minor(balance.pending_minor, cur, locale),
            available=format_minor(balance.available_minor, cur, locale),
            paid_out=format_minor(balance.paid_out_minor, cur, locale),
            summary=_summary(statement, locale),
        )  # fmt: skip
        found.append(earnings)
    return found


def _summary(st: StatementOut, locale: str) -> Summary:
    sales = [x for x in st.lines if x.kind == "sale"]
    uplifts = [(u.title, uplift_text(u, st.currency, locale)) for u in st.uplift]
    return Summary(
        sales=len(sales),
        sold=signed_money(sum(x.amount_minor for x in sales), st.currency, locale),
        payouts=sum(1 for x in st.lines if x.kind == "payout_settled"),
        uplifts=[(title, text) for title, text in uplifts if text],
    )
