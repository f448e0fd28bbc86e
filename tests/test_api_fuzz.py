"""Schemathesis fuzzes every operation of /api/openapi.json against a real server.

Bad input must get a 4xx problem, never a 500, and every answer must match the documented
schema. The server is seeded (a shop, a product, a live show with a drop) and the calls carry
the owner's token, so authorised paths are exercised too, not only the 401s. Examples per
operation are bounded so the suite stays within CI's time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from livebazaar.bootstrap import build_container
from livebazaar.migrations import upgrade_to_head
from livebazaar.web.app import create_app
from tests.conftest import free_port, make_settings
from tests.databases import database_url

ROOT = Path(__file__).resolve().parent.parent


class _ServerThread:
    """The app under uvicorn in a thread, on free ports only (`make_settings`: no RTMP unless
    `overrides` ask for it), so a demo running beside the suite cannot stop it."""

    def __init__(self, workdir: Path, **overrides: Any) -> None:
        url = database_url(workdir, "fuzz", session=True)  # a module fixture's
        upgrade_to_head(url)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        settings_ = make_settings(
            workdir,
            database_url=url,
            public_url=self.base,
            chat_rate_per_10s=1000,
            claim_rate_per_10s=1000,
            **overrides,
        )
        app = create_app(build_container(settings_))
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._serve)

    def _serve(self) -> None:
        with contextlib.suppress(SystemExit):  # uvicorn's exit when startup fails: logged
            asyncio.run(self.server.serve())

    def __enter__(self) -> _ServerThread:
        why = _Remembered()
        logging.getLogger("uvicorn.error").addHandler(why)
        try:
            self.thread.start()
            for _ in range(500):
                if self.server.started:
                    return self
                if not self.thread.is_alive():
                    break
                threading.Event().wait(0.02)
        finally:
            logging.getLogger("uvicorn.error").removeHandler(why)
        raise RuntimeError(f"fuzz server did not start on port {self.port}: {why.text()}")

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


class _Remembered(logging.Handler):
    """What uvicorn logged while starting: the reason a server did not start."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def text(self) -> str:
        return "\n".join(self.lines) or "uvicorn logged nothing"


def _seed(base: str) -> dict[str, Any]:
    with httpx.Client(base_url=base, timeout=30) as c:
        creds = {"email": "owner@fuzz.example.org", "password": "owner of the fuzz shop"}
        c.post("/api/v1/auth/register", json={**creds, "display_name": "Owner"})
        token = c.post("/api/v1/auth/token", json=creds).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        shop = c.post(
            "/api/v1/shops",
            json={"name": "Fuzz Co", "country": "RW", "currency": "RWF"},
            headers=auth,
        ).json()
        product = c.post(
            f"/api/v1/shops/{shop['id']}/products",
            json={
                "title": "Beans",
                "price": {"amount_minor": 5000, "currency": "RWF"},
                "stock": 50,
            },
            headers=auth,
        ).json()
        producer = c.post(
            f"/api/v1/shops/{shop['id']}/producers", json={"name": "Farmer"}, headers=auth
        ).json()
        show = c.post(
            "/api/v1/shows",
            json={
                "shop_id": shop["id"],
                "title": "Fuzz show",
                "scheduled_at": datetime.now(UTC).isoformat(),
                "lineup": [product["id"]],
            },
            headers=auth,
        ).json()
        c.post(f"/api/v1/shows/{show['id']}/start", headers=auth)
        drop = c.post(
            f"/api/v1/shows/{show['id']}/drops",
            json={
                "product_id": product["id"],
                "quantity": 40,
                "price": {"amount_minor": 4000, "currency": "RWF"},
                "per_buyer_limit": 40,
                "duration_s": 3600,
                "hold_s": 600,
            },
            headers=auth,
        ).json()
        order = c.post(
            f"/api/v1/drops/{drop['id']}/claims", json={"quantity": 1}, headers=auth
        ).json()
        ids = {
            "shop_id": shop["id"],
            "product_id": product["id"],
            "variant_id": product["variants"][0]["id"],
            "producer_id": producer["id"],
            "show_id": show["id"],
            "drop_id": drop["id"],
            "order_id": order["order_id"],
        }
        return {"auth": auth, "ids": ids}


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with _ServerThread(tmp_path_factory.mktemp("fuzz")) as server:
        yield {"base": server.base, **_seed(server.base)}


CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


@pytest.mark.parametrize("path_ids", ["generated", "seeded"])
def test_no_input_produces_a_server_error(
    fuzz_server: dict[str, Any], tmp_path: Path, path_ids: str
) -> None:
    """Every operation, positive and negative inputs, 25 examples each, deterministic seed.

    "generated": path ids are fuzzed too (mostly unknown ids: the 404 paths). "seeded": path
    ids name the seeded shop, product, live show, drop and order, so bodies reach the code
    behind the lookups.
    """
    st = Path(sys.executable).with_name("st")
    config = tmp_path / "schemathesis.toml"
    lines = ["[parameters]"]
    if path_ids == "seeded":
        lines += [f'"path.{name}" = "{value}"' for name, value in fuzz_server["ids"].items()]
    config.write_text("\n".join(lines) + "\n")
    cmd = [
        str(st), "--config-file", str(config), "run", f"{fuzz_server['base']}/api/openapi.json",
        "--checks", CHECKS,
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", "25",
        "--seed", "20261122",
        "--generation-database", "none",
        "--workers", "1",
        "--header", f"Authorization: {fuzz_server['auth']['Authorization']}",
        # Logging out would revoke the token the rest of the run relies on; it is covered
        # by tests/accounts.
        "--exclude-path", "/api/v1/auth/logout",
        "--report", "junit",
        "--report-dir", str(tmp_path),
        "--no-color",
    ]  # fmt: skip
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz_hooks"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    result = subprocess.run(
        cmd, capture_output=True, text=True, timeout=1500, check=False, env=env, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    summary = result.stdout[result.stdout.rfind("SUMMARY") :]
    assert "Tested: " in summary, result.stdout[-5000:]
    assert " 0 passed" not in summary, summary


def test_a_test_server_that_cannot_start_says_why(tmp_path: Path) -> None:
    """Given RTMP's port taken (as `make demo` takes 1935 beside the suite), the error names the
    port and the setting to change instead of only "did not start"."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = _ServerThread(tmp_path, rtmp_enabled=True, rtmp_port=port)
        expected = f"127.0.0.1:{port}.*LIVEBAZAAR_RTMP_PORT"
        with pytest.raises(RuntimeError, match=expected), server:
            pass
