"""Idempotency keys: a retried request gets the first answer, never a second effect.

The record is written in the same transaction as the work it guards, so either both exist or
neither does. A key reused with a different request is refused (422 idempotency_key_reused).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from livebazaar.kernel.db import Base
from livebazaar.kernel.errors import Invalid
from livebazaar.kernel.text import N_


class IdempotencyKeyReused(Invalid):
    code = "idempotency_key_reused"
    title = N_("This Idempotency-Key was used for a different request")


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    scope: Mapped[str] = mapped_column(String(300))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


@dataclass(frozen=True)
class IdempotencyKey:
    """A client's Idempotency-Key with what it guards: the operation (scope) and the
    request's fingerprint, so a key reused for a different request is told apart."""

    key: str
    scope: str
    fingerprint: str

    @classmethod
    def of(cls, key: str | None, scope: str, payload: Any) -> IdempotencyKey | None:
        return cls(key, scope, request_fingerprint(scope, payload)) if key else None


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]


def request_fingerprint(scope: str, payload: Any) -> str:
    raw = json.dumps([scope, payload], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


async def get_stored_response(
    session: AsyncSession, user_id: str, key: str, fingerprint: str
) -> StoredResponse | None:
    record = await session.get(IdempotencyRecord, (user_id, key))
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    return StoredResponse(record.status_code, record.body)


def store_response(
    session: AsyncSession,
    *,
    user_id: str,
    key: str,
    scope: str,
    fingerprint: str,
    status_code: int,
    body: dict[str, Any],
    now: datetime,
) -> None:
    session.add(
        IdempotencyRecord(
            user_id=user_id,
            key=key,
            scope=scope,
            request_hash=fingerprint,
            status_code=status_code,
            body=body,
            created_at=now,
        )
    )
