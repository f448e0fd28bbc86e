"""Every API router, in one list the app factory includes; and the periodic jobs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI

from livebazaar.web.routes import accounts, catalog, checkout, live, media, payments, system

ROUTERS: list[APIRouter] = [
    accounts.router,
    catalog.router,
    live.router,
    checkout.router,
    payments.router,
    media.router,
    system.router,
]


def periodic_jobs_for(app: FastAPI) -> list[tuple[str, float, Callable[[], Awaitable[object]]]]:
    jobs: list[tuple[str, float, Callable[[], Awaitable[object]]]] = []
    jobs += checkout.periodic_jobs(app)
    jobs += live.periodic_jobs(app)
    return jobs
