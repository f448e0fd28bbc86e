"""The app factory: one FastAPI app over a Container built by bootstrap."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from livebazaar import __version__
from livebazaar.bootstrap import Container
from livebazaar.web import pages
from livebazaar.web.problems import install_problem_handlers
from livebazaar.web.routes import ROUTERS
from livebazaar.web.routes.payments import wire_webhook_sender

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
Periodic = Callable[[], Awaitable[object]]


def create_app(container: Container, *, background: bool = True) -> FastAPI:
    """`background=False` leaves periodic work (sweeper, viewer counts) to the caller."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks: list[asyncio.Task[None]] = []
        if background:
            for name, interval, job in periodic_jobs(app):
                tasks.append(asyncio.create_task(_every(name, interval, job)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title="Livebazaar",
        version=__version__,
        summary="Live commerce for small producers: shows, flash drops, checkout.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.container = container
    wire_webhook_sender(container)
    install_problem_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def periodic_jobs(app: FastAPI) -> list[tuple[str, float, Periodic]]:
    """Work the app does on a timer. Each job is safe to run twice and to skip a beat."""
    from livebazaar.web.routes import periodic_jobs_for

    return periodic_jobs_for(app)


async def _every(name: str, interval: float, job: Periodic) -> None:
    while True:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("periodic job %s failed; it runs again in %.1fs", name, interval)
        await asyncio.sleep(interval)
