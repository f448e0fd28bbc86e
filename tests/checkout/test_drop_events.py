"""The drop.* events: every frame a viewer's WebSocket carries matches its schema, and a stale
client plus the events since equals a fresh GET of the show, for every drop action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from livebazaar.bootstrap import Container
from livebazaar.checkout import sweep_expired_holds
from livebazaar.kernel.clock import ManualClock
from livebazaar.kernel.events import EVENT_TYPES, Envelope
from livebazaar.payments.test_provider import CARD_APPROVE
from tests.checkout.stage import make_buyers
from tests.live.stage import Stage, make_stage, next_frame, viewer
from tests.support import SHIP_TO, Account, Api
from tests.test_stale_state import verify_action

DROP_TYPES = {t for t in EVENT_TYPES if t.startswith("drop.")}


class DropScript:
    """The actions of a drop's life, through the HTTP API."""

    def __init__(self, api: Api, stage: Stage, buyers: list[Account]) -> None:
        self.api, self.stage, self.buyers = api, stage, buyers
        self.drop_id = ""
        self.orders: list[str] = []

    async def post(self, url: str, body: object, who: Account) -> dict[str, Any]:
        r = await self.api.client.post(url, json=body, headers=who.headers)
        assert r.status_code < 300, r.text
        out: dict[str, Any] = r.json()
        return out

    async def start(self) -> None:
        body = {
            "product_id": self.stage.products[0].id, "quantity": 3, "per_buyer_limit": 2,
            "price": {"amount_minor": 9900, "currency": "CNY"}, "duration_s": 600, "hold_s": 60,
        }  # fmt: skip
        drop = await self.post(f"{self.stage.url}/drops", body, self.stage.owner)
        self.drop_id = drop["id"]

    async def claim(self, buyer: int, quantity: int) -> None:
        url = f"/api/v1/drops/{self.drop_id}/claims"
        order = await self.post(url, {"quantity": quantity}, self.buyers[buyer])
        self.orders.append(order["order_id"])

    async def pay(self, order: int, buyer: int) -> None:
        url = f"/api/v1/orders/{self.orders[order]}/pay"
        await self.post(url, {"card_number": CARD_APPROVE, "ship_to": SHIP_TO}, self.buyers[buyer])

    async def cancel(self, order: int, buyer: int) -> None:
        await self.post(f"/api/v1/orders/{self.orders[order]}/cancel", None, self.buyers[buyer])

    async def end(self) -> None:
        await self.post(f"/api/v1/drops/{self.drop_id}/end", None, self.stage.owner)


async def _script(
    api: Api, container: Container, clock: ManualClock
) -> tuple[Stage, list[tuple[Callable[[], Awaitable[object]], list[str]]]]:
    stage = await make_stage(api)
    s = DropScript(api, stage, await make_buyers(container, 3))

    async def expire() -> None:
        clock.advance(61)
        await sweep_expired_holds(container.db, container.broker, container.clock)

    changed, sold_out = "drop.stock_changed", "drop.sold_out"
    return stage, [
        (s.start, ["drop.started"]),
        (lambda: s.claim(0, 1), [changed]),
        (lambda: s.pay(0, 0), [changed]),
        (lambda: s.claim(1, 2), [changed, sold_out]),
        (lambda: s.cancel(1, 1), [changed]),
        (lambda: s.claim(2, 1), [changed]),
        (expire, [changed]),
        (lambda: s.claim(1, 1), [changed]),
        (s.end, [changed, "drop.ended"]),
        (expire, [changed]),  # a hold of the ended drop expires: its units go to the shelf
    ]


async def test_every_drop_action_keeps_a_stale_client_right(
    api: Api, live_server: str, container: Container, clock: ManualClock
) -> None:
    stage, steps = await _script(api, container, clock)
    for action, expected in steps:
        assert await verify_action(api, live_server, stage, action) == expected


async def test_drop_frames_match_the_registry(
    api: Api, live_server: str, container: Container, clock: ManualClock
) -> None:
    stage, steps = await _script(api, container, clock)
    last_seq = (await api.client.get(stage.url)).json()["last_seq"]
    covered: set[str] = set()
    async with viewer(live_server, stage.show_id, after=last_seq) as ws:
        for action, expected in steps:
            await action()
            for _ in expected:
                frame = await next_frame(ws)
                envelope = Envelope.model_validate(frame)
                EVENT_TYPES[envelope.type].model_validate(envelope.data)
                assert envelope.show_id == stage.show_id
                covered.add(envelope.type)
    assert covered == DROP_TYPES
