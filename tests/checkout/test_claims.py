"""Claiming drop units: holds, limits, idempotent retries, expiry and the sweeper."""

from __future__ import annotations

from datetime import datetime

import httpx

from livebazaar.bootstrap import Container
from livebazaar.checkout import sweep_expired_holds
from livebazaar.checkout.models import OrderStatus
from livebazaar.kernel.clock import ManualClock
from livebazaar.web.app import create_app
from livebazaar.web.routes import periodic_jobs
from tests.checkout.stage import (
    Stage,
    buyer_units,
    claim,
    drop_pool_id,
    events,
    get_drop,
    make_buyers,
    pool,
    start_drop,
    units_by_status,
)
from tests.support import assert_problem


async def test_a_claim_reserves_units_until_the_hold_expires(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=5, hold_s=60)
    [buyer] = await make_buyers(container, 1)

    r = await claim(client, buyer, drop["id"], 2)

    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "reserved"
    assert body["drop_id"] == drop["id"]
    assert body["quantity"] == 2
    assert body["total"] == {"amount_minor": 19800, "currency": "CNY", "display": "198.00 CNY"}
    expires = (clock.now().timestamp() + 60) * 1000
    assert round(_ts(body["expires_at"]) * 1000) == round(expires)
    counts = await get_drop(client, drop["id"])
    assert (counts["remaining"], counts["reserved"], counts["sold"]) == (3, 2, 0)
    changed = [e["data"] for e in await events(container, stage.show_id)]
    assert changed[-1] == {
        "drop_id": drop["id"], "remaining": 3, "reserved": 2, "sold": 0, "status": "live",
        "stock_version": 1,
    }  # fmt: skip


def _ts(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


async def test_sold_out_when_not_enough_remain(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=3, per_buyer_limit=2)
    a, b = await make_buyers(container, 2)
    assert (await claim(client, a, drop["id"], 2)).status_code == 201
    assert_problem(await claim(client, b, drop["id"], 2), 409, "sold_out")
    assert (await claim(client, b, drop["id"], 1)).status_code == 201

    assert_problem(await claim(client, b, drop["id"], 1), 409, "sold_out")
    counts = await get_drop(client, drop["id"])
    assert (counts["remaining"], counts["reserved"], counts["status"]) == (0, 3, "sold_out")
    types = [e["type"] for e in await events(container, stage.show_id)]
    assert types.count("drop.sold_out") == 1
    # A refused claim leaves no trace on the buyer's count.
    assert (await buyer_units(container, drop["id"]))[b.user_id] == 1


async def test_the_per_buyer_limit_counts_every_claim(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=10, per_buyer_limit=3)
    [buyer] = await make_buyers(container, 1)
    refused = await claim(client, buyer, drop["id"], 4)
    assert_problem(refused, 422, "per_buyer_limit_exceeded")
    assert refused.json()["may_take"] == 3
    assert (await claim(client, buyer, drop["id"], 2)).status_code == 201
    refused = await claim(client, buyer, drop["id"], 2)
    assert_problem(refused, 422, "per_buyer_limit_exceeded")
    assert refused.json()["may_take"] == 1
    assert "1 more" in refused.json()["detail"]
    assert (await claim(client, buyer, drop["id"], 1)).status_code == 201
    refused = await claim(client, buyer, drop["id"], 1)
    assert_problem(refused, 422, "per_buyer_limit_exceeded")
    assert refused.json()["may_take"] == 0
    assert (await get_drop(client, drop["id"]))["reserved"] == 3


async def test_claims_are_rate_limited_per_buyer(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    limit = container.settings.claim_rate_per_10s
    drop = await start_drop(client, stage, quantity=100, per_buyer_limit=1)
    buyer, other = await make_buyers(container, 2)
    for _ in range(limit):
        await claim(client, buyer, drop["id"])
    r = await claim(client, buyer, drop["id"])
    assert_problem(r, 429, "rate_limited")
    assert int(r.headers["retry-after"]) >= 1
    assert (await claim(client, other, drop["id"])).status_code == 201
    clock.advance(10.1)
    assert_problem(await claim(client, buyer, drop["id"]), 422, "per_buyer_limit_exceeded")


async def test_a_retried_claim_gets_the_first_answer_and_one_order(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=5, per_buyer_limit=2)
    [buyer] = await make_buyers(container, 1)

    first = await claim(client, buyer, drop["id"], 1, key="claim-1")
    again = await claim(client, buyer, drop["id"], 1, key="claim-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (await get_drop(client, drop["id"]))["reserved"] == 1
    units = await units_by_status(container, await drop_pool_id(container, drop["id"]))
    assert units == {OrderStatus.RESERVED: 1}
    reused = await claim(client, buyer, drop["id"], 2, key="claim-1")
    assert_problem(reused, 422, "idempotency_key_reused")
    orders = (await client.get("/api/v1/orders", headers=buyer.headers)).json()
    assert [o["id"] for o in orders] == [first.json()["order_id"]]


async def test_counts_exclude_expired_holds_before_and_after_the_sweeper(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=4, per_buyer_limit=2, hold_s=60)
    a, b = await make_buyers(container, 2)
    r = await claim(client, a, drop["id"], 2)
    clock.advance(30)
    assert (await claim(client, b, drop["id"], 1)).status_code == 201
    clock.advance(31)  # a's hold is due, b's is not

    counts = await get_drop(client, drop["id"])
    assert (counts["remaining"], counts["reserved"]) == (3, 1)
    order = await client.get(f"/api/v1/orders/{r.json()['order_id']}", headers=a.headers)
    assert order.json()["status"] == "expired"
    drop_pool = await pool(container, await drop_pool_id(container, drop["id"]))
    assert drop_pool.reserved == 3  # not yet swept

    assert await sweep_expired_holds(container.db, container.broker, container.clock) == 1
    assert await sweep_expired_holds(container.db, container.broker, container.clock) == 0

    swept = await get_drop(client, drop["id"])
    assert swept == counts | {"stock_version": counts["stock_version"] + 1}  # one change more
    drop_pool = await pool(container, drop_pool.id)
    assert (drop_pool.reserved, drop_pool.sold) == (1, 0)
    assert (await buyer_units(container, drop["id"]))[a.user_id] == 0
    assert (await claim(client, a, drop["id"], 2)).status_code == 201


async def test_a_claim_releases_due_holds_first(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=2, per_buyer_limit=2, hold_s=60)
    a, b = await make_buyers(container, 2)
    assert (await claim(client, a, drop["id"], 2)).status_code == 201
    assert_problem(await claim(client, b, drop["id"], 1), 409, "sold_out")
    clock.advance(60)

    assert (await claim(client, b, drop["id"], 2)).status_code == 201

    units = await units_by_status(container, await drop_pool_id(container, drop["id"]))
    assert units == {OrderStatus.EXPIRED: 2, OrderStatus.RESERVED: 2}


async def test_a_hold_that_expires_after_its_drop_ended_goes_back_to_the_shelf(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=10, hold_s=120, duration_s=60)
    [buyer] = await make_buyers(container, 1)
    assert (await claim(client, buyer, drop["id"], 2)).status_code == 201
    r = await client.post(f"/api/v1/drops/{drop['id']}/end", headers=stage.owner.headers)
    assert r.status_code == 200
    assert (await pool(container, stage.product.shelf_pool_id)).quantity == 98

    clock.advance(121)
    await sweep_expired_holds(container.db, container.broker, container.clock)

    assert (await pool(container, stage.product.shelf_pool_id)).quantity == 100
    ended = await get_drop(client, drop["id"])
    assert (ended["reserved"], ended["sold"], ended["status"]) == (0, 0, "ended")


async def test_claim_refusals(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    drop = await start_drop(client, stage)
    [buyer] = await make_buyers(container, 1)
    assert_problem(await claim(client, buyer, "unknown"), 404, "drop_not_found")
    assert_problem(await claim(client, buyer, drop["id"], 0), 422, "validation_failed")
    r = await client.post(f"/api/v1/drops/{drop['id']}/claims", json={"quantity": 1})
    assert_problem(r, 401, "not_authenticated")
    r = await claim(client, buyer, drop["id"], key="k" * 256)
    assert_problem(r, 422, "validation_failed")


async def test_the_sweeper_is_a_periodic_job(container: Container) -> None:
    app = create_app(container, background=False)
    names = {name for name, _interval, _job in periodic_jobs(app)}
    assert {"checkout.sweep_expired_holds", "checkout.end_due_drops"} <= names


async def test_a_malformed_idempotency_key_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=5)
    [buyer] = await make_buyers(container, 1)
    for key in ("k" * 256, ""):
        r = await claim(client, buyer, drop["id"], key=key)
        body = assert_problem(r, 422, "validation_failed")
        assert body["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert (await claim(client, buyer, drop["id"], key="k" * 255)).status_code == 201
    assert (await get_drop(client, drop["id"]))["reserved"] == 1
