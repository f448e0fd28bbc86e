"""Paying a reserved order with the test provider's cards."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from livebazaar.accounts import Address
from livebazaar.bootstrap import Container
from livebazaar.checkout import sweep_expired_holds
from livebazaar.kernel.clock import ManualClock
from livebazaar.kernel.ids import new_id
from livebazaar.payments.models import Payment
from livebazaar.payments.test_provider import (
    CARD_APPROVE,
    CARD_DECLINE,
    CARD_SETTLE_LATER,
)
from tests.checkout.stage import Stage, claim, get_drop, make_buyers, start_drop
from tests.support import SHIP_TO, Account, assert_problem


async def pay(
    client: httpx.AsyncClient, buyer: Account, order_id: str, card: str = CARD_APPROVE,
    key: str | None = None, **extra: Any,
) -> httpx.Response:  # fmt: skip
    headers = dict(buyer.headers)
    if key:
        headers["Idempotency-Key"] = key
    where = {} if "address_id" in extra or "ship_to" in extra else {"ship_to": SHIP_TO}
    body = {"provider": "test", "card_number": card, **where, **extra}
    return await client.post(f"/api/v1/orders/{order_id}/pay", json=body, headers=headers)


async def payments_of(c: Container, order_id: str) -> int:
    async with c.db.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(Payment).where(Payment.order_id == order_id)
        )
    return int(count or 0)


async def held(
    client: httpx.AsyncClient, c: Container, stage: Stage, **drop: Any
) -> tuple[Account, str, str]:
    """A buyer holding one unit of a fresh drop: (buyer, drop_id, order_id)."""
    d = await start_drop(client, stage, **drop)
    [buyer] = await make_buyers(c, 1)
    r = await claim(client, buyer, d["id"])
    assert r.status_code == 201, r.text
    return buyer, d["id"], r.json()["order_id"]


async def test_an_approved_card_pays_the_order(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage)

    r = await pay(client, buyer, order_id)

    assert r.status_code == 200, r.text
    body = r.json()
    assert body["order_id"] == order_id
    assert body["status"] == "paid"
    assert (body["payment"]["status"], body["payment"]["failure_reason"]) == ("succeeded", None)
    counts = await get_drop(client, drop_id)
    assert (counts["reserved"], counts["sold"], counts["remaining"]) == (0, 1, 9)
    assert_problem(await pay(client, buyer, order_id), 409, "order_already_paid")
    order = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)).json()
    assert order["status"] == "paid"
    assert order["paid_at"] is not None


async def test_a_declined_card_leaves_the_hold_for_another_try(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage)

    r = await pay(client, buyer, order_id, CARD_DECLINE)

    body = assert_problem(r, 402, "payment_declined")
    assert body["payment"]["status"] == "failed"
    assert body["payment"]["failure_reason"] == "card_declined"
    assert body["order_status"] == "reserved"
    assert (await get_drop(client, drop_id))["reserved"] == 1
    again = await pay(client, buyer, order_id, CARD_APPROVE)
    assert again.json()["status"] == "paid"
    assert await payments_of(container, order_id) == 2


async def test_a_retried_payment_charges_once(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, _drop_id, order_id = await held(client, container, stage)

    first = await pay(client, buyer, order_id, key="pay-1")
    again = await pay(client, buyer, order_id, key="pay-1")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert await payments_of(container, order_id) == 1
    reused = await pay(client, buyer, order_id, CARD_DECLINE, key="pay-1")
    assert_problem(reused, 422, "idempotency_key_reused")


async def test_a_retried_decline_answers_the_same_decline(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, _drop_id, order_id = await held(client, container, stage)
    first = await pay(client, buyer, order_id, CARD_DECLINE, key="pay-d")
    again = await pay(client, buyer, order_id, CARD_DECLINE, key="pay-d")
    assert_problem(again, 402, "payment_declined")
    assert again.json() == first.json()
    assert await payments_of(container, order_id) == 1


async def test_paying_refusals(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    buyer, _drop_id, order_id = await held(client, container, stage, hold_s=60)
    [stranger] = await make_buyers(container, 1)
    assert_problem(await pay(client, stranger, order_id), 404, "order_not_found")
    assert_problem(await pay(client, stage.owner, order_id), 404, "order_not_found")
    assert_problem(await pay(client, buyer, "nope"), 404, "order_not_found")
    r = await pay(client, buyer, order_id, provider="stripe")
    assert_problem(r, 422, "unknown_payment_provider")
    assert_problem(await pay(client, buyer, order_id, "not a card"), 422, "validation_failed")
    clock.advance(60)
    assert_problem(await pay(client, buyer, order_id), 409, "reservation_expired")
    await sweep_expired_holds(container.db, container.broker, container.clock)
    assert_problem(await pay(client, buyer, order_id), 409, "reservation_expired")
    assert await payments_of(container, order_id) == 0


async def test_a_pending_payment_protects_the_hold_from_the_sweeper(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage, hold_s=60)

    r = await pay(client, buyer, order_id, CARD_SETTLE_LATER)

    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["payment"]["status"]) == ("reserved", "pending")
    assert_problem(await pay(client, buyer, order_id), 409, "payment_pending")
    clock.advance(120)
    assert await sweep_expired_holds(container.db, container.broker, container.clock) == 0
    order = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)).json()
    assert (order["status"], order["payment_pending"]) == ("reserved", True)
    assert (await get_drop(client, drop_id))["reserved"] == 1


async def test_paying_with_an_address_ships_the_order_there(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage)
    address = {"name": "Aline", "line1": "KN 5 Rd", "city": "Kigali", "country": "RW"}
    r = await client.post("/api/v1/me/addresses", json=address, headers=buyer.headers)
    address_id = r.json()["id"]
    [other_buyer] = await make_buyers(container, 1)
    r = await claim(client, other_buyer, drop_id)
    other_order = r.json()["order_id"]
    # Someone else's address is refused and the order stays unpaid
    r = await pay(client, other_buyer, other_order, address_id=address_id)
    assert_problem(r, 404, "address_not_found")
    assert await payments_of(container, other_order) == 0
    # The buyer's own: the order keeps a copy, which outlives the address book entry
    r = await pay(client, buyer, order_id, address_id=address_id)
    assert r.status_code == 200, r.text
    await client.delete(f"/api/v1/me/addresses/{address_id}", headers=buyer.headers)
    order = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)).json()
    assert order["ship_to"]["city"] == "Kigali"
    assert order["ship_to"]["country"] == "RW"


async def test_no_order_is_paid_without_an_address_a_courier_can_deliver_to(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, _, order_id = await held(client, container, stage)
    lyon = {"name": "Claire", "line1": "2 Rue Mercière", "city": "Lyon", "country": "FR"}

    # No address at all: refused, nothing charged
    r = await client.post(
        f"/api/v1/orders/{order_id}/pay", json={"card_number": CARD_APPROVE},
        headers=buyer.headers,
    )  # fmt: skip
    assert_problem(r, 422, "address_required")
    # A French address without its postal code: refused, saved or given with the payment
    r = await client.post("/api/v1/me/addresses", json=lyon, headers=buyer.headers)
    assert_problem(r, 422, "validation_failed")
    assert r.json()["errors"][0]["loc"][-1] == "postal_code"
    assert_problem(await pay(client, buyer, order_id, ship_to=lyon), 422, "validation_failed")
    # One saved before postal codes were required is refused when paying, with its own code
    old_id = new_id()
    async with container.db.uow() as uow:
        uow.session.add(
            Address(id=old_id, user_id=buyer.user_id, created_at=container.clock.now(), **lyon)
        )
        await uow.commit()
    r = await pay(client, buyer, order_id, address_id=old_id)
    assert_problem(r, 422, "postal_code_required")
    assert await payments_of(container, order_id) == 0
    assert len((await client.get("/api/v1/me/addresses", headers=buyer.headers)).json()) == 1

    # With its postal code it is paid and ships there; Kigali needs none
    r = await pay(client, buyer, order_id, ship_to={**lyon, "postal_code": "69002"})
    assert r.status_code == 200, r.text
    order = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)).json()
    assert order["ship_to"]["postal_code"] == "69002"
    assert order["variant_name"] == "Standard"
    both: dict[str, Any] = {"address_id": old_id, "ship_to": SHIP_TO}
    assert_problem(await pay(client, buyer, order_id, **both), 422, "validation_failed")
