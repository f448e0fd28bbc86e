"""The card is charged outside any transaction: a slow provider stalls no other write, and a
charge whose answer is lost is never repeated by a retry."""

from __future__ import annotations

import asyncio

import httpx

from livebazaar.bootstrap import Container
from livebazaar.payments import ChargeRequest, ChargeResult, TestPaymentProvider
from tests.checkout.stage import Stage, claim, make_buyers
from tests.payments.providers import LostAnswerProvider, builtin_provider
from tests.payments.test_pay import held, pay, payments_of


class _SlowProvider(TestPaymentProvider):
    """The test provider behind a network that holds each charge until released."""

    def __init__(self, inner: TestPaymentProvider) -> None:
        super().__init__(webhook_secret="unused")
        self._inner = inner
        self.release = asyncio.Event()

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        await self.release.wait()
        return await self._inner.charge(request)


async def test_a_slow_charge_does_not_stall_claims(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, drop_id, order_id = await held(client, container, stage)
    slow = _SlowProvider(builtin_provider(container))
    container.payment_providers["test"] = slow
    paying = asyncio.create_task(pay(client, buyer, order_id))
    await asyncio.sleep(0.05)  # the charge is now in flight

    [other] = await make_buyers(container, 1)
    r = await asyncio.wait_for(claim(client, other, drop_id), timeout=30)

    assert r.status_code == 201, r.text  # answered while the charge still waits
    assert not paying.done()
    slow.release.set()
    assert (await paying).json()["status"] == "paid"


async def test_a_lost_answer_is_never_charged_twice(
    client: httpx.AsyncClient, container: Container, stage: Stage
) -> None:
    buyer, _, order_id = await held(client, container, stage)
    lossy = LostAnswerProvider(builtin_provider(container))
    container.payment_providers["test"] = lossy

    first = await pay(client, buyer, order_id, key="pay-1")
    same_key = await pay(client, buyer, order_id, key="pay-1")
    new_key = await pay(client, buyer, order_id, key="pay-2")

    assert first.status_code == 200, first.text
    assert first.json()["payment"]["status"] == "pending"  # the webhook will settle it
    assert same_key.json() == first.json()  # the first answer, replayed
    assert new_key.status_code == 409
    assert new_key.json()["code"] == "payment_pending"
    assert lossy.calls == 1
    assert await payments_of(container, order_id) == 1


async def test_a_webhook_with_an_absurd_timestamp_is_refused(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/payments/test/webhook",
        content=b"{}",
        headers={"livebazaar-signature": "t=" + "9" * 400 + ",v1=00"},
    )
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_webhook_signature"
