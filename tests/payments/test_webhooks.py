"""The test provider's signed webhook settles pending payments, once."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
from sqlalchemy import select

from livebazaar.bootstrap import Container
from livebazaar.checkout import sweep_expired_holds
from livebazaar.kernel.clock import ManualClock
from livebazaar.payments import ChargeOutcome
from livebazaar.payments.models import Payment, PaymentStatus
from livebazaar.payments.test_provider import (
    CARD_SETTLE_LATER,
    CARD_SETTLE_LATER_FAIL,
    SIGNATURE_HEADER,
    sign,
)
from livebazaar.web.routes.payments import wire_webhook_sender
from tests.checkout.stage import Stage, claim, drop_pool_id, get_drop, make_buyers, pool
from tests.payments.providers import builtin_provider as provider
from tests.payments.test_pay import held, pay
from tests.support import assert_problem

URL = "/api/v1/payments/test/webhook"


async def provider_ref(c: Container, order_id: str) -> str:
    async with c.db.read() as session:
        ref = await session.scalar(select(Payment.provider_ref).where(Payment.order_id == order_id))
    assert ref is not None
    return ref


async def post_webhook(
    client: httpx.AsyncClient, body: bytes, headers: dict[str, str]
) -> httpx.Response:
    return await client.post(
        URL, content=body, headers={**headers, "content-type": "application/json"}
    )


async def test_a_pending_payment_settles_paid_by_webhook(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage, hold_s=60)
    await pay(client, buyer, order_id, CARD_SETTLE_LATER)
    clock.advance(120)  # the hold's time passes while the payment is pending
    body, headers = provider(container).settlement_webhook(
        await provider_ref(container, order_id), ChargeOutcome.SUCCEEDED
    )

    r = await post_webhook(client, body, headers)

    assert r.status_code == 200, r.text
    assert r.json() == {"received": True, "duplicate": False}
    order = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)).json()
    assert (order["status"], order["payment_pending"]) == ("paid", False)
    assert (await get_drop(client, drop_id))["sold"] == 1
    replayed = await post_webhook(client, body, headers)
    assert replayed.json() == {"received": True, "duplicate": True}
    assert (await get_drop(client, drop_id))["sold"] == 1


async def test_a_failed_settlement_after_the_expiry_expires_the_hold(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage, hold_s=60)
    await pay(client, buyer, order_id, CARD_SETTLE_LATER_FAIL)
    clock.advance(61)
    body, headers = provider(container).settlement_webhook(
        await provider_ref(container, order_id), ChargeOutcome.FAILED
    )

    assert (await post_webhook(client, body, headers)).status_code == 200

    order = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)).json()
    assert order["status"] == "expired"
    counts = await get_drop(client, drop_id)
    assert (counts["reserved"], counts["remaining"]) == (0, 10)
    drop_pool = await pool(container, await drop_pool_id(container, drop_id))
    assert drop_pool.reserved == 0


async def test_a_failed_settlement_before_the_expiry_resumes_the_hold(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, _drop_id, order_id = await held(client, container, stage, hold_s=60)
    await pay(client, buyer, order_id, CARD_SETTLE_LATER_FAIL)
    body, headers = provider(container).settlement_webhook(
        await provider_ref(container, order_id), ChargeOutcome.FAILED
    )
    assert (await post_webhook(client, body, headers)).status_code == 200
    order = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)).json()
    assert (order["status"], order["payment_pending"]) == ("reserved", False)
    assert (await pay(client, buyer, order_id)).json()["status"] == "paid"


async def test_bad_and_old_signatures_are_refused(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, _drop_id, order_id = await held(client, container, stage)
    await pay(client, buyer, order_id, CARD_SETTLE_LATER)
    ref = await provider_ref(container, order_id)
    test_provider = provider(container)
    body, headers = test_provider.settlement_webhook(ref, ChargeOutcome.SUCCEEDED)

    tampered = body.replace(b"payment.succeeded", b"payment.failed")
    assert_problem(await post_webhook(client, tampered, headers), 400, "invalid_webhook_signature")
    assert_problem(await post_webhook(client, body, {}), 400, "invalid_webhook_signature")
    old_body, old_headers = test_provider.settlement_webhook(
        ref, ChargeOutcome.SUCCEEDED, timestamp=int(time.time()) - 400
    )
    assert_problem(
        await post_webhook(client, old_body, old_headers), 400, "invalid_webhook_signature"
    )
    order = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)).json()
    assert order["status"] == "reserved"


async def test_a_webhook_for_an_unknown_payment_is_404(
    client: httpx.AsyncClient, container: Container
) -> None:
    body, headers = provider(container).settlement_webhook("test_unknown", ChargeOutcome.SUCCEEDED)
    assert_problem(await post_webhook(client, body, headers), 404, "payment_not_found")


async def test_the_provider_delivers_its_webhook_to_the_app(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    async def send(body: bytes, headers: dict[str, str]) -> None:
        r = await post_webhook(client, body, headers)
        r.raise_for_status()

    provider(container).sender = send
    buyer, _drop_id, order_id = await held(client, container, stage)

    r = await pay(client, buyer, order_id, CARD_SETTLE_LATER)
    assert r.json()["payment"]["status"] == "pending"

    status = "reserved"
    for _ in range(200):  # the settlement runs as a task; give it its turns
        await asyncio.sleep(0.01)
        order = await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)
        status = order.json()["status"]
        if status != "reserved":
            break
    assert status == "paid"


async def test_a_webhook_that_never_comes_releases_the_hold_after_a_grace(
    client: httpx.AsyncClient, container: Container, clock: ManualClock, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage, hold_s=60)
    await pay(client, buyer, order_id, CARD_SETTLE_LATER)
    clock.advance(60 + 3600)

    assert await sweep_expired_holds(container.db, container.broker, container.clock) == 1
    assert (await get_drop(client, drop_id))["reserved"] == 0

    body, headers = provider(container).settlement_webhook(
        await provider_ref(container, order_id), ChargeOutcome.SUCCEEDED
    )
    assert (await post_webhook(client, body, headers)).status_code == 200
    order = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)).json()
    assert order["status"] == "expired"
    async with container.db.read() as session:
        status = await session.scalar(select(Payment.status).where(Payment.order_id == order_id))
    assert status is PaymentStatus.REFUNDED  # money is never kept for units not sold


async def test_the_wired_sender_delivers_over_http(
    live_server: str, client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    container.settings.public_url = live_server
    provider(container).sender = None
    wire_webhook_sender(container)
    buyer, _drop_id, order_id = await held(client, container, stage)

    assert (await pay(client, buyer, order_id, CARD_SETTLE_LATER)).status_code == 200

    status = "reserved"
    for _ in range(300):
        await asyncio.sleep(0.01)
        order = await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)
        status = order.json()["status"]
        if status != "reserved":
            break
    assert status == "paid"


def forged_webhook(
    c: Container, payment_id: str, provider_ref: str, outcome: ChargeOutcome
) -> tuple[bytes, dict[str, str]]:
    """A webhook signed with the provider's secret that names `payment_id` in its metadata and
    `provider_ref` as the payment: what anyone holding the secret could send."""
    body = json.dumps(
        {
            "id": f"evt_forged_{provider_ref}",
            "type": f"payment.{outcome.value}",
            "payment": provider_ref,
            "metadata": {"payment_id": payment_id},
        }
    ).encode()
    return body, {SIGNATURE_HEADER: sign(provider(c).webhook_secret, body)}


async def payment_of(c: Container, order_id: str) -> Payment:
    async with c.db.read() as session:
        payment = await session.scalar(select(Payment).where(Payment.order_id == order_id))
    assert payment is not None
    return payment


async def test_a_webhook_settles_only_the_payment_its_reference_names(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    """The forgery found: a pending 'fails later' payment made paid by a succeeded webhook
    naming it in the metadata but another reference, and left paid when its failure came."""
    buyer, drop_id, order_id = await held(client, container, stage)
    await pay(client, buyer, order_id, CARD_SETTLE_LATER_FAIL)
    pending = await payment_of(container, order_id)
    [other_buyer] = await make_buyers(container, 1)
    other_order = (await claim(client, other_buyer, drop_id)).json()["order_id"]
    assert (await pay(client, other_buyer, other_order)).status_code == 200
    others_ref = (await payment_of(container, other_order)).provider_ref

    for ref in ("test_forged", others_ref):
        body, headers = forged_webhook(container, pending.id, ref, ChargeOutcome.SUCCEEDED)
        assert_problem(await post_webhook(client, body, headers), 409, "webhook_payment_mismatch")

    order = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)).json()
    assert (order["status"], order["payment_pending"]) == ("reserved", True)
    assert (await get_drop(client, drop_id))["sold"] == 1  # the other buyer's
    body, headers = provider(container).settlement_webhook(
        pending.provider_ref, ChargeOutcome.FAILED
    )
    assert (await post_webhook(client, body, headers)).status_code == 200
    order = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers)).json()
    assert (order["status"], order["payment_pending"]) == ("reserved", False)
    assert (await payment_of(container, order_id)).status is PaymentStatus.FAILED


async def test_a_forged_reference_is_refused_before_the_charge_is_recorded(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    """A webhook may come before the charge's answer is recorded; then the provider is asked
    which reference the payment has, and a webhook naming another is refused."""
    buyer, _drop_id, order_id = await held(client, container, stage)
    await pay(client, buyer, order_id, CARD_SETTLE_LATER_FAIL)
    pending = await payment_of(container, order_id)
    async with container.db.uow() as uow:  # as if the charge's answer were not recorded yet
        row = await uow.session.get(Payment, pending.id)
        assert row is not None
        row.provider_ref = f"unsent_{pending.id}"
        await uow.commit()

    body, headers = forged_webhook(container, pending.id, "test_forged", ChargeOutcome.SUCCEEDED)
    assert_problem(await post_webhook(client, body, headers), 409, "webhook_payment_mismatch")
    assert (await payment_of(container, order_id)).status is PaymentStatus.PENDING

    body, headers = provider(container).settlement_webhook(
        pending.provider_ref, ChargeOutcome.FAILED
    )
    assert (await post_webhook(client, body, headers)).status_code == 200, body
    settled = await payment_of(container, order_id)
    assert (settled.status, settled.provider_ref) == (PaymentStatus.FAILED, pending.provider_ref)


async def test_a_signed_webhook_with_unstorable_fields_is_400(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    """Signed, but not what the tables hold (PostgreSQL text takes no NUL; the columns have
    lengths): refused as not understood, never a 500, and nothing changes."""
    buyer, _drop_id, order_id = await held(client, container, stage)
    await pay(client, buyer, order_id, CARD_SETTLE_LATER_FAIL)
    pending = await payment_of(container, order_id)
    good = {
        "id": "evt_ok", "type": "payment.succeeded", "payment": pending.provider_ref,
        "metadata": {"payment_id": pending.id}, "failure_reason": None,
    }  # fmt: skip
    bad: list[dict[str, object]] = [
        {"payment": pending.provider_ref + "\x00"},
        {"id": "evt_" + "x" * 500},
        {"metadata": {"payment_id": pending.id + "\x00"}},
        {"metadata": {"payment_id": "p" * 300}},
        {"type": "payment.failed", "failure_reason": {"nested": True}},
        {"type": "payment.failed", "failure_reason": "r" * 1000},
    ]
    secret = provider(container).webhook_secret
    for change in bad:
        body = json.dumps({**good, **change}).encode()
        r = await post_webhook(client, body, {SIGNATURE_HEADER: sign(secret, body)})
        assert_problem(r, 400, "invalid_webhook")
    assert (await payment_of(container, order_id)).status is PaymentStatus.PENDING
