"""A producer's statement for a period, as JSON, CSV or PDF. Thin: parse, call one query,
serialise (web/statement_files.py writes the files)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar import payouts
from livebazaar.ledger.schemas import StatementOut
from livebazaar.ledger.statement import check_period, get_producer_statement
from livebazaar.web.deps import ActorDep, ContainerDep, PathId
from livebazaar.web.i18n import negotiate
from livebazaar.web.problems import PROBLEM_RESPONSES
from livebazaar.web.statement_files import statement_csv, statement_pdf

router = APIRouter(prefix="/api/v1", tags=["ledger"], responses=PROBLEM_RESPONSES)

StatementFormat = Literal["json", "csv", "pdf"]


async def payout_references(session: AsyncSession, payout_ids: Sequence[str]) -> Mapping[str, str]:
    """The references the treasurer recorded for these payouts (the bank's, the agent's)."""
    rows = await session.execute(
        select(payouts.Payout.id, payouts.Payout.reference).where(
            payouts.Payout.id.in_(list(payout_ids))
        )
    )
    return {payout_id: reference for payout_id, reference in rows if reference}


@router.get(
    "/producers/{producer_id}/statement",
    response_model=StatementOut,
    responses={200: {"content": {"text/csv": {}, "application/pdf": {}}}},
)
async def producer_statement(
    producer_id: PathId, request: Request, actor: ActorDep, c: ContainerDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    format: StatementFormat = "json",  # the API's name
) -> Response:  # fmt: skip
    """The producer's statement for the days `from`..`to` (inclusive, UTC; by default the
    last 30 days; a year at most), in the shop's currency, for the shop's owners and hosts
    (admins) and the producer's own linked account.

    Its balance is what the shop owes the producer and has not paid out yet: pending +
    available + in transit. Lines are the producer's postings that change it: sales (with
    the order's gross, the producer's share in bps and the order's deductions, each with its
    posting), refunds and chargebacks (with the sale posting they take back from) and
    settled payouts (with their reference). closing - opening == the sum of the lines. The
    uplift compares what the producer received per unit with the product's farm-gate price."""
    period = check_period(start, end, c.clock.now().date())
    async with c.db.read() as session:
        statement = await get_producer_statement(
            session, actor, producer_id, period, payout_references
        )
    name = f"statement-{producer_id}-{period.first}-{period.last}"
    if format == "csv":
        return Response(
            statement_csv(statement, negotiate(request)), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )  # fmt: skip
    if format == "pdf":
        return Response(
            statement_pdf(statement, negotiate(request)), media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )  # fmt: skip
    return JSONResponse(statement.model_dump(mode="json", by_alias=True))
