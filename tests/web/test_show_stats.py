"""The host's live panel: GET /api/v1/shows/{id}/stats (viewers, reactions, sales)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from livebazaar.accounts import Role
from livebazaar.bootstrap import Container
from livebazaar.kernel.clock import ManualClock
from livebazaar.payments.test_provider import CARD_APPROVE
from tests.checkout.stage import claim, make_buyers, set_stage, start_drop
from tests.factories import grant, make_product
from tests.live.stage import make_stage, viewer
from tests.support import SHIP_TO, Account, Api, assert_problem

SAFETY_NET_S = 10.0  # against hanging, never an assertion about speed


async def _stats(client: httpx.AsyncClient, show_id: str, who: Account) -> dict[str, Any]:
    r = await client.get(f"/api/v1/shows/{show_id}/stats", headers=who.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def _stats_when(
    client: httpx.AsyncClient, show_id: str, who: Account, ready: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Poll the panel, as the studio does, until `ready` holds (sockets settle in the app)."""
    async with asyncio.timeout(SAFETY_NET_S):
        while not ready(stats := await _stats(client, show_id, who)):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    return stats


async def _pay(client: httpx.AsyncClient, buyer: Account, order_id: str) -> None:
    r = await client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"card_number": CARD_APPROVE, "ship_to": SHIP_TO},
        headers=buyer.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "paid", r.text


async def test_a_new_show_has_all_zeros(client: httpx.AsyncClient, api: Api) -> None:
    stage = await make_stage(api)
    assert await _stats(client, stage.show_id, stage.owner) == {
        "viewers_now": 0, "viewers_peak": 0, "reactions": 0, "orders": 0, "units": 0,
        "revenue": [], "sales_per_minute": 0.0, "held_orders": 0, "held_units": 0,
    }  # fmt: skip


async def test_sales_count_paid_orders_only_per_currency_and_per_minute(
    client: httpx.AsyncClient, api: Api, container: Container, clock: ManualClock
) -> None:
    # Given a live show with a drop at 99.00 CNY and a product sold at list price in USD
    stage = await set_stage(api)
    usd = await make_product(container, stage.shop_id, title="Gift box", price_minor=1250,
                             currency="USD")  # fmt: skip
    r = await client.put(
        f"/api/v1/shows/{stage.show_id}/lineup",
        json=[stage.product.id, usd.id],
        headers=stage.owner.headers,
    )
    assert r.status_code == 200, r.text
    drop = await start_drop(client, stage, per_buyer_limit=3)
    a, b, c = await make_buyers(container, 3)
    # When A claims 2 units and pays, B claims 1 and does not pay, C buys 3 gift boxes and pays
    claimed = await claim(client, a, drop["id"], quantity=2)
    assert claimed.status_code == 201, claimed.text
    await _pay(client, a, claimed.json()["order_id"])
    held = await claim(client, b, drop["id"], quantity=1)
    assert held.status_code == 201, held.text
    r = await client.post(
        f"/api/v1/shows/{stage.show_id}/purchases",
        json={"product_id": usd.id, "quantity": 3},
        headers=c.headers,
    )
    assert r.status_code == 201, r.text
    await _pay(client, c, r.json()["order_id"])
    # Then the host sees two sales (5 units), revenue per currency, B's claim as a hold
    stats = await _stats(client, stage.show_id, stage.owner)
    assert (stats["orders"], stats["units"]) == (2, 5)
    assert stats["revenue"] == [
        {"amount_minor": 19800, "currency": "CNY", "display": "198.00 CNY"},
        {"amount_minor": 3750, "currency": "USD", "display": "37.50 USD"},
    ]
    assert (stats["held_orders"], stats["held_units"]) == (1, 1)
    assert stats["sales_per_minute"] == 2 / 5
    # When B's hold expires and five more minutes pass
    clock.advance(container.settings.default_hold_s + 5 * 60)
    stats = await _stats(client, stage.show_id, stage.owner)
    # Then the sales stay, the hold is gone and no sale was recent
    assert (stats["orders"], stats["units"], stats["held_orders"]) == (2, 5, 0)
    assert stats["sales_per_minute"] == 0.0


async def test_a_refunded_order_no_longer_counts(
    client: httpx.AsyncClient, api: Api, container: Container
) -> None:
    stage = await set_stage(api)
    [buyer] = await make_buyers(container, 1)
    r = await client.post(
        f"/api/v1/shows/{stage.show_id}/purchases",
        json={"product_id": stage.product.id, "quantity": 1},
        headers=buyer.headers,
    )
    order_id = r.json()["order_id"]
    await _pay(client, buyer, order_id)
    assert (await _stats(client, stage.show_id, stage.owner))["orders"] == 1
    r = await client.post(f"/api/v1/orders/{order_id}/refund", headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    stats = await _stats(client, stage.show_id, stage.owner)
    assert (stats["orders"], stats["units"], stats["revenue"]) == (0, 0, [])


async def test_reactions_are_counted_as_accepted(
    client: httpx.AsyncClient, api: Api, live_server: str
) -> None:
    # Given a live show, and a scheduled one
    stage = await make_stage(api)
    idle = await make_stage(api, live=False)
    fan, other = await api.account("Fan"), await api.account("Other")
    # When two viewers react over HTTP, one over the WebSocket, and one at the scheduled show
    for who in (fan, other):
        r = await client.post(f"{stage.url}/reactions", json={"kind": "heart"}, headers=who.headers)
        assert r.status_code == 202, r.text
    async with viewer(live_server, stage.show_id, token=fan.token) as ws:
        await ws.send('{"type": "reaction", "kind": "fire"}')
        await _stats_when(client, stage.show_id, stage.owner, lambda s: s["reactions"] >= 3)
    r = await client.post(f"{idle.url}/reactions", json={"kind": "heart"}, headers=fan.headers)
    assert_problem(r, 409, "show_not_live")
    # Then the show counts three, the refused one counted nowhere
    assert (await _stats(client, stage.show_id, stage.owner))["reactions"] == 3
    assert (await _stats(client, idle.show_id, idle.owner))["reactions"] == 0


async def test_viewers_now_and_their_peak(
    client: httpx.AsyncClient, api: Api, live_server: str
) -> None:
    stage = await make_stage(api)
    # When two viewers watch, then one leaves
    async with viewer(live_server, stage.show_id):
        async with viewer(live_server, stage.show_id):
            stats = await _stats(client, stage.show_id, stage.owner)
            assert (stats["viewers_now"], stats["viewers_peak"]) == (2, 2)
        stats = await _stats_when(
            client, stage.show_id, stage.owner, lambda s: s["viewers_now"] == 1
        )
        # Then the peak stays at two
        assert stats["viewers_peak"] == 2


async def test_only_hosts_cohosts_and_moderators_may_look(
    client: httpx.AsyncClient, api: Api, container: Container
) -> None:
    stage = await make_stage(api)
    moderator, cohost, viewer_ = (
        await api.account("Mod"), await api.account("Co"), await api.account("Viewer")
    )  # fmt: skip
    await grant(container, stage.shop_id, moderator, Role.MODERATOR)
    r = await client.post(
        f"{stage.url}/cohosts", json={"email": cohost.email}, headers=stage.owner.headers
    )
    assert r.status_code == 201, r.text
    r = await client.post(f"{stage.url}/cohosts/accept", headers=cohost.headers)
    assert r.status_code == 200, r.text
    for allowed in (stage.owner, moderator, cohost):
        await _stats(client, stage.show_id, allowed)
    # A viewer is refused, an anonymous caller must sign in, an unknown show is not found
    r = await client.get(f"{stage.url}/stats", headers=viewer_.headers)
    assert_problem(r, 403, "not_moderator")
    assert_problem(await client.get(f"{stage.url}/stats"), 401, "not_authenticated")
    r = await client.get("/api/v1/shows/no-such-show/stats", headers=stage.owner.headers)
    assert_problem(r, 404, "show_not_found")
