"""The pages' modules that hold logic of their own (the picture gate, the replay's moments),
run by node's test runner: tests/web/js/*.test.mjs import them from web/static.

node comes with npm, which `make frontend` already needs for hls.js.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JS_TESTS = Path(__file__).resolve().parent / "js"
SAFETY_NET_S = 120  # against a hung process; never an assertion about speed


def test_page_modules_pass_their_node_tests() -> None:
    node = shutil.which("node")
    assert node is not None, "node is missing: install Node.js 18+ (make frontend needs its npm)"
    files = sorted(str(p) for p in JS_TESTS.glob("*.test.mjs"))
    assert files, "the node tests are where this test expects them"
    result = subprocess.run(
        [node, "--test", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SAFETY_NET_S,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
