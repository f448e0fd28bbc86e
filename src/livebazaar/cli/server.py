"""Start uvicorn on the app (uvloop + httptools where installed), in one process or several.

Several worker processes (`--workers N`) share the listening socket; each has its own realtime
hub, caches and media state, so they must share everything else through engines made for it:
PostgreSQL (SQLite has one writer, and its in-process write lock orders the show's events) and
a Redis or NATS broker (a memory broker would keep each worker's viewers from hearing the
others' events). Live video stays on single-process nodes for now: its playlists live in the
process that took the publisher (ARCHITECTURE.md, Known limits), so workers run without RTMP.

WebSockets run on `DirectFrameProtocol` (web/channel/frame_writer.py, ADR 0012), so the show channel
writes each tick's frame bytes straight to every socket, and without permessage-deflate: the
show's frames are never compressed anyway (one encoding for every socket), and each
negotiated compressor would hold tens of KiB per socket.
"""

from __future__ import annotations

import os
from typing import Any

import uvicorn

from livebazaar.bootstrap import build_container, ensure_sqlite_dir
from livebazaar.migrations import upgrade_to_head
from livebazaar.settings import Settings
from livebazaar.web.app import create_app
from livebazaar.web.channel.frame_writer import DirectFrameProtocol


class CannotServe(ValueError):
    """These settings cannot run with the workers asked for; the message says what to set."""


def check_workers(settings: Settings, workers: int) -> None:
    if workers < 1:
        raise CannotServe("--workers must be 1 or more")
    if workers == 1:
        return
    if settings.database_url.startswith("sqlite"):
        raise CannotServe(
            "--workers needs PostgreSQL: SQLite has a single writer. Set "
            "LIVEBAZAAR_DATABASE_URL=postgresql+asyncpg://user@host/db"
        )
    if settings.broker_url.startswith("memory"):
        raise CannotServe(
            "--workers needs a shared broker, or viewers on one worker miss the events of the "
            "others. Set LIVEBAZAAR_BROKER_URL=redis://host:6379/0 or nats://host:4222"
        )


def uvicorn_ws_options() -> dict[str, Any]:
    """How `serve` runs uvicorn's WebSockets (the tests' servers and the benchmarks too)."""
    return {"ws": DirectFrameProtocol, "ws_per_message_deflate": False}


def run_server(
    settings: Settings, *, host: str, port: int, migrate: bool = True, workers: int = 1
) -> None:
    check_workers(settings, workers)
    if migrate:
        ensure_sqlite_dir(settings.database_url)
        upgrade_to_head(settings.database_url)
    if workers == 1:
        app = create_app(build_container(settings))
        uvicorn.run(
            app, host=host, port=port, log_level="warning", lifespan="on", **uvicorn_ws_options()
        )
        return
    # The workers build their own settings from the environment: pass on what was decided here.
    os.environ["LIVEBAZAAR_PUBLIC_URL"] = settings.public_url
    os.environ["LIVEBAZAAR_RTMP_ENABLED"] = "false"
    uvicorn.run(
        "livebazaar.web.asgi:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
        lifespan="on",
        **uvicorn_ws_options(),
        # A worker busy with thousands of sockets may answer the supervisor's ping late; the
        # default (5 s) had one replaced, and its viewers cut off, under load.
        timeout_worker_healthcheck=30,
    )
