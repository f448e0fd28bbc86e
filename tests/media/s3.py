"""A real S3-compatible server for the media tests: moto's standalone server over HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest

ACCESS_KEY = "livebazaar-test"
SECRET_KEY = "livebazaar/test+secret"
STARTUP_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_answers(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    with httpx.Client(trust_env=False, timeout=2.0) as http:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"moto server exited:\n{log.read_text(errors='replace')}")
            try:
                http.get(url)
            except httpx.TransportError:
                time.sleep(0.1)
            else:
                return
    pytest.fail(f"moto server did not answer at {url}:\n{log.read_text(errors='replace')}")


def run_s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start moto's server on a free port; yields its endpoint; always stops it."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "server.log"
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_answers(server, endpoint, log)
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def make_public(endpoint: str, bucket: str) -> None:
    """What a deployment does for its CDN origin: anyone may GET objects."""
    session = boto3.session.Session(
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name="us-east-1"
    )
    client = session.client("s3", endpoint_url=endpoint)
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
