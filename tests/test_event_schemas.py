"""Every frame a real WebSocket carries during a scripted show matches its declared schema,
and the script covers every registered event type (drop.* are the checkout script's)."""

from __future__ import annotations

import json
from typing import Any

import httpx
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection

from livebazaar.kernel.clock import ManualClock
from livebazaar.kernel.events import EVENT_TYPES, Batch, Envelope
from livebazaar.web.routes.live import periodic_jobs
from tests.live.stage import make_stage, next_raw_frame, post_chat, viewer
from tests.support import Api


async def test_scripted_show_frames_match_the_registry(
    api: Api, app: FastAPI, live_server: str, clock: ManualClock
) -> None:
    stage = await make_stage(api, live=False)
    h = stage.owner.headers
    fan = await api.account("Fan")
    frames: list[dict[str, Any]] = []
    async with viewer(live_server, stage.show_id, token=fan.token) as ws:
        await api.client.post(f"{stage.url}/start", headers=h)
        pin = {"product_id": stage.products[0].id}
        await api.client.post(f"{stage.url}/pin", json=pin, headers=h)
        variant = stage.products[0].variant_id
        price = {"price_minor": 17500}
        r = await api.client.patch(f"/api/v1/variants/{variant}", json=price, headers=h)
        assert r.status_code == 200, r.text
        message = await post_chat(api, stage, fan, "Hello from Kigali")
        await api.client.delete(f"{stage.url}/chat/{message['id']}", headers=h)
        await api.client.put(f"{stage.url}/slow-mode", json={"seconds": 10}, headers=h)
        await ws.send(json.dumps({"type": "reaction", "kind": "heart"}))
        await _read_until(ws, frames, "reaction")  # taken before the show ends
        for _name, _interval, job in periodic_jobs(app):
            await job()  # the viewer count
        await api.client.post(f"{stage.url}/end", headers=h)
        await _read_until(ws, frames, "show.ended")

    covered = set()
    for frame in frames:
        envelope = Envelope.model_validate(frame)
        model = EVENT_TYPES[envelope.type]
        model.model_validate(envelope.data)
        assert envelope.v == model.version
        assert envelope.show_id == stage.show_id
        covered.add(envelope.type)
    assert [f["seq"] for f in frames] == list(range(1, len(frames) + 1))
    not_drops = {t for t in EVENT_TYPES if not t.startswith("drop.")}
    assert not_drops - covered == set()


async def _read_until(ws: ClientConnection, frames: list[dict[str, Any]], last: str) -> None:
    """Read frames (a batch's events one by one) until an event of type `last`."""
    while all(f.get("type") != last for f in frames):
        raw = await next_raw_frame(ws)
        if raw["type"] == "batch":
            frames.extend(e.model_dump(mode="json") for e in Batch.model_validate(raw).events)
        else:
            frames.append(raw)


async def test_the_event_schemas_are_published_for_client_authors(
    client: httpx.AsyncClient,
) -> None:
    r = await client.get("/api/v1/events/schema")
    assert r.status_code == 200
    body = r.json()
    assert set(body["events"]) == set(EVENT_TYPES)
    assert "drop.stock_changed" in body["events"]
    assert body["events"]["chat.message"]["data"]["properties"]["text"]["type"] == "string"
    assert set(body["envelope"]["required"]) >= {"seq", "ts", "show_id", "type", "data"}
    assert set(body["batch"]["required"]) == {"type", "first_seq", "last_seq", "events"}
    assert body["events"]["drop.started"]["urgent"] is True
    assert body["events"]["chat.message"]["urgent"] is False
