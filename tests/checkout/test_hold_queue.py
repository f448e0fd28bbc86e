"""Group commit of holds: decisions inside one batch are first come, first served, exact."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from livebazaar.bootstrap import Container
from livebazaar.checkout.errors import (
    PerBuyerLimitExceeded,
    ShelfLimitExceeded,
    SoldOut,
    TooManyOpenHolds,
)
from livebazaar.checkout.hold_queue import decide
from livebazaar.checkout.models import Order
from livebazaar.checkout.reservations import HoldRequest
from livebazaar.checkout.schemas import ReservationOut
from livebazaar.checkout.shelf_limits import BuyerBook
from livebazaar.kernel.clock import ManualClock
from livebazaar.kernel.errors import Unavailable
from livebazaar.kernel.money import MAX_AMOUNT_MINOR, MAX_PRICE_MINOR, Money
from livebazaar.live import ShowNotLive
from tests.checkout.stage import Stage, claim, events, get_drop, make_buyers, start_drop

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def _request(buyer: str, quantity: int, limit: int | None = 2) -> HoldRequest:
    return HoldRequest(
        buyer_id=buyer, pool_id="p", quantity=quantity, unit_price=Money(500, "CNY"),
        hold_s=60, show_id="s", shop_id="shop", product_id="pr", variant_id="v",
        drop_id="d" if limit else None, per_buyer_limit=limit,
    )  # fmt: skip


def test_decide_serves_in_order_within_stock_and_limits() -> None:
    requests = [
        _request("ana", 2),  # admitted: 3 left
        _request("ana", 1),  # refused: ana would hold 3 > limit 2
        _request("bo", 2),  # admitted: 1 left
        _request("cy", 2),  # refused: only 1 left
        _request("dee", 1),  # admitted: 0 left
    ]
    outcomes = decide(requests, available=5, held={}, now=NOW)
    kinds = [type(o) for o in outcomes]
    assert kinds == [ReservationOut, PerBuyerLimitExceeded, ReservationOut, SoldOut, ReservationOut]
    first = outcomes[0]
    assert isinstance(first, ReservationOut)
    assert first.total.amount_minor == 1000
    assert first.expires_at == datetime(2026, 11, 22, 12, 1, tzinfo=UTC)


def test_decide_counts_units_already_held_before_the_batch() -> None:
    outcomes = decide([_request("ana", 1)], available=10, held={"ana": 2}, now=NOW)
    assert isinstance(outcomes[0], PerBuyerLimitExceeded)
    shelf = decide([_request("ana", 7, limit=None)], available=10, held={"ana": 2}, now=NOW)
    assert isinstance(shelf[0], ReservationOut)  # a drop's counts are not the shelf's


def test_decide_counts_shelf_purchases_in_the_buyers_book() -> None:
    """Shelf purchases count against the book of what each buyer holds from shelves: units
    per product within the shop's limit, holds open within the deployment's cap."""
    book = BuyerBook(NOW)
    book.units["ana", "pr"] = 8
    book.add_open_hold("ana", NOW + timedelta(seconds=45))

    def shelf(buyer: str, quantity: int, product: str = "pr") -> HoldRequest:
        request = replace(_request(buyer, quantity, None), product_id=product)
        return replace(request, per_buyer_limit=10, max_open_holds=2)

    requests = [shelf("ana", 3), shelf("ana", 2), shelf("bo", 4), shelf("ana", 1, "other")]
    outcomes = decide(requests, available=100, held={}, now=NOW, live_shows={"s"}, book=book)

    assert [type(o) for o in outcomes] == [
        ShelfLimitExceeded, ReservationOut, ReservationOut, TooManyOpenHolds
    ]  # fmt: skip
    limit, _, _, cap = outcomes
    assert isinstance(limit, ShelfLimitExceeded)
    assert limit.may_take == 2
    assert isinstance(cap, TooManyOpenHolds)
    assert cap.retry_after_s == 45  # the first of her holds to end (the new one: 60 s)
    assert (book.units["ana", "pr"], book.open_holds["ana"], book.open_holds["bo"]) == (10, 2, 1)


async def test_a_burst_lands_in_few_batches_and_matches_the_rows(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=50, per_buyer_limit=1)
    buyers = await make_buyers(container, 80)

    answers = await asyncio.gather(*(claim(client, b, drop["id"]) for b in buyers))

    codes = sorted(r.status_code for r in answers)
    assert codes.count(201) == 50
    assert codes.count(409) == 30
    assert all(r.json()["code"] == "sold_out" for r in answers if r.status_code == 409)
    state = await get_drop(client, drop["id"])
    assert (state["remaining"], state["reserved"], state["sold"]) == (0, 50, 0)
    async with container.db.read() as session:
        rows = await session.scalar(
            select(func.count()).select_from(Order).where(Order.drop_id == drop["id"])
        )
    assert rows == 50


async def test_the_same_key_twice_in_one_burst_holds_once(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=10)
    [buyer] = await make_buyers(container, 1)
    headers = {**buyer.headers, "Idempotency-Key": "tap-tap"}
    url = f"/api/v1/drops/{drop['id']}/claims"

    first, second = await asyncio.gather(
        client.post(url, json={"quantity": 1}, headers=headers),
        client.post(url, json={"quantity": 1}, headers=headers),
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert (await get_drop(client, drop["id"]))["reserved"] == 1


def test_a_shelf_purchase_in_a_show_that_does_not_sell_is_refused() -> None:
    outcomes = decide(
        [_request("ana", 1, limit=None)], available=10, held={}, now=NOW, live_shows=set()
    )
    assert isinstance(outcomes[0], ShowNotLive)


async def test_units_coming_back_in_a_refused_batch_are_announced(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    drop = await start_drop(client, stage, quantity=3, per_buyer_limit=2, hold_s=60)
    early, late = await make_buyers(container, 2)
    assert (await claim(client, early, drop["id"], 1)).status_code == 201
    clock.advance(30)
    assert (await claim(client, late, drop["id"], 2)).status_code == 201  # sold out now
    clock.advance(31)  # the early hold is due, not yet swept

    r = await claim(client, early, drop["id"], 2)  # refused: only 1 came back

    assert r.json()["code"] == "sold_out"
    last = [e for e in await events(container, stage.show_id) if e["type"].startswith("drop.")][-1]
    assert last["type"] == "drop.stock_changed"
    assert last["data"]["remaining"] == 1
    assert (await get_drop(client, drop["id"]))["remaining"] == 1


async def test_a_total_beyond_what_money_can_hold_is_refused(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    # The dearest price there may be, times more units than MAX_AMOUNT_MINOR can hold
    units = MAX_AMOUNT_MINOR // MAX_PRICE_MINOR + 1
    r = await client.put(f"/api/v1/variants/{stage.product.variant_id}/stock",
                         json={"quantity": units}, headers=stage.owner.headers)  # fmt: skip
    assert r.status_code == 200, r.text
    price = {"amount_minor": MAX_PRICE_MINOR, "currency": "CNY"}
    drop = await start_drop(client, stage, quantity=units, per_buyer_limit=units, price=price)
    [buyer] = await make_buyers(container, 1)
    r = await claim(client, buyer, drop["id"], units)
    assert r.status_code == 422
    assert r.json()["code"] == "total_too_large"
    assert (await get_drop(client, drop["id"]))["remaining"] == units


async def test_closing_the_queue_answers_every_waiting_claim(container: Container) -> None:
    waiting = asyncio.create_task(container.holds.submit(_request("ana", 1)))
    await asyncio.sleep(0)
    await container.holds.close()
    with pytest.raises(Unavailable):
        await asyncio.wait_for(waiting, timeout=5)
