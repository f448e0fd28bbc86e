"""Fixtures shared by the media tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.media.s3 import run_s3_server


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3-compatible server, once per test session."""
    yield from run_s3_server(tmp_path_factory)
