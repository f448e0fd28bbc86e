"""The app as an import string for process managers: `livebazaar serve --workers N` hands
`livebazaar.web.asgi:app_from_environment` to uvicorn, which imports it in every worker
process. Each worker reads its settings from the environment (LIVEBAZAAR_*), which the parent
filled in before starting them."""

from __future__ import annotations

from fastapi import FastAPI

from livebazaar.bootstrap import build_container
from livebazaar.settings import Settings
from livebazaar.web.app import create_app


def app_from_environment() -> FastAPI:
    return create_app(build_container(Settings()))
