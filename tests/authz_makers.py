"""The authorization matrix's world and its makers (tests/test_authz_matrix.py).

A maker receives the api and the world and returns the id of a thing that belongs to shop X. It
is run only for rows that name its placeholder, and may `need` another maker's id (a drop needs
its show); each id is made once per world.

Every show a maker makes is a live (or scheduled) show of shop X with the world's product in
its lineup and the `cohost` caller as its accepted co-host; the world's first show also brings
a sibling show of shop X that the `sibling_cohost` caller co-hosts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from livebazaar.payments.test_provider import CARD_APPROVE
from tests.checkout.stage import make_show
from tests.support import SHIP_TO, Account, Api


@dataclass
class World:
    accounts: dict[str, Account]
    ids: dict[str, str] = field(default_factory=dict)


Maker = Callable[[Api, World], Awaitable[str]]


async def need(api: Api, world: World, name: str) -> str:
    """The id the placeholder `name` stands for, made on first use."""
    if name not in world.ids:
        world.ids[name] = await MAKERS[name](api, world)
    return world.ids[name]


async def _post(api: Api, path: str, body: Any, account: Account, status: int) -> dict[str, Any]:
    r = await api.client.post(path, json=body, headers=account.headers)
    assert r.status_code == status, r.text
    answer: dict[str, Any] = r.json()
    return answer


async def _show(api: Api, world: World, *, cohost: str, live: bool = True) -> str:
    owner = world.accounts["owner"]
    show_id = await make_show(
        api.container, world.ids["shop_id"], owner, [world.ids["product_id"]], live=live
    )
    invitee = world.accounts[cohost]
    await _post(api, f"/api/v1/shows/{show_id}/cohosts", {"email": invitee.email}, owner, 201)
    await _post(api, f"/api/v1/shows/{show_id}/cohosts/accept", None, invitee, 200)
    return show_id


async def _make_sibling_show(api: Api, world: World) -> str:
    return await _show(api, world, cohost="sibling_cohost")


async def _make_show(api: Api, world: World) -> str:
    await need(api, world, "sibling_show_id")
    return await _show(api, world, cohost="cohost")


async def _make_scheduled_show(api: Api, world: World) -> str:
    await need(api, world, "sibling_show_id")
    return await _show(api, world, cohost="cohost", live=False)


async def _make_invited_show(api: Api, world: World) -> str:
    """A live show to which the owner invited the buyer, who has not answered yet."""
    show_id = await _make_show(api, world)
    body = {"email": world.accounts["buyer"].email}
    await _post(api, f"/api/v1/shows/{show_id}/cohosts", body, world.accounts["owner"], 201)
    return show_id


async def _invitee_id(api: Api, world: World) -> str:
    """The buyer, invited to co-host the invited show."""
    await need(api, world, "invited_show_id")
    return world.accounts["buyer"].user_id


async def _make_message(api: Api, world: World) -> str:
    """A chat message the buyer posted in the show."""
    show_id = await need(api, world, "show_id")
    body = {"text": "Are these pearls round?"}
    message = await _post(api, f"/api/v1/shows/{show_id}/chat", body, world.accounts["buyer"], 201)
    message_id: str = message["id"]
    return message_id


async def _make_drop(api: Api, world: World) -> str:
    show_id = await need(api, world, "show_id")
    body = {
        "product_id": world.ids["product_id"],
        "quantity": 10,
        "price": {"amount_minor": 9900, "currency": "CNY"},
        "per_buyer_limit": 2,
        "duration_s": 600,
    }
    drop = await _post(api, f"/api/v1/shows/{show_id}/drops", body, world.accounts["owner"], 201)
    drop_id: str = drop["id"]
    return drop_id


async def _make_order(api: Api, world: World) -> str:
    """The buyer's reserved order: one unit of the lineup product, bought during the show."""
    show_id = await need(api, world, "show_id")
    body = {"product_id": world.ids["product_id"], "quantity": 1}
    path = f"/api/v1/shows/{show_id}/purchases"
    reservation = await _post(api, path, body, world.accounts["buyer"], 201)
    order_id: str = reservation["order_id"]
    return order_id


async def _make_paid_order(api: Api, world: World) -> str:
    """The buyer's order, paid with a card the test provider approves at once."""
    order_id = await _make_order(api, world)
    body = {"card_number": CARD_APPROVE, "ship_to": SHIP_TO}
    paid = await _post(api, f"/api/v1/orders/{order_id}/pay", body, world.accounts["buyer"], 200)
    assert paid["status"] == "paid", paid
    return order_id


async def _make_producer(api: Api, world: World) -> str:
    path = f"/api/v1/shops/{world.ids['shop_id']}/producers"
    body = {"name": "Wang Lei", "village": "Xinchangle"}
    producer = await _post(api, path, body, world.accounts["owner"], 201)
    producer_id: str = producer["id"]
    return producer_id


async def _make_linked_producer(api: Api, world: World) -> str:
    """A producer of shop X linked to the `producer` caller's account."""
    producer_id = await _make_producer(api, world)
    body = {"user_id": world.accounts["producer"].user_id}
    r = await api.client.patch(
        f"/api/v1/producers/{producer_id}", json=body, headers=world.accounts["owner"].headers
    )
    assert r.status_code == 200, r.text
    return producer_id


async def _cohost_id(api: Api, world: World) -> str:
    """The `cohost` caller, once they co-host the world's show."""
    await need(api, world, "show_id")
    return world.accounts["cohost"].user_id


# Placeholders beyond the base world, made only for rows that name them.
async def _usd(api: Api, world: World) -> str:
    return "USD"


async def _cny(api: Api, world: World) -> str:
    return "CNY"


MAKERS: dict[str, Maker] = {
    "base_currency": _usd,
    "quote_currency": _cny,
    "producer_id": _make_producer,
    "linked_producer_id": _make_linked_producer,
    "cohost_id": _cohost_id,
    "show_id": _make_show,
    "sibling_show_id": _make_sibling_show,
    "scheduled_show_id": _make_scheduled_show,
    "invited_show_id": _make_invited_show,
    "invitee_id": _invitee_id,
    "message_id": _make_message,
    "drop_id": _make_drop,
    "order_id": _make_order,
    "paid_order_id": _make_paid_order,
}
