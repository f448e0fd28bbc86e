"""Start uvicorn on the app (uvloop + httptools where installed)."""

from __future__ import annotations

import uvicorn

from livebazaar.bootstrap import build_container, ensure_sqlite_dir
from livebazaar.migrations import upgrade_to_head
from livebazaar.settings import Settings
from livebazaar.web.app import create_app


def run_server(settings: Settings, *, host: str, port: int, migrate: bool = True) -> None:
    if migrate:
        ensure_sqlite_dir(settings.database_url)
        upgrade_to_head(settings.database_url)
    app = create_app(build_container(settings))
    uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="on")
