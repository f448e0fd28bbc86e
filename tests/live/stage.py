"""The stage for live-show tests: a shop with products, a show, WebSocket viewers."""

from __future__ import annotations

import asyncio
import json
import weakref
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect

from tests.factories import MadeProduct, make_product, make_shop
from tests.support import Account, Api

FRAME_TIMEOUT_S = 10.0  # a safety net against hanging, never an assertion about speed


@dataclass(frozen=True)
class Stage:
    owner: Account
    shop_id: str
    products: list[MadeProduct]
    show_id: str

    @property
    def url(self) -> str:
        return f"/api/v1/shows/{self.show_id}"


async def make_stage(api: Api, *, live: bool = True, products: int = 2) -> Stage:
    """Given a shop owner (also its host) with products, and a show of them (live or not)."""
    c = api.container
    owner = await api.account("Ana")
    shop_id = await make_shop(c, owner)
    made = [await make_product(c, shop_id, title=f"Pearl {i + 1}") for i in range(products)]
    r = await api.client.post(
        "/api/v1/shows",
        json={
            "shop_id": shop_id,
            "title": "Pearls at dawn",
            "scheduled_at": (c.clock.now() + timedelta(hours=1)).isoformat(),
            "lineup": [p.id for p in made],
        },
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    stage = Stage(owner, shop_id, made, r.json()["id"])
    if live:
        r = await api.client.post(f"{stage.url}/start", headers=owner.headers)
        assert r.status_code == 200, r.text
    return stage


def ws_url(live_server: str, show_id: str, **params: str | int) -> str:
    base = live_server.replace("http://", "ws://", 1) + f"/api/v1/shows/{show_id}/events"
    return f"{base}?{urlencode(params)}" if params else base


def viewer(
    live_server: str, show_id: str, headers: dict[str, str] | None = None, **params: str | int
) -> connect:
    return connect(
        ws_url(live_server, show_id, **params),
        open_timeout=FRAME_TIMEOUT_S,
        additional_headers=headers,
    )


_unread: weakref.WeakKeyDictionary[ClientConnection, deque[dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


async def next_raw_frame(ws: ClientConnection) -> dict[str, Any]:
    """The next frame as the server sent it (an envelope, a batch, a resync, an error)."""
    raw = await asyncio.wait_for(ws.recv(), FRAME_TIMEOUT_S)
    frame: dict[str, Any] = json.loads(raw)
    return frame


async def next_frame(ws: ClientConnection) -> dict[str, Any]:
    """The next event (a batch's one by one, after checking they lie in its range, in
    order), or the next frame that is not an event (a resync, an error)."""
    unread = _unread.setdefault(ws, deque())
    while not unread:
        frame = await next_raw_frame(ws)
        if frame.get("type") != "batch":
            return frame
        seqs = [event["seq"] for event in frame["events"]]
        assert seqs == sorted(set(seqs)), frame
        assert all(frame["first_seq"] <= seq <= frame["last_seq"] for seq in seqs), frame
        unread.extend(frame["events"])
    return unread.popleft()


async def frames(ws: ClientConnection, n: int) -> list[dict[str, Any]]:
    return [await next_frame(ws) for _ in range(n)]


async def post_chat(api: Api, stage: Stage, account: Account, text: str) -> dict[str, Any]:
    r = await api.client.post(f"{stage.url}/chat", json={"text": text}, headers=account.headers)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body
