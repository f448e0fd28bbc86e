"""Show events shaped like Livebazaar's envelopes (same fields, similar size), made once per
event and sent as text to every member of the group."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def envelope(show_id: str, kind: str, data: dict[str, Any], ts: str | None = None) -> str:
    moment = ts or now_iso()
    body = {
        "ts": moment,
        "media_time": moment,
        "show_id": show_id,
        "type": kind,
        "v": 1,
        "data": data,
    }
    return json.dumps(body, separators=(",", ":"))


def new_id() -> str:
    return str(uuid.uuid4())


def chat_message(text: str) -> dict[str, Any]:
    return {
        "id": new_id(),
        "user_id": None,
        "display_name": "viewer",
        "text": text,
        "created_at": now_iso(),
    }
