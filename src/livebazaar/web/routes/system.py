"""Health and a no-op POST: for load balancers, and as the benchmarks' baseline."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import text

from livebazaar.kernel.errors import Unavailable
from livebazaar.kernel.events import EVENT_TYPES, Batch, Envelope
from livebazaar.web.deps import ContainerDep
from livebazaar.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["system"], responses=PROBLEM_RESPONSES)


class PingIn(BaseModel):
    quantity: int = Field(default=1, ge=0, le=1_000_000)


@router.post("/ping")
async def ping(body: PingIn) -> dict[str, Any]:
    """Parses a body like a claim's and does nothing else: the flash-sale benchmark's peer."""
    return {"pong": True, "quantity": body.quantity}


@router.get("/events/schema")
async def event_schemas() -> dict[str, Any]:
    """The JSON Schema of every real-time event's `data`, by type (and whether it goes out at
    once: `urgent`), of the envelope, and of a batch frame."""
    return {
        "envelope": Envelope.model_json_schema(),
        "batch": Batch.model_json_schema(),
        "events": {
            name: {
                "version": model.version,
                "urgent": model.urgent,
                "data": model.model_json_schema(),
            }
            for name, model in sorted(EVENT_TYPES.items())
        },
    }


@router.get("/health")
async def health(c: ContainerDep) -> dict[str, str]:
    try:
        async with c.db.read() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:
        raise Unavailable("The database does not answer") from exc
    return {"status": "ok"}
