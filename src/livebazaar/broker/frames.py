"""A message body: the JSON envelope with the broker's seq first, serialised once.

The networked adapters serialise the envelope in Python and let the server (Redis) or the
publisher's compare-and-set (NATS) choose the seq, so the seq is spliced in front of the
already-serialised rest: `{"seq":N,` + `"ts":...}`. The bytes equal what the memory broker
makes with `json.dumps({"seq": N, **envelope})`.
"""

from __future__ import annotations

import json
from typing import Any

_HEAD = b'{"seq":'


def rest_of(envelope: dict[str, Any]) -> bytes:
    """The envelope serialised without its opening brace: what follows `{"seq":N,`."""
    text = json.dumps(envelope, separators=(",", ":")).encode()
    return text[1:]


def with_seq(seq: int, rest: bytes) -> bytes:
    """The body for `seq`: the same splice the Redis script makes on the server."""
    separator = b"" if rest == b"}" else b","
    return b"%s%d%s%s" % (_HEAD, seq, separator, rest)


def seq_of(body: bytes) -> int:
    """The seq a body starts with; ValueError for anything else."""
    if not body.startswith(_HEAD):
        raise ValueError("not a broker message body")
    end = len(_HEAD)
    while end < len(body) and body[end : end + 1].isdigit():
        end += 1
    if end == len(_HEAD) or end > len(_HEAD) + 18:
        raise ValueError("not a broker message body")
    return int(body[len(_HEAD) : end])
