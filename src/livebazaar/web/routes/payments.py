"""Paying, cancelling and refunding orders; the test provider's webhook. Thin routes."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Body, FastAPI, Request

from livebazaar.bootstrap import Container
from livebazaar.checkout import OrderOut, name_variants
from livebazaar.payments import (
    TestPaymentProvider,
    do_cancel_order,
    do_handle_webhook,
    do_pay_order,
    do_refund_order,
    reconcile_pending_payments,
)
from livebazaar.payments.errors import UnknownProvider
from livebazaar.payments.schemas import PayIn, PayOut, RefundIn, WebhookAck
from livebazaar.web.deps import ActorDep, ContainerDep, IdempotencyKeyHeader, PathId
from livebazaar.web.periodic import PeriodicJob
from livebazaar.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["payments"], responses=PROBLEM_RESPONSES)

TEST_WEBHOOK_PATH = "/api/v1/payments/test/webhook"


DECLINED: dict[int | str, dict[str, Any]] = {
    402: {**PROBLEM_RESPONSES[400], "description": "Payment declined"}
}


@router.post("/orders/{order_id}/pay", responses=DECLINED)
async def pay(
    order_id: PathId, body: PayIn, actor: ActorDep, c: ContainerDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> PayOut:  # fmt: skip
    return await do_pay_order(
        c.db, c.broker, c.clock, c.payment_providers, actor, order_id, body,
        idempotency_key=idempotency_key, terms=c.sale_terms,
    )  # fmt: skip


@router.post("/orders/{order_id}/cancel")
async def cancel(order_id: PathId, actor: ActorDep, c: ContainerDep) -> OrderOut:
    out = await do_cancel_order(c.db, c.broker, c.clock, c.payment_providers, actor, order_id)
    return await _named(c, out)


@router.post("/orders/{order_id}/refund")
async def refund(
    order_id: PathId, actor: ActorDep, c: ContainerDep,
    body: Annotated[RefundIn | None, Body()] = None,
) -> OrderOut:  # fmt: skip
    """The shop's owner refunds `amount_minor` (no body: all that is left). A partial refund
    leaves the order `paid` with `refunded` growing; the rest makes it `refunded`."""
    out = await do_refund_order(
        c.db, c.broker, c.clock, c.payment_providers, actor, order_id,
        None if body is None else body.amount_minor,
    )  # fmt: skip
    return await _named(c, out)


async def _named(c: Container, out: OrderOut) -> OrderOut:
    async with c.db.read() as session:
        [named] = await name_variants(session, [out])
    return named


@router.post(TEST_WEBHOOK_PATH.removeprefix("/api/v1"))
async def test_provider_webhook(request: Request, c: ContainerDep) -> WebhookAck:
    provider = c.payment_providers.get("test")
    if provider is None:
        raise UnknownProvider()
    body = await request.body()
    return await do_handle_webhook(
        c.db, c.broker, c.clock, provider, body, request.headers, terms=c.sale_terms
    )


def wire_webhook_sender(container: Container) -> None:
    """Let the test provider deliver its settlement webhooks to this app over HTTP, at
    `settings.public_url`. Call once at start-up (create_app); a sender already set (a test's)
    is kept."""
    provider = container.payment_providers.get("test")
    if not isinstance(provider, TestPaymentProvider) or provider.sender is not None:
        return
    url = container.settings.public_url.rstrip("/") + TEST_WEBHOOK_PATH

    async def send(body: bytes, headers: dict[str, str]) -> None:
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.post(
                url, content=body, headers={**headers, "content-type": "application/json"}
            )
            response.raise_for_status()

    provider.sender = send


def periodic_jobs(app: FastAPI) -> list[PeriodicJob]:
    c: Container = app.state.container
    older_than = timedelta(seconds=c.settings.payment_reconcile_after_s)

    async def reconcile() -> int:
        return await reconcile_pending_payments(
            c.db, c.broker, c.clock, c.payment_providers, older_than=older_than,
            terms=c.sale_terms,
        )  # fmt: skip

    return [("payments.reconcile", c.settings.payment_reconcile_interval_s, reconcile)]
