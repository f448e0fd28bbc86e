"""Exchange rates as they cross the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from livebazaar.fx.models import ExchangeRate

# Exact decimal text: up to 12 digits before the point and 12 after; never a JSON number.
RateText = Annotated[
    str, Field(pattern=r"^(0|[1-9]\d{0,11})(\.\d{1,12})?$", examples=["7.1234", "0.1404"])
]


class RateIn(BaseModel):
    """1 base = `rate` quote (major units), as `source` said at `as_of` (default: now)."""

    rate: RateText
    source: Annotated[str, Field(min_length=1, max_length=200)]
    as_of: AwareDatetime | None = None


class RateOut(BaseModel):
    base: str
    quote: str
    rate: str
    source: str
    as_of: datetime

    @classmethod
    def of(cls, row: ExchangeRate) -> RateOut:
        return cls(
            base=row.base, quote=row.quote, rate=row.rate, source=row.source, as_of=row.as_of
        )
