"""The authorization matrix's world and its makers (tests/test_authz_matrix.py).

A maker receives the api and the world and returns the id of a thing that belongs to shop X. It
is run only for rows that name its placeholder, and may `need` another maker's id (a drop needs
its show); each id is made once per world.

Every show a maker makes is a live (or scheduled) show of shop X with the world's product in
its lineup and three accepted co-hosts: `cohost` (no grant), `granted_cohost` (every grant) and
`cohost_other_grants` (every grant but `World.lacking`, the one the row's power needs); the
world's first show also brings a sibling show of shop X that the `sibling_cohost` caller
co-hosts (with every grant: they are still nobody in the row's show).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from livebazaar.live import Grant
from livebazaar.payments.test_provider import CARD_APPROVE
from livebazaar.payouts import Party, PartyType
from tests.checkout.stage import make_show
from tests.payouts.ledger_fake import earn, install
from tests.support import SHIP_TO, Account, Api


@dataclass
class World:
    accounts: dict[str, Account]
    ids: dict[str, str] = field(default_factory=dict)
    lacking: Grant | None = None  # the grant `cohost_other_grants` is not given


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


async def _show(
    api: Api, world: World, cohosts: dict[str, frozenset[Grant]], *, live: bool = True
) -> str:
    """A show of shop X, with each of `cohosts` (callers) its accepted co-host with those
    grants (given by the owner, through the API)."""
    owner = world.accounts["owner"]
    show_id = await make_show(
        api.container, world.ids["shop_id"], owner, [world.ids["product_id"]], live=live
    )
    path = f"/api/v1/shows/{show_id}/cohosts"
    for caller, grants in cohosts.items():
        invitee = world.accounts[caller]
        await _post(api, path, {"email": invitee.email}, owner, 201)
        await _post(api, f"{path}/accept", None, invitee, 200)
        if grants:
            body = {"grants": sorted(grants)}
            r = await api.client.put(
                f"{path}/{invitee.user_id}/grants", json=body, headers=owner.headers
            )
            assert r.status_code == 200, r.text
    return show_id


def _row_cohosts(world: World) -> dict[str, frozenset[Grant]]:
    every = frozenset(Grant)
    return {
        "cohost": frozenset(),
        "granted_cohost": every,
        "cohost_other_grants": every - {world.lacking} if world.lacking else every,
    }


async def _make_sibling_show(api: Api, world: World) -> str:
    return await _show(api, world, {"sibling_cohost": frozenset(Grant)})


async def _make_show(api: Api, world: World) -> str:
    await need(api, world, "sibling_show_id")
    return await _show(api, world, _row_cohosts(world))


async def _make_scheduled_show(api: Api, world: World) -> str:
    await need(api, world, "sibling_show_id")
    return await _show(api, world, _row_cohosts(world), live=False)


async def _cohost_id(api: Api, world: World) -> str:
    """The `cohost` caller, an accepted co-host (without grants) of the world's show."""
    await need(api, world, "show_id")
    return world.accounts["cohost"].user_id


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
    r = await api.client.put(
        f"/api/v1/producers/{producer_id}/account",
        json={"user_id": world.accounts["producer"].user_id},
        headers=world.accounts["owner"].headers,
    )
    assert r.status_code == 200, r.text
    return producer_id


async def _producer_user(api: Api, world: World) -> str:
    return world.accounts["producer"].user_id


async def _make_payable_shop(api: Api, world: World) -> str:
    """Shop X with a bank account as its payout method and 500.00 available to it (the
    tests' ledger, tests/payouts/ledger_fake.py, wired into the container)."""
    shop_id = world.ids["shop_id"]
    await install(api.container)
    r = await api.client.put(
        f"/api/v1/shops/{shop_id}/payout-method",
        json={"kind": "bank", "holder": "Shop X", "iban": "DE89370400440532013000"},
        headers=world.accounts["owner"].headers,
    )
    assert r.status_code == 200, r.text
    await earn(api.container, shop_id, Party(PartyType.SHOP, shop_id), 50_000, "CNY")
    return shop_id


async def _make_payout_batch(api: Api, world: World) -> str:
    """A batch of shop X paying its 500.00, its one payout pending."""
    shop_id = await need(api, world, "payable_shop_id")
    path = f"/api/v1/shops/{shop_id}/payout-batches"
    batch = await _post(api, path, None, world.accounts["owner"], 201)
    world.ids["payout_id"] = batch["payouts"][0]["id"]
    batch_id: str = batch["id"]
    return batch_id


async def _payout(api: Api, world: World) -> str:
    await need(api, world, "payout_batch_id")
    return world.ids["payout_id"]


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
    "producer_user_id": _producer_user,
    "payable_shop_id": _make_payable_shop,
    "payout_batch_id": _make_payout_batch,
    "payout_id": _payout,
    "show_id": _make_show,
    "sibling_show_id": _make_sibling_show,
    "scheduled_show_id": _make_scheduled_show,
    "invited_show_id": _make_invited_show,
    "invitee_id": _invitee_id,
    "cohost_id": _cohost_id,
    "message_id": _make_message,
    "drop_id": _make_drop,
    "order_id": _make_order,
    "paid_order_id": _make_paid_order,
}
