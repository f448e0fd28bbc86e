from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI

from livebazaar.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["catalog"], responses=PROBLEM_RESPONSES)


def periodic_jobs(app: FastAPI) -> list[tuple[str, float, Callable[[], Awaitable[object]]]]:
    return []
