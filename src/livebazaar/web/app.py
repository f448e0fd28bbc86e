"""The app factory: one FastAPI app over a Container built by bootstrap."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from livebazaar import __version__
from livebazaar.bootstrap import Container
from livebazaar.media.ingest import authorize_publishers, worker_flv_sinks
from livebazaar.media.rtmp import RtmpServer
from livebazaar.web import api_docs, i18n, security_headers
from livebazaar.web.body_limit import LimitBodies
from livebazaar.web.channel import gc_policy
from livebazaar.web.guards import RefuseNul
from livebazaar.web.pages import account, seller, sign_in, studio, viewer_currency
from livebazaar.web.pages import viewer as pages
from livebazaar.web.periodic import run_every
from livebazaar.web.problems import install_problem_handlers
from livebazaar.web.routes import ROUTERS, periodic_jobs
from livebazaar.web.routes.payments import wire_webhook_sender

STATIC_DIR = Path(__file__).resolve().parent / "static"
log = logging.getLogger(__name__)


async def start_rtmp(container: Container) -> RtmpServer | None:
    """The RTMP ingest server, when the settings enable it (its workers are the media's)."""
    settings = container.settings
    if not settings.rtmp_enabled:
        return None
    server = RtmpServer(
        authorize=authorize_publishers(container.db),
        open_sink=worker_flv_sinks(container.media),
        host=settings.rtmp_bind_host,
        port=settings.rtmp_port,
    )
    try:
        await server.start()
    except OSError as exc:
        raise RuntimeError(
            f"cannot listen for RTMP on {settings.rtmp_bind_host}:{settings.rtmp_port} ({exc}); "
            "set LIVEBAZAAR_RTMP_PORT to a free port, or LIVEBAZAAR_RTMP_ENABLED=false"
        ) from exc
    return server


def create_app(container: Container, *, background: bool = True) -> FastAPI:
    """`background=False` leaves periodic work (sweeper, viewer counts) to the caller."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await container.start()
        if background and not container.payment_providers:
            log.warning(
                "No payment provider is on: buyers cannot pay (503 no_payment_provider). "
                "LIVEBAZAAR_TEST_PAYMENTS=true turns on the test provider, where no money moves"
            )
        jobs = periodic_jobs(app) if background else []
        gc_job = gc_policy.adopt(container.settings.gc_full_interval_s) if background else None
        jobs += [gc_job] if gc_job is not None else []
        tasks = [asyncio.create_task(run_every(job)) for job in jobs]
        rtmp = await start_rtmp(container) if background else None
        app.state.rtmp = rtmp
        try:
            yield
        finally:
            if rtmp is not None:
                await rtmp.close()
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
        docs_url=None,  # web/api_docs.py serves it under its own security policy
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.container = container
    app.state.picture_decodes = asyncio.Semaphore(container.settings.picture_decodes_at_once)
    wire_webhook_sender(container)
    install_problem_handlers(app)
    app.add_middleware(RefuseNul)
    app.add_middleware(LimitBodies, settings=container.settings)
    headers = security_headers.security_headers(container.settings, container.store.public_url("k"))
    app.add_middleware(security_headers.SecurityHeaders, headers=headers)
    for router in ROUTERS:  # their routes, flat: include_router would match them through a
        app.router.routes.extend(router.routes)  # wrapper per router, at twice the cost
    app.include_router(pages.router)
    app.include_router(api_docs.router)
    app.include_router(security_headers.router)
    app.include_router(sign_in.router)
    app.include_router(i18n.router)
    app.include_router(viewer_currency.router)
    app.include_router(studio.router)
    app.include_router(account.router)
    app.include_router(seller.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
