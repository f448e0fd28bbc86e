"""The PaymentProvider port. Dataclasses at the boundary; each provider is one adapter."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from livebazaar.kernel.money import Money


class ChargeOutcome(enum.StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PENDING = "pending"  # settles later; the provider calls our webhook


@dataclass(frozen=True)
class ChargeRequest:
    payment_id: str
    amount: Money
    card_number: str
    description: str


@dataclass(frozen=True)
class ChargeResult:
    outcome: ChargeOutcome
    provider_ref: str
    card_last4: str | None = None
    failure_reason: str | None = None
    # What the provider keeps of this charge, in minor units of its currency, as it reports
    # it (the ledger books it as the payment fee); None if it has not said (yet).
    fee_minor: int | None = None


@dataclass(frozen=True)
class WebhookNotice:
    """A verified provider event: payment `provider_ref` reached `outcome`; or, `disputed`,
    the buyer's bank took a succeeded charge back (a chargeback)."""

    event_id: str
    provider_ref: str
    outcome: ChargeOutcome
    failure_reason: str | None = None
    payment_id: str | None = None  # ours, when the provider echoes the charge's metadata
    fee_minor: int | None = None  # what the provider keeps of the charge, when it says
    disputed: bool = False


class PaymentProvider(Protocol):
    name: str

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        """Charge once per `request.payment_id`: a repeat gets the first result, no new charge."""
        ...

    async def lookup(self, payment_id: str) -> ChargeResult | None:
        """What the provider holds for the charge keyed by `payment_id`: its outcome now
        (PENDING while it has not settled), or None if no charge with that key reached it.
        Reconciliation asks this when neither the charge's answer nor a webhook came."""
        ...

    async def refund(
        self, provider_ref: str, amount: Money, *, refund_id: str | None = None
    ) -> None:
        """Give `amount` of the charge back; once per `refund_id` (our refund's id: asking
        again with it refunds nothing more). Raises if the provider refused or did not say."""
        ...

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
        """Parse a webhook, or raise InvalidWebhookSignature / InvalidWebhook."""
        ...
