"""What each party reads of the ledger: an order's settlement, balances, the trial balance;
and the show's commissions and the shop's platform fee that shape the split."""

from __future__ import annotations

from typing import Any

import httpx

from livebazaar.accounts import Role, do_register
from livebazaar.bootstrap import Container
from livebazaar.live.models import LineupItem, Show, ShowStatus
from tests.checkout.stage import Stage
from tests.factories import grant, make_product
from tests.payments.test_pay import held, pay
from tests.support import Account, Api, assert_problem


async def _get(client: httpx.AsyncClient, path: str, who: Account) -> Any:
    r = await client.get(path, headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()


async def _cohost(api: Api, stage: Stage, name: str = "Cohost") -> Account:
    cohost = await api.account(name)
    show = f"/api/v1/shows/{stage.show_id}/cohosts"
    r = await api.client.post(show, json={"email": cohost.email}, headers=stage.owner.headers)
    assert r.status_code == 201, r.text
    r = await api.client.post(f"{show}/accept", headers=cohost.headers)
    assert r.status_code == 200, r.text
    return cohost


async def _admin(api: Api) -> Account:
    c = api.container
    await do_register(c.db, c.passwords, c.clock, email="root@example.org",
                      password="admin password", display_name="Root", is_admin=True)  # fmt: skip
    r = await api.client.post(
        "/api/v1/auth/token", json={"email": "root@example.org", "password": "admin password"}
    )
    assert r.status_code == 200, r.text
    return Account("", "root@example.org", r.json()["access_token"])


async def test_the_shop_reads_where_the_money_went_and_the_buyer_only_the_totals(
    api: Api, client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, _, order_id = await held(client, container, stage)
    await pay(client, buyer, order_id)
    path = f"/api/v1/orders/{order_id}/settlement"

    staff = await _get(client, path, stage.owner)
    seen_by_buyer = await _get(client, path, buyer)

    assert sum(line["amount_minor"] for line in staff["lines"]) == 9900 == staff["net_minor"]
    assert {(line["party"]["type"], line["kind"], line["status"]) for line in staff["lines"]} == {
        ("platform", "payment_fee", "posted"),
        ("platform", "platform_fee", "pending"),
        ("producer", "producer_payable", "pending"),
    }
    assert seen_by_buyer == {**staff, "lines": []}
    assert (staff["paid_minor"], staff["refunded_minor"], staff["currency"]) == (9900, 0, "CNY")
    stranger = await api.account("Stranger")
    r = await client.get(path, headers=stranger.headers)
    assert_problem(r, 404, "order_not_found")


async def test_balances_and_a_trial_balance_that_sums_to_zero(
    api: Api, client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    # Given a product with no revenue shares (the shop keeps the rest) bought at list price
    c = container
    unshared = await make_product(c, stage.shop_id, producers=0, price_minor=5000)
    async with c.db.uow() as uow:
        uow.session.add(LineupItem(show_id=stage.show_id, product_id=unshared.id, position=1))
        await uow.commit()
    buyer = await api.account("Buyer")
    r = await client.post(
        f"/api/v1/shows/{stage.show_id}/purchases", json={"product_id": unshared.id},
        headers=buyer.headers,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert (await pay(client, buyer, r.json()["order_id"])).status_code == 200

    shop = await _get(client, f"/api/v1/shops/{stage.shop_id}/balance", stage.owner)
    trial = await _get(client, f"/api/v1/shops/{stage.shop_id}/trial-balance", stage.owner)

    # 50.00 CNY less 2.9 % + 0.30 (1.75) and 5 % (2.50)
    assert shop == {"currency": "CNY", "pending_minor": 4575, "available_minor": 0,
                    "in_transit_minor": 0, "paid_out_minor": 0}  # fmt: skip
    [cny] = trial["currencies"]
    assert cny["currency"] == "CNY"
    assert cny["total_minor"] == 0 == sum(a["balance_minor"] for a in cny["accounts"])
    clearing = [a for a in cny["accounts"] if a["kind"] == "provider_clearing"]
    assert [a["balance_minor"] for a in clearing] == [-5000]
    host = await api.account("Host")
    await grant(c, stage.shop_id, host, Role.HOST)
    r = await client.get(f"/api/v1/shops/{stage.shop_id}/trial-balance", headers=host.headers)
    assert_problem(r, 403, "role_required")


async def test_a_linked_producer_reads_their_own_balance_and_nothing_of_others(
    api: Api, client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, _, order_id = await held(client, container, stage)
    await pay(client, buyer, order_id)
    producers = await _get(client, f"/api/v1/shops/{stage.shop_id}/producers", stage.owner)
    mine, theirs = producers[0]["id"], producers[1]["id"]
    farmer = await api.account("Farmer")
    link = {"user_id": farmer.user_id}
    account = f"/api/v1/producers/{mine}/account"
    r = await client.put(account, json=link, headers=stage.owner.headers)
    assert_problem(r, 422, "not_a_shop_producer")  # not a producer of the shop yet
    await grant(container, stage.shop_id, farmer, Role.PRODUCER)
    r = await client.put(account, json=link, headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    assert r.json()["user_id"] == farmer.user_id

    own = await _get(client, f"/api/v1/producers/{mine}/balance", farmer)
    r = await client.get(f"/api/v1/producers/{theirs}/balance", headers=farmer.headers)

    assert own == {"currency": "CNY", "pending_minor": 4544, "available_minor": 0,
                   "in_transit_minor": 0, "paid_out_minor": 0}  # fmt: skip
    assert_problem(r, 403, "role_required")
    assert await _get(client, f"/api/v1/producers/{theirs}/balance", stage.owner) == own
    r = await client.get(f"/api/v1/shops/{stage.shop_id}/balance", headers=farmer.headers)
    assert_problem(r, 403, "role_required")


async def test_a_cohost_earns_the_commission_the_shop_set_for_the_show(
    api: Api, client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    cohost = await _cohost(api, stage)
    path = f"/api/v1/shows/{stage.show_id}/commissions"
    body = [{"user_id": cohost.user_id, "bps": 1500}]
    r = await client.put(path, json=body, headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    assert await _get(client, path, cohost) == body
    buyer, _, order_id = await held(client, container, stage)

    await pay(client, buyer, order_id)

    earnings = await _get(client, "/api/v1/me/earnings", cohost)
    assert earnings == [{"currency": "CNY", "pending_minor": 1485, "available_minor": 0,
                         "in_transit_minor": 0, "paid_out_minor": 0}]  # fmt: skip
    assert await _get(client, "/api/v1/me/earnings", buyer) == []


async def test_commissions_are_refused_when_they_name_strangers_pass_100_percent_or_come_late(
    api: Api, client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    cohost = await _cohost(api, stage)
    stranger = await api.account("Stranger")
    path = f"/api/v1/shows/{stage.show_id}/commissions"
    owner = stage.owner.headers
    ok = [{"user_id": cohost.user_id, "bps": 1000}]
    assert (await client.put(path, json=ok, headers=owner)).status_code == 200

    for body, status, code in [
        ([{"user_id": stranger.user_id, "bps": 100}], 422, "not_show_cohost"),
        ([{"user_id": cohost.user_id, "bps": 9501}], 422, "commissions_too_high"),  # + 500
        ([{"user_id": cohost.user_id, "bps": 1}, {"user_id": cohost.user_id, "bps": 2}], 422,
         "duplicate_commission"),
        ([{"user_id": cohost.user_id, "bps": 0}], 422, "validation_failed"),
    ]:  # fmt: skip
        assert_problem(await client.put(path, json=body, headers=owner), status, code)
    r = await client.put(path, json=ok, headers=cohost.headers)
    assert_problem(r, 403, "shop_host_required")
    assert await _get(client, path, stage.owner) == ok  # nothing changed
    async with container.db.uow() as uow:
        show = await uow.session.get(Show, stage.show_id)
        assert show is not None
        show.status = ShowStatus.ENDED
        await uow.commit()
    assert_problem(await client.put(path, json=[], headers=owner), 409, "show_ended")


async def test_a_platform_admin_sets_a_shops_fee_within_its_shows_commissions(
    api: Api, client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    admin = await _admin(api)
    cohost = await _cohost(api, stage)
    commissions = [{"user_id": cohost.user_id, "bps": 2000}]
    r = await client.put(
        f"/api/v1/shows/{stage.show_id}/commissions", json=commissions,
        headers=stage.owner.headers,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    path = f"/api/v1/shops/{stage.shop_id}/platform-fee"

    r = await client.put(path, json={"bps": 250}, headers=admin.headers)

    assert r.json() == {"shop_id": stage.shop_id, "bps": 250, "effective_bps": 250}
    assert await _get(client, path, stage.owner) == r.json()
    r = await client.put(path, json={"bps": 8001}, headers=admin.headers)
    assert_problem(r, 422, "commissions_too_high")
    r = await client.put(path, json={"bps": 0}, headers=stage.owner.headers)
    assert_problem(r, 403, "admin_required")
    r = await client.put(path, json={"bps": None}, headers=admin.headers)
    assert r.json() == {"shop_id": stage.shop_id, "bps": None, "effective_bps": 500}
