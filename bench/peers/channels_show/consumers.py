"""One consumer per viewer socket, as the Channels tutorial writes a chat room."""

from __future__ import annotations

import json
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from channels_show.envelope import chat_message, envelope


def group_of(show_id: str) -> str:
    return f"show_{show_id}"


class ShowConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.show_id: str = self.scope["url_route"]["kwargs"]["show_id"]
        self.group = group_of(self.show_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame = json.loads(text_data or "{}")
        if frame.get("type") != "chat":
            return
        data = chat_message(str(frame.get("text", ""))[:500])
        text = envelope(self.show_id, "chat.message", data)
        await self.channel_layer.group_send(self.group, {"type": "show.event", "text": text})

    async def show_event(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])
