"""Every pooled PostgreSQL connection busy for longer than the pool's timeout: the request
answers 503 `busy` with Retry-After (an overload, not a bug: never 500), a chat line sent over
the show's socket an error frame `busy` (the socket stays open), and both work again once a
connection is free."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from livebazaar.bootstrap import Container, build_container
from livebazaar.web.app import create_app
from tests.conftest import free_port, make_settings, serving
from tests.databases import database_url, on_postgres
from tests.live.stage import make_stage, next_frame, viewer
from tests.support import Api, assert_problem

pytestmark = pytest.mark.skipif(
    not on_postgres(), reason="needs PostgreSQL's pool: set LIVEBAZAAR_TEST_DATABASE_URL (CI does)"
)


@pytest.fixture
async def one_connection(tmp_path: Path) -> AsyncIterator[tuple[Container, FastAPI, Api]]:
    """An app whose pool holds one connection and waits 0.2 s for it."""
    settings = make_settings(
        tmp_path, database_url=database_url(tmp_path, schema=True), database_pool_size=1,
        database_max_overflow=0, database_pool_timeout_s=0.2,
    )  # fmt: skip
    container = build_container(settings)
    app = create_app(container, background=False)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
            yield container, app, Api(client, container)
    finally:
        await container.close()


async def test_a_request_that_finds_no_free_connection_answers_503_busy(
    one_connection: tuple[Container, FastAPI, Api],
) -> None:
    container, _app, api = one_connection
    async with container.db.engine.connect():  # the only connection, taken
        r = await api.client.get("/api/v1/shows")
        assert_problem(r, 503, "busy")
        assert int(r.headers["Retry-After"]) >= 1
    assert (await api.client.get("/api/v1/shows")).status_code == 200


async def test_a_chat_line_that_finds_no_connection_gets_an_error_frame_and_the_socket_stays(
    one_connection: tuple[Container, FastAPI, Api],
) -> None:
    container, app, api = one_connection
    async with serving(app, free_port()) as url:
        stage = await make_stage(api)
        fan = await api.account("Fan")
        async with viewer(url, stage.show_id, token=fan.token) as ws:
            async with container.db.engine.connect():  # the only connection, taken
                await ws.send(json.dumps({"type": "chat", "text": "anyone there?"}))
                refused = await next_frame(ws)
            assert (refused["type"], refused["code"]) == ("error", "busy")
            await ws.send(json.dumps({"type": "chat", "text": "now?"}))
            while (frame := await next_frame(ws))["type"] != "chat.message":
                pass
            assert frame["data"]["text"] == "now?"
