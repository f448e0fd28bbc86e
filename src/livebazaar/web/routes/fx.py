"""Exchange rates: anyone may read them; only platform admins set them (ADR 0009)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from livebazaar.fx import RateIn, RateOut, do_set_rate, list_rates
from livebazaar.web.deps import ActorDep, ContainerDep
from livebazaar.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["exchange rates"], responses=PROBLEM_RESPONSES)

Code = Annotated[str, Path(pattern=r"^[A-Z]{3}$", examples=["USD", "CNY"])]


@router.get("/exchange-rates")
async def get_exchange_rates(c: ContainerDep) -> list[RateOut]:
    """Every stored rate, stale ones too (the pages hide rates older than the configured age)."""
    async with c.db.read() as session:
        return [RateOut.of(row) for row in await list_rates(session)]


@router.put("/exchange-rates/{base}/{quote}")
async def put_exchange_rate(
    base: Code, quote: Code, body: RateIn, actor: ActorDep, c: ContainerDep
) -> RateOut:
    """1 `base` = `rate` `quote` in major units, e.g. USD/CNY 7.1234; replaces the pair's rate."""
    row = await do_set_rate(
        c.db, c.clock, actor, base, quote, rate=body.rate, source=body.source, as_of=body.as_of
    )
    return RateOut.of(row)
