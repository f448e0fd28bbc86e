from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from livebazaar.kernel.db import Base
from livebazaar.kernel.ids import new_id


class StreamKey(Base):
    """The secret a show's publisher (phone browser over WHIP, OBS over RTMP) presents.

    One per show; rotating replaces it, so the old key stops working at once. Only its
    SHA-256 is stored: the key itself is shown once, to the host who asked for it.
    """

    __tablename__ = "stream_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime]


class Recording(Base):
    """A show's replay: the VOD playlist over the live segments, and how its timeline maps to
    program date-time (one span per stretch of continuous video)."""

    __tablename__ = "recordings"

    show_id: Mapped[str] = mapped_column(
        ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True
    )
    vod_key: Mapped[str] = mapped_column(String(255))
    duration_s: Mapped[float] = mapped_column(Float)
    # [[program date-time ISO 8601, seconds into the VOD, seconds long], ...]
    spans: Mapped[list[list[Any]]] = mapped_column(JSON)
    recorded_at: Mapped[datetime]
