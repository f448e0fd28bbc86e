"""The media worker process's entry: `python -m livebazaar.media CONFIG_JSON` runs `main`.

It reads the config, packages the publisher's media from the input the config names (FLV on
stdin from the RTMP server: `worker.run_flv`; a WebRTC session for WHIP:
`whip_worker.run_whip`) and reports the end. Both inputs build on `worker`'s pipeline; only
this module knows both, so neither imports the other.
"""

from __future__ import annotations

import logging
import sys
import time

from livebazaar.media.worker import WorkerConfig, run_flv, stdout_reporter


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="worker %(message)s")
    config = WorkerConfig.from_json(args[0])
    report = stdout_reporter(sys.stdout)
    started = time.monotonic()
    if config.source == "whip":
        from livebazaar.media.whip_worker import run_whip  # aiortc: only WHIP workers load it

        run_whip(config, sys.stdin, report)
    else:
        run_flv(config, sys.stdin.buffer, report)
    report({"type": "ended", "seconds": round(time.monotonic() - started, 3)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
