"""Every page test fails on a Content-Security-Policy violation: the browsers post them to
/csp-report (web/security_headers.py), served in this process, which logs them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from livebazaar.bootstrap import Container
from tests.web.browser import served_app


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(autouse=True)
def csp_violations() -> Iterator[list[str]]:
    """What the browsers reported as blocked during the test; a test that provokes a
    violation on purpose empties it."""
    kept = _Kept()
    logger = logging.getLogger("livebazaar.csp")
    logger.addHandler(kept)
    try:
        yield kept.messages
    finally:
        logger.removeHandler(kept)
    assert not kept.messages, f"the page broke its Content-Security-Policy: {kept.messages}"


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, Container]]:
    """The app on a free port for a real browser (tests.web.browser.served_app's defaults);
    a module that needs other settings defines its own `served`."""
    async with served_app(tmp_path) as served:
        yield served
