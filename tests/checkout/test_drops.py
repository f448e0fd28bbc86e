"""Starting, reading and ending flash drops."""

from __future__ import annotations

import httpx
import pytest

from livebazaar.bootstrap import Container
from livebazaar.checkout import do_end_show_drops, end_due_drops
from livebazaar.kernel.clock import ManualClock
from tests.checkout.stage import (
    Stage,
    claim,
    drop_body,
    events,
    get_drop,
    make_buyers,
    make_show,
    pool,
    start_drop,
)
from tests.factories import make_product
from tests.support import Api, assert_problem


async def test_a_host_starts_a_drop_carved_from_the_shelf(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=10)

    assert drop["quantity"] == 10
    assert (drop["remaining"], drop["reserved"], drop["sold"]) == (10, 0, 0)
    assert drop["status"] == "live"
    assert drop["price"] == {"amount_minor": 9900, "currency": "CNY", "display": "99.00 CNY"}
    assert drop["hold_s"] == 60
    assert (await pool(container, stage.product.shelf_pool_id)).quantity == 90
    assert await get_drop(client, drop["id"]) == drop
    started = [e for e in await events(container, stage.show_id) if e["type"] == "drop.started"]
    assert [e["data"]["drop"]["id"] for e in started] == [drop["id"]]


async def test_hold_s_defaults_to_the_setting(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    body = drop_body(stage)
    del body["hold_s"]
    r = await client.post(
        f"/api/v1/shows/{stage.show_id}/drops", json=body, headers=stage.owner.headers
    )
    assert r.status_code == 201, r.text
    assert r.json()["hold_s"] == container.settings.default_hold_s


async def test_only_a_host_may_start_a_drop(
    client: httpx.AsyncClient, api: Api, stage: Stage
) -> None:
    viewer = await api.account("Viewer")
    r = await client.post(
        f"/api/v1/shows/{stage.show_id}/drops", json=drop_body(stage), headers=viewer.headers
    )
    assert_problem(r, 403, "not_show_host")
    r = await client.post(f"/api/v1/shows/{stage.show_id}/drops", json=drop_body(stage))
    assert_problem(r, 401, "not_authenticated")


async def test_refusals_when_starting_a_drop(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    url = f"/api/v1/shows/{stage.show_id}/drops"
    h = stage.owner.headers
    other = await make_product(container, stage.shop_id, title="Not in the lineup")
    r = await client.post(url, json=drop_body(stage, product_id=other.id), headers=h)
    assert_problem(r, 422, "product_not_in_lineup")
    usd = {"amount_minor": 100, "currency": "USD"}
    assert_problem(
        await client.post(url, json=drop_body(stage, price=usd), headers=h),
        422,
        "currency_mismatch",
    )
    r = await client.post(url, json=drop_body(stage, quantity=101, per_buyer_limit=1), headers=h)
    assert_problem(r, 409, "insufficient_stock")
    await start_drop(client, stage)
    assert_problem(
        await client.post(url, json=drop_body(stage), headers=h), 409, "drop_already_active"
    )
    r = await client.post("/api/v1/shows/nope/drops", json=drop_body(stage), headers=h)
    assert_problem(r, 404, "show_not_found")
    assert (await pool(container, stage.product.shelf_pool_id)).quantity == 90


async def test_a_drop_needs_a_live_show(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    show_id = await make_show(container, stage.shop_id, stage.owner, [stage.product.id], live=False)
    r = await client.post(
        f"/api/v1/shows/{show_id}/drops", json=drop_body(stage), headers=stage.owner.headers
    )
    assert_problem(r, 409, "show_not_live")


@pytest.mark.parametrize(
    "overrides",
    [
        {"quantity": 0},
        {"quantity": 1_000_001},
        {"quantity": 3, "per_buyer_limit": 4},
        {"per_buyer_limit": 0},
        {"duration_s": 9},
        {"duration_s": 86_401},
        {"hold_s": 29},
        {"hold_s": 3601},
        {"price": {"amount_minor": -1, "currency": "CNY"}},
        {"price": {"amount_minor": 1, "currency": "XXX"}},
        {"product_id": "x" * 37},
    ],
)
async def test_out_of_bounds_drops_are_422(
    client: httpx.AsyncClient, stage: Stage, overrides: dict[str, object]
) -> None:
    r = await client.post(
        f"/api/v1/shows/{stage.show_id}/drops",
        json=drop_body(stage, **overrides),
        headers=stage.owner.headers,
    )
    assert_problem(r, 422, "validation_failed")


async def test_unknown_drop_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/drops/unknown"), 404, "drop_not_found")


async def test_ending_a_drop_puts_unsold_units_back_on_the_shelf(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=10)
    [buyer] = await make_buyers(container, 1)
    assert (await claim(client, buyer, drop["id"], 2)).status_code == 201

    r = await client.post(f"/api/v1/drops/{drop['id']}/end", headers=stage.owner.headers)

    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ended"
    assert (r.json()["remaining"], r.json()["reserved"]) == (0, 2)
    assert (await pool(container, stage.product.shelf_pool_id)).quantity == 98
    ended = [e for e in await events(container, stage.show_id) if e["type"] == "drop.ended"]
    assert [e["data"] for e in ended] == [{"drop_id": drop["id"], "sold": 0, "status": "ended"}]
    assert_problem(await claim(client, buyer, drop["id"]), 409, "drop_ended")
    again = await client.post(f"/api/v1/drops/{drop['id']}/end", headers=stage.owner.headers)
    assert_problem(again, 409, "drop_ended")


async def test_only_a_host_may_end_a_drop(
    client: httpx.AsyncClient, api: Api, stage: Stage
) -> None:
    drop = await start_drop(client, stage)
    viewer = await api.account("Viewer")
    r = await client.post(f"/api/v1/drops/{drop['id']}/end", headers=viewer.headers)
    assert_problem(r, 403, "not_show_host")
    assert (await get_drop(client, drop["id"]))["status"] == "live"


async def test_a_drop_ends_on_time_and_the_job_returns_its_units(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=10, duration_s=60)
    [buyer] = await make_buyers(container, 1)
    clock.advance(61)

    assert (await get_drop(client, drop["id"]))["status"] == "ended"
    assert_problem(await claim(client, buyer, drop["id"]), 409, "drop_ended")
    assert (await pool(container, stage.product.shelf_pool_id)).quantity == 90

    assert await end_due_drops(container.db, container.broker, container.clock) == 1
    assert await end_due_drops(container.db, container.broker, container.clock) == 0
    assert (await pool(container, stage.product.shelf_pool_id)).quantity == 100
    # A new drop of the same product may start once the old one is over.
    assert (await start_drop(client, stage))["status"] == "live"


async def test_a_new_drop_closes_the_overdue_one_first(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    old = await start_drop(client, stage, quantity=10, duration_s=60)
    clock.advance(61)
    new = await start_drop(client, stage, quantity=100)
    assert new["remaining"] == 100
    assert (await get_drop(client, old["id"]))["status"] == "ended"
    assert (await pool(container, stage.product.shelf_pool_id)).quantity == 0


async def test_ending_a_show_ends_its_drops_inside_the_callers_unit_of_work(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=10)
    c = container
    async with c.db.uow() as uow:
        assert await do_end_show_drops(uow, c.broker, c.clock, stage.show_id) == 1
        assert await do_end_show_drops(uow, c.broker, c.clock, stage.show_id) == 0
        await uow.commit()
    assert (await get_drop(client, drop["id"]))["status"] == "ended"
    assert (await pool(container, stage.product.shelf_pool_id)).quantity == 100
    types = [e["type"] for e in await events(container, stage.show_id)]
    assert types[-2:] == ["drop.stock_changed", "drop.ended"]


async def test_ending_the_show_over_http_ends_its_drops_too(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=10)
    [buyer] = await make_buyers(container, 1)

    r = await client.post(f"/api/v1/shows/{stage.show_id}/end", headers=stage.owner.headers)

    assert r.status_code == 200, r.text
    assert [d["status"] for d in r.json()["drops"]] == ["ended"]
    assert (await pool(container, stage.product.shelf_pool_id)).quantity == 100
    assert_problem(await claim(client, buyer, drop["id"]), 409, "drop_ended")
    types = [e["type"] for e in await events(container, stage.show_id)]
    assert types[-3:] == ["drop.stock_changed", "drop.ended", "show.ended"]


async def test_a_drop_priced_at_zero_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    # Given a live show whose owner starts a drop of 50 units at 0.00 (a limit of 50 each)
    url = f"/api/v1/shows/{stage.show_id}/drops"
    free = {"amount_minor": 0, "currency": "CNY"}
    body = drop_body(stage, quantity=50, per_buyer_limit=50, price=free)
    r = await client.post(url, json=body, headers=stage.owner.headers)
    # Then it is refused as a list price would be, and the shelf and the channel are untouched
    assert_problem(r, 422, "price_out_of_range")
    assert (await pool(container, stage.product.shelf_pool_id)).quantity == 100
    assert [e for e in await events(container, stage.show_id) if e["type"] == "drop.started"] == []
