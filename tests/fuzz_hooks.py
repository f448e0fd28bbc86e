"""Schemathesis hooks for tests/test_api_fuzz.py (loaded through SCHEMATHESIS_HOOKS).

WHIP takes a raw SDP offer (`application/sdp`), which Schemathesis cannot serialise by
itself: generated values (strings, or anything in negative tests) go out as UTF-8 text.
"""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.serializer("application/sdp")
def sdp_body(ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", errors="surrogatepass")
