"""Every response carries the security headers: a strict Content-Security-Policy, no framing,
no sniffing, a referrer policy, and HSTS when served over https."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Route

from livebazaar.bootstrap import build_container
from livebazaar.web.app import create_app
from livebazaar.web.security_headers import content_security_policy
from tests.conftest import make_settings


def _directives(policy: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def _check(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    policy = _directives(response.headers.get("content-security-policy", "x x"))
    assert policy.get("frame-ancestors") == "'none'", where
    assert "'unsafe-inline'" not in policy.get("script-src", ""), where
    assert response.headers.get("x-frame-options") == "DENY", where
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("referrer-policy") == "strict-origin-when-cross-origin", where


def _get_paths(routes: Sequence[BaseRoute]) -> list[str]:
    """Every GET route's path, ids as "x"; through included routers (all without prefix)."""
    paths = []
    for route in routes:
        if isinstance(route, APIRoute | Route) and "GET" in (route.methods or ()):
            paths.append(re.sub(r"\{[^}]+\}", "x", route.path))
        elif (included := getattr(route, "original_router", None)) is not None:
            paths += _get_paths(included.routes)
    return paths


async def test_every_page_and_answer_carries_the_headers(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    paths = _get_paths(app.routes)
    assert {"/", "/login", "/register", "/sell", "/studio", "/account", "/api/docs"} <= set(paths)
    for path in [*paths, "/static/app.css", "/no-such-page"]:
        _check(await client.get(path))
    _check(await client.post("/api/v1/auth/register", content=b"{"))  # a refusal too
    page = await client.get("/")
    policy = _directives(page.headers["content-security-policy"])
    assert policy["script-src"] == policy["style-src"] == policy["default-src"] == "'self'"
    assert "strict-transport-security" not in page.headers  # served over http


async def test_the_docs_page_may_run_only_its_own_inline_script(
    client: httpx.AsyncClient,
) -> None:
    docs = await client.get("/api/docs")
    scripts = _directives(docs.headers["content-security-policy"])["script-src"].split()
    inline = re.findall(r"<script>(.*?)</script>", docs.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert len(inline) == 1
    assert scripts == ["'self'", "https://cdn.jsdelivr.net", f"'sha256-{digest}'"]


async def test_over_https_browsers_are_told_to_stay_on_it(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, public_url="https://market.example.org")
    container = build_container(settings)
    try:
        app = create_app(container, background=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://t") as client:
            r = await client.get("/static/app.css")
        assert r.headers["strict-transport-security"] == "max-age=31536000"
        connect = _directives(r.headers["content-security-policy"])["connect-src"]
        assert connect.split() == ["'self'", "wss://market.example.org"]
    finally:
        await container.close()


def test_video_from_a_cdn_may_play_and_be_fetched(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    policy = _directives(content_security_policy(settings, "https://cdn.example.org/live/k"))
    assert policy["media-src"] == "'self' blob: https://cdn.example.org"
    assert "https://cdn.example.org" in policy["connect-src"].split()
    local = _directives(content_security_policy(settings, "/media/k"))
    assert local["media-src"] == "'self' blob:"


async def test_a_violation_report_is_logged_and_anything_else_posted_there_is_dropped(
    client: httpx.AsyncClient, csp_violations: list[str]
) -> None:
    report = {"csp-report": {"violated-directive": "script-src-elem", "blocked-uri": "inline"}}
    r = await client.post(
        "/csp-report", json=report, headers={"content-type": "application/csp-report"}
    )
    assert r.status_code == 204
    assert len(csp_violations) == 1
    assert "'blocked-uri': 'inline'" in csp_violations.pop()
    for junk in (b"{", b"\xff", b"[" * 100_000, b'{"csp-report": 1}', b"[]"):
        assert (await client.post("/csp-report", content=junk)).status_code == 204
    assert csp_violations == []
