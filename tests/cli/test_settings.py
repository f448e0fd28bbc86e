"""Where the app says it lives follows where it listens, unless the operator said otherwise."""

from __future__ import annotations

import pytest

from livebazaar.settings import Settings


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 9000, "http://127.0.0.1:9000"),
        ("0.0.0.0", 8080, "http://127.0.0.1:8080"),
        ("::1", 8000, "http://[::1]:8000"),
    ],
)
def test_public_url_follows_the_listening_address(host: str, port: int, url: str) -> None:
    assert Settings().listening_on(host, port).public_url == url


def test_an_explicit_public_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEBAZAAR_PUBLIC_URL", "https://live.example.org")
    assert Settings().listening_on("0.0.0.0", 8080).public_url == "https://live.example.org"
