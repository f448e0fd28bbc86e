"""Payments: the PaymentProvider port, the built-in test provider, payment records, webhooks."""

from livebazaar.payments.actions import do_pay_order, reconcile_pending_payments
from livebazaar.payments.models import Payment, PaymentStatus, Refund, RefundStatus, WebhookEvent
from livebazaar.payments.port import (
    ChargeOutcome,
    ChargeRequest,
    ChargeResult,
    PaymentProvider,
    WebhookNotice,
)
from livebazaar.payments.queries import get_latest_payment
from livebazaar.payments.refunds import do_cancel_order, do_refund_order
from livebazaar.payments.test_provider import TestPaymentProvider
from livebazaar.payments.webhooks import do_handle_webhook

__all__ = [
    "ChargeOutcome",
    "ChargeRequest",
    "ChargeResult",
    "Payment",
    "PaymentProvider",
    "PaymentStatus",
    "Refund",
    "RefundStatus",
    "TestPaymentProvider",
    "WebhookEvent",
    "WebhookNotice",
    "do_cancel_order",
    "do_handle_webhook",
    "do_pay_order",
    "do_refund_order",
    "get_latest_payment",
    "reconcile_pending_payments",
]
