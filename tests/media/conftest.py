"""Fixtures shared by the media tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from livebazaar.bootstrap import Container
from livebazaar.media.rtmp import RtmpServer
from livebazaar.web.app import start_rtmp
from tests.media.s3 import run_s3_server


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3-compatible server, once per test session."""
    yield from run_s3_server(tmp_path_factory)


@pytest.fixture
async def rtmp(container: Container) -> AsyncIterator[RtmpServer]:
    """The app's RTMP server (the test's settings turn it on)."""
    server = await start_rtmp(container)
    assert server is not None
    yield server
    await server.close()
