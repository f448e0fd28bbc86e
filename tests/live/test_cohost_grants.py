"""A co-host presents; the shop's stock, prices, stream key and other shows need the owner's
grants (issue 13, item 4: a guest invited to co-host one show ended the owner's drop, started
a drop of 50 units at price 0 with a per-buyer limit of 50, claimed them all for 0.00, rotated
the stream key and banned buyers shop-wide)."""

from __future__ import annotations

from typing import Any

from livebazaar.accounts import Role
from livebazaar.live.models import Grant
from tests.factories import grant
from tests.live.stage import Stage, make_stage, post_chat
from tests.support import Account, Api, assert_problem

FREE_FOR_ALL = {"quantity": 50, "per_buyer_limit": 50, "duration_s": 600,
                "price": {"amount_minor": 0, "currency": "CNY"}}  # fmt: skip


async def _cohost(api: Api, stage: Stage, name: str = "Guest") -> Account:
    guest = await api.account(name)
    r = await api.client.post(
        f"{stage.url}/cohosts", json={"email": guest.email}, headers=stage.owner.headers
    )
    assert r.status_code == 201, r.text
    r = await api.client.post(f"{stage.url}/cohosts/accept", headers=guest.headers)
    assert r.status_code == 200, r.text
    return guest


async def _grant(api: Api, stage: Stage, who: Account, *grants: Grant) -> Any:
    r = await api.client.put(
        f"{stage.url}/cohosts/{who.user_id}/grants",
        json={"grants": list(grants)},
        headers=stage.owner.headers,
    )
    assert r.status_code == 200, r.text
    return r.json()


def _drop(product_id: str, price_minor: int, **more: Any) -> dict[str, Any]:
    return {"product_id": product_id, "quantity": 5, "per_buyer_limit": 1, "duration_s": 600,
            "price": {"amount_minor": price_minor, "currency": "CNY"}, **more}  # fmt: skip


async def _world(api: Api, stage: Stage) -> dict[str, Any]:
    """What the attack would change: the show (its drops, status), the products' stock, and
    the sanctions the owner sees."""
    c = api.client
    h = stage.owner.headers
    return {
        "show": (await c.get(stage.url)).json(),
        "products": [(await c.get(f"/api/v1/products/{p.id}")).json() for p in stage.products],
        "sanctions": (await c.get(f"{stage.url}/sanctions", headers=h)).json(),
    }


async def test_a_cohost_without_grants_cannot_take_the_shops_stock(api: Api) -> None:
    # Given the owner's live show with a drop running, a buyer, and an invited guest
    stage = await make_stage(api)
    first, second = stage.products
    r = await api.client.post(
        f"{stage.url}/drops", json=_drop(first.id, 19900), headers=stage.owner.headers
    )
    assert r.status_code == 201, r.text
    owners_drop = r.json()["id"]
    buyer = await api.account("Buyer")
    await post_chat(api, stage, buyer, "Hello!")
    guest = await _cohost(api, stage)
    before = await _world(api, stage)
    h = guest.headers

    # When the co-host ends the owner's drop, starts a drop of 50 at price 0 (limit 50),
    # rotates the stream key, bans the buyer across the shop and ends the show
    r = await api.client.post(f"/api/v1/drops/{owners_drop}/end", headers=h)
    assert assert_problem(r, 403, "grant_required")["grant"] == "drops"
    r = await api.client.post(
        f"{stage.url}/drops", json={"product_id": second.id, **FREE_FOR_ALL}, headers=h
    )
    assert assert_problem(r, 403, "grant_required")["grant"] == "drops"
    r = await api.client.post(f"{stage.url}/stream-key", headers=h)
    assert assert_problem(r, 403, "grant_required")["grant"] == "stream_key"
    r = await api.client.post(f"{stage.url}/bans", json={"user_id": buyer.user_id}, headers=h)
    assert assert_problem(r, 403, "grant_required")["grant"] == "shop_sanctions"
    r = await api.client.post(f"{stage.url}/end", headers=h)
    assert assert_problem(r, 403, "grant_required")["grant"] == "end_show"
    r = await api.client.put(f"{stage.url}/lineup", json=[second.id], headers=h)
    assert_problem(r, 403, "shop_host_required")

    # Then each was refused and nothing changed: the drop runs, the stock is the shelf's, the
    # buyer still chats, the show is live
    assert await _world(api, stage) == before
    await post_chat(api, stage, buyer, "Still here")
    # And what a co-host does keep, they still do: pin, chat, mute in the show, see the panel
    r = await api.client.post(f"{stage.url}/pin", json={"product_id": second.id}, headers=h)
    assert r.status_code == 200, r.text
    await post_chat(api, stage, guest, "Look at this one")
    assert (await api.client.get(f"{stage.url}/stats", headers=h)).status_code == 200


async def test_the_owners_grants_let_a_cohost_do_each_thing_and_no_more(api: Api) -> None:
    # Given a live show with three products and a co-host the owner granted `drops` only
    stage = await make_stage(api, products=3)
    first, second, third = stage.products
    guest = await _cohost(api, stage)
    assert await _grant(api, stage, guest, Grant.DROPS) == {
        "show_id": stage.show_id, "user_id": guest.user_id, "grants": ["drops"],
    }  # fmt: skip
    h = guest.headers
    # When they start drops: at the list price they may; at another price they may not
    r = await api.client.post(f"{stage.url}/drops", json=_drop(first.id, 19900), headers=h)
    assert r.status_code == 201, r.text
    r = await api.client.post(f"{stage.url}/drops", json=_drop(second.id, 9900), headers=h)
    assert assert_problem(r, 403, "grant_required")["grant"] == "prices"
    # And price 0 is refused as a price, whatever the grants (422; nothing is carved)
    before = await _world(api, stage)
    r = await api.client.post(
        f"{stage.url}/drops", json={"product_id": second.id, **FREE_FOR_ALL}, headers=h
    )
    assert_problem(r, 422, "price_out_of_range")
    await _grant(api, stage, guest, *Grant)
    r = await api.client.post(
        f"{stage.url}/drops", json={"product_id": second.id, **FREE_FOR_ALL}, headers=h
    )
    assert_problem(r, 422, "price_out_of_range")
    assert await _world(api, stage) == before
    # When the owner grants everything, the co-host prices a drop, ends one, gets a stream key,
    # bans across the shop and ends the show
    r = await api.client.post(f"{stage.url}/drops", json=_drop(third.id, 9900), headers=h)
    assert r.status_code == 201, r.text
    r = await api.client.post(f"/api/v1/drops/{r.json()['id']}/end", headers=h)
    assert r.status_code == 200, r.text
    assert (await api.client.post(f"{stage.url}/stream-key", headers=h)).status_code == 201
    troll = await api.account("Troll")
    r = await api.client.post(f"{stage.url}/bans", json={"user_id": troll.user_id}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["show_id"] is None  # the shop's ban
    # But never the lineup nor more co-hosts
    r = await api.client.put(f"{stage.url}/lineup", json=[first.id], headers=h)
    assert_problem(r, 403, "shop_host_required")
    r = await api.client.post(f"{stage.url}/cohosts", json={"email": troll.email}, headers=h)
    assert_problem(r, 403, "shop_host_required")
    r = await api.client.post(f"{stage.url}/end", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ended"


async def test_who_grants_what_to_whom(api: Api) -> None:
    stage = await make_stage(api)
    guest = await _cohost(api, stage)
    url = f"{stage.url}/cohosts/{guest.user_id}/grants"
    owner = stage.owner.headers
    # An unknown grant is 422, and changes nothing
    r = await api.client.put(url, json={"grants": ["drops", "everything"]}, headers=owner)
    assert_problem(r, 422, "validation_failed")
    # The owner's grants show in the co-host list, once each, in the table's order
    await _grant(api, stage, guest, Grant.STREAM_KEY, Grant.DROPS, Grant.DROPS)
    listed = (await api.client.get(f"{stage.url}/cohosts", headers=owner)).json()
    assert [(i["invitee_id"], i["grants"]) for i in listed] == [
        (guest.user_id, ["drops", "stream_key"])
    ]
    # A shop host invites but does not grant; nor does the co-host grant themselves
    host = await api.account("Host")
    await grant(api.container, stage.shop_id, host, Role.HOST)
    for who in (host, guest):
        r = await api.client.put(url, json={"grants": ["end_show"]}, headers=who.headers)
        assert_problem(r, 403, "role_required")
    # Only an accepted co-host is granted
    pending = await api.account("Pending")
    r = await api.client.post(f"{stage.url}/cohosts", json={"email": pending.email}, headers=owner)
    assert r.status_code == 201, r.text
    r = await api.client.put(
        f"{stage.url}/cohosts/{pending.user_id}/grants", json={"grants": []}, headers=owner
    )
    assert_problem(r, 409, "cohost_not_accepted")
    for nobody in (host.user_id, stage.owner.user_id, "nobody"):
        r = await api.client.put(
            f"{stage.url}/cohosts/{nobody}/grants", json={"grants": []}, headers=owner
        )
        assert_problem(r, 404, "cohost_not_found")
    # Withdrawn and invited again, the co-host starts with no grant
    r = await api.client.delete(f"{stage.url}/cohosts/{guest.user_id}", headers=owner)
    assert r.status_code == 204
    again = await _cohost_again(api, stage, guest)
    assert [i["grants"] for i in again if i["invitee_id"] == guest.user_id] == [[]]
    r = await api.client.post(f"{stage.url}/stream-key", headers=guest.headers)
    assert_problem(r, 403, "grant_required")


async def _cohost_again(api: Api, stage: Stage, guest: Account) -> list[dict[str, Any]]:
    owner = stage.owner.headers
    r = await api.client.post(f"{stage.url}/cohosts", json={"email": guest.email}, headers=owner)
    assert r.status_code == 201, r.text
    r = await api.client.post(f"{stage.url}/cohosts/accept", headers=guest.headers)
    assert r.status_code == 200, r.text
    listed: list[dict[str, Any]] = (
        await api.client.get(f"{stage.url}/cohosts", headers=owner)
    ).json()
    return listed
