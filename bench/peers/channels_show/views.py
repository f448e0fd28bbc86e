"""Chat posted over HTTP (as the viewer page posts it) and the host's drop announcements:
one group_send each."""

from __future__ import annotations

import json

from channels.layers import get_channel_layer
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels_show.consumers import group_of
from channels_show.envelope import chat_message, envelope, new_id, now_iso


async def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@csrf_exempt
@require_POST
async def start_drop(request: HttpRequest, show_id: str) -> JsonResponse:
    drop_id, ts = new_id(), now_iso()
    drop = {
        "id": drop_id,
        "show_id": show_id,
        "product_id": new_id(),
        "variant_id": new_id(),
        "quantity": 10,
        "remaining": 10,
        "reserved": 0,
        "sold": 0,
        "status": "live",
        "price": {"amount_minor": 5900, "currency": "CNY"},
        "per_buyer_limit": 5,
        "hold_s": 300,
        "started_at": ts,
        "ends_at": ts,
    }
    text = envelope(show_id, "drop.started", {"drop": drop}, ts)
    await get_channel_layer().group_send(group_of(show_id), {"type": "show.event", "text": text})
    return JsonResponse({"id": drop_id, "started_at": ts}, status=201)


@csrf_exempt
@require_POST
async def end_drop(request: HttpRequest, show_id: str, drop_id: str) -> JsonResponse:
    data = {"drop_id": drop_id, "sold": 0, "status": "ended"}
    text = envelope(show_id, "drop.ended", data)
    await get_channel_layer().group_send(group_of(show_id), {"type": "show.event", "text": text})
    return JsonResponse({"id": drop_id, "status": "ended"})


@csrf_exempt
@require_POST
async def post_chat(request: HttpRequest, show_id: str) -> JsonResponse:
    text = str(json.loads(request.body or b"{}").get("text", ""))[:500]
    data = chat_message(text)
    body = envelope(show_id, "chat.message", data)
    await get_channel_layer().group_send(group_of(show_id), {"type": "show.event", "text": body})
    return JsonResponse(data, status=201)
