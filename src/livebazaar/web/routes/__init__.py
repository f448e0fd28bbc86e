"""Every API router, in one list the app factory includes; and the periodic jobs."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from livebazaar.web.periodic import PeriodicJob
from livebazaar.web.routes import accounts, catalog, checkout, fx, live, media, payments, system

ROUTERS: list[APIRouter] = [
    accounts.router,
    catalog.router,
    live.router,
    checkout.router,
    payments.router,
    fx.router,
    media.router,
    media.hls,
    system.router,
]


def periodic_jobs(app: FastAPI) -> list[PeriodicJob]:
    """Every feature's timed work: the expiry sweeper and drop ends, and viewer counts."""
    return [*checkout.periodic_jobs(app), *live.periodic_jobs(app)]
