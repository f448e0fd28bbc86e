"""Secrets made for each deployment on its first start and kept in its database.

Nothing secret has a default in the source (a default is published with it: anyone could sign
what only the deployment should). A secret not given in the settings is generated on first
start (256 random bits) and stored here, so a restart keeps it and every worker and node on
the same database agrees on it; two starting at once both insert, and the loser reads the
winner's.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from livebazaar.kernel.clock import Clock
from livebazaar.kernel.db import Base, Database

# The built-in test payment provider's webhook signing secret.
TEST_PAYMENTS_WEBHOOK = "test_payments_webhook"


class DeploymentSecret(Base):
    __tablename__ = "deployment_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]


async def do_ensure_secret(db: Database, clock: Clock, name: str) -> str:
    """The deployment's secret `name`, made and stored now if it has none yet."""
    found = await _stored(db, name)
    if found is not None:
        return found
    try:
        async with db.uow() as uow:
            uow.session.add(
                DeploymentSecret(name=name, value=secrets.token_urlsafe(32), created_at=clock.now())
            )
            await uow.commit()
    except IntegrityError:
        pass  # another worker or node made it first: theirs it is
    stored = await _stored(db, name)
    assert stored is not None, "inserted, or found inserted by another"
    return stored


async def _stored(db: Database, name: str) -> str | None:
    async with db.read() as session:
        return await session.scalar(
            select(DeploymentSecret.value).where(DeploymentSecret.name == name)
        )
