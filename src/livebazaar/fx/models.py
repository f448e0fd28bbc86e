"""The exchange rates the pages show converted prices with (display only, for now)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CHAR, String
from sqlalchemy.orm import Mapped, mapped_column

from livebazaar.kernel.db import Base


class ExchangeRate(Base):
    """1 `base` = `rate` `quote` (in major units), as `source` said at `as_of`.

    The rate is exact decimal text ("7.1234"), never a float: it is read back as a Decimal.
    One row per ordered pair; the inverse pair is derived, not stored.
    """

    __tablename__ = "exchange_rates"

    base: Mapped[str] = mapped_column(CHAR(3), primary_key=True)
    quote: Mapped[str] = mapped_column(CHAR(3), primary_key=True)
    rate: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[datetime]
    updated_at: Mapped[datetime]
