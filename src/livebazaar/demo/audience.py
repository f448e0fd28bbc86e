"""A simulated audience: a few bot viewers that make the demo's live room feel alive.

Each viewer is an asyncio task with its own account, talking to the running server over
HTTP like any client: it chats short friendly lines in a few languages, reacts, and now and then
claims from the flash drop and pays with the test card, shipping to its own address
(sometimes it walks away and lets the hold expire, so the demo shows stock coming back). A
viewer who reaches the drop's per-buyer limit leaves, and a new one joins. The pace is
gentle: a few events per second in total.

With `watch=True` (the demo) each seated bot also holds the show's WebSocket while it sits, as
a viewer's page does, reading and dropping its frames: the room's "N watching" then counts the
bots the ordinary way, through the realtime hub's sockets and the ViewerTally, with no special
case on the server (a counter the bots bumped would be a number no real client makes true).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
from dataclasses import dataclass
from typing import Any

import httpx
from websockets.asyncio.client import connect

from livebazaar.demo.stories import DEMO_PASSWORD

log = logging.getLogger(__name__)

TEST_CARD = "4242424242424242"
REACTIONS = ("heart", "fire", "clap", "laugh", "wow")
# Short, friendly, in the languages of the two stories' audiences.
CHAT_LINES = (
    "好漂亮! 🤩",
    "这个咖啡是什么味道?",
    "已下单, 谢谢!",
    "主播辛苦了 👏",
    "卢旺达咖啡第一次喝, 期待!",
    "Murakoze! ☕",
    "Ikawa nziza cyane!",
    "Greetings from Kigali 🇷🇼",
    "Love hearing about the washing station",
    "How many bags are left?",
    "Just got two bags!",
    "C'est magnifique !",
    "¡Qué bonito! Saludos desde Guanajuato",
    "¿Envían a México?",
    "Habari! Coffee looks great",
)
NAMES = ("小雨", "Aline", "María", "Jean-Paul", "阿明", "Kofi", "Ana", "美玲", "Eric", "Lucía")
# Where the viewers' orders go: no order is paid without an address a courier can deliver to.
ADDRESSES = (
    {"line1": "KN 5 Rd 12", "city": "Kigali", "country": "RW", "phone": "+250 788 123 456"},
    {"line1": "88 Nanjing Rd", "city": "Shanghai", "postal_code": "200001", "country": "CN"},
    {"line1": "2 Rue Mercière", "city": "Lyon", "postal_code": "69002", "country": "FR"},
    {"line1": "Calle Mayor 5", "city": "Madrid", "postal_code": "28013", "country": "ES"},
)


@dataclass
class Viewer:
    name: str
    token: str
    ship_to: dict[str, str]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Audience:
    """`viewers` bots in one show; `pause_s` is each bot's mean pause between actions."""

    def __init__(
        self,
        base_url: str,
        show_id: str,
        *,
        viewers: int = 6,
        pause_s: float = 2.5,
        seed: int | None = None,
        max_actions: int | None = None,
        watch: bool = False,
    ) -> None:
        self.base_url = base_url
        self.show_id = show_id
        self.viewers = viewers
        self.pause_s = pause_s
        self.rng = random.Random(seed)  # noqa: S311  (pacing, not security)
        self._numbers = itertools.count(1)
        self.max_actions = max_actions  # None: until cancelled
        self.actions = 0
        self.watch = watch  # hold the show's socket while seated (needs a real server)
        self.watching = 0  # sockets open now

    async def run(self, http: httpx.AsyncClient | None = None) -> None:
        """Run until cancelled (or `max_actions`), over `http` or a client to `base_url`."""
        if http is not None:
            await asyncio.gather(*(self._seat(http) for _ in range(self.viewers)))
            return
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as own:
            await asyncio.gather(*(self._seat(own) for _ in range(self.viewers)))

    def _done(self) -> bool:
        return self.max_actions is not None and self.actions >= self.max_actions

    def _pause(self) -> float:
        return self.rng.expovariate(1 / self.pause_s) if self.pause_s > 0 else 0.0

    async def _seat(self, http: httpx.AsyncClient) -> None:
        """One seat in the room: a viewer sits here until they reach the drop's limit."""
        while not self._done():
            watching: asyncio.Task[None] | None = None
            try:
                viewer = await self._join(http)
                watching = asyncio.create_task(self._watch()) if self.watch else None
                staying = True
                while staying and not self._done():
                    await asyncio.sleep(self._pause())
                    staying = await self._act(http, viewer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bot never takes the server down with it
                log.info("audience: %s; retrying shortly", exc)
                await asyncio.sleep(self.pause_s)
            finally:
                if watching is not None:
                    watching.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await watching

    async def _watch(self) -> None:
        """Hold the show's event socket as a viewer's page does, until cancelled; reconnect
        when it closes (a 1013 for falling behind, a restart)."""
        url = self.base_url.replace("http", "ws", 1) + f"/api/v1/shows/{self.show_id}/events"
        while True:
            try:
                async with connect(url, open_timeout=10) as socket:
                    self.watching += 1
                    try:
                        async for _frame in socket:
                            pass  # a page would apply it; a bot only keeps up
                    finally:
                        self.watching -= 1
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.info("audience socket: %s; reconnecting shortly", exc)
            await asyncio.sleep(max(self.pause_s, 1.0))

    async def _join(self, http: httpx.AsyncClient) -> Viewer:
        n = next(self._numbers)
        name = f"{self.rng.choice(NAMES)} #{n}"
        email = f"viewer{n}.{self.rng.randrange(10**6)}@audience.example.org"
        body = {"email": email, "password": DEMO_PASSWORD, "display_name": name}
        (await http.post("/api/v1/auth/register", json=body)).raise_for_status()
        r = await http.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
        r.raise_for_status()
        return Viewer(name, r.json()["access_token"], {"name": name, **self.rng.choice(ADDRESSES)})

    async def _act(self, http: httpx.AsyncClient, viewer: Viewer) -> bool:
        """One action; False when this viewer is done (reached the drop's per-buyer limit)."""
        self.actions += 1
        roll = self.rng.random()
        base = f"/api/v1/shows/{self.show_id}"
        if roll < 0.45:
            kind = self.rng.choice(REACTIONS)
            await http.post(f"{base}/reactions", json={"kind": kind}, headers=viewer.headers)
        elif roll < 0.8:
            text = self.rng.choice(CHAT_LINES)
            await http.post(f"{base}/chat", json={"text": text}, headers=viewer.headers)
        else:
            return await self._buy(http, viewer)
        return True

    async def _buy(self, http: httpx.AsyncClient, viewer: Viewer) -> bool:
        drop = await self._live_drop(http)
        if drop is None:
            return True
        quantity = self.rng.randint(1, min(3, int(drop["per_buyer_limit"])))
        r = await http.post(
            f"/api/v1/drops/{drop['id']}/claims",
            json={"quantity": quantity},
            headers=viewer.headers,
        )
        if r.status_code == 201:
            if self.rng.random() < 0.85:  # the rest walk away; their hold expires
                await http.post(
                    f"/api/v1/orders/{r.json()['order_id']}/pay",
                    json={"provider": "test", "card_number": TEST_CARD, "ship_to": viewer.ship_to},
                    headers=viewer.headers,
                )
            return True
        code = _problem_code(r)
        log.debug("audience claim refused: %s", code)
        return "limit" not in code  # the per-buyer limit: this viewer leaves, a new one joins

    async def _live_drop(self, http: httpx.AsyncClient) -> dict[str, Any] | None:
        r = await http.get(f"/api/v1/shows/{self.show_id}")
        if r.status_code != 200:
            return None
        drops: list[dict[str, Any]] = r.json().get("drops", [])
        live = [d for d in drops if d.get("status") == "live" and d.get("remaining", 0) > 0]
        return live[-1] if live else None


def _problem_code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code", ""))
    except ValueError:
        return ""
