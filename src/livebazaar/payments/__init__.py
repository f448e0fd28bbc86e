"""Payments: the PaymentProvider port, the built-in test provider, payment records, webhooks."""

from livebazaar.payments.port import (
    ChargeOutcome,
    ChargeRequest,
    ChargeResult,
    PaymentProvider,
    WebhookNotice,
)
from livebazaar.payments.test_provider import TestPaymentProvider

__all__ = [
    "ChargeOutcome",
    "ChargeRequest",
    "ChargeResult",
    "PaymentProvider",
    "TestPaymentProvider",
    "WebhookNotice",
]
