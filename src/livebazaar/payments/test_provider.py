"""The built-in test payment provider: no money moves, but every path a real one has is here.

Cards (any expiry and CVC):
- 4242 4242 4242 4242 approves at once;
- 4000 0000 0000 0002 is declined;
- 4000 0000 0000 3220 is pending, then settles (approved) by a signed webhook;
- 4000 0000 0000 3238 is pending, then fails by a signed webhook;
- 4000 0000 0000 0259 approves at once, then its buyer disputes it: a signed
  `charge.disputed` webhook a moment later (the settle delay), a chargeback.

Webhooks are signed like the big providers do: header `Livebazaar-Signature: t=<unix>,v1=<hex>`
where v1 = HMAC-SHA256(secret, f"{t}.{body}"); older than five minutes is refused (replay).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import replace

from livebazaar.kernel.money import MAX_AMOUNT_MINOR, Money
from livebazaar.payments.errors import InvalidWebhook, InvalidWebhookSignature
from livebazaar.payments.port import ChargeOutcome, ChargeRequest, ChargeResult, WebhookNotice

log = logging.getLogger(__name__)

CARD_APPROVE = "4242424242424242"
CARD_DECLINE = "4000000000000002"
CARD_SETTLE_LATER = "4000000000003220"
CARD_SETTLE_LATER_FAIL = "4000000000003238"
CARD_DISPUTE = "4000000000000259"
DISPUTED = "charge.disputed"
SIGNATURE_HEADER = "livebazaar-signature"
TOLERANCE_S = 300

# Delivers (body, headers) to the app's webhook endpoint; bootstrap or a test wires it.
WebhookSender = Callable[[bytes, dict[str, str]], Awaitable[None]]


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


class TestPaymentProvider:
    __test__ = False  # not a pytest class
    name = "test"

    def __init__(
        self, webhook_secret: str | None, settle_delay_s: float = 2.0, *, fee_bps: int = 290,
        fee_fixed_minor: int = 30,
    ) -> None:  # fmt: skip
        self._secret = webhook_secret  # None until the deployment's is given (use_secret)
        self._settle_delay_s = settle_delay_s
        self.fee_bps, self.fee_fixed_minor = fee_bps, fee_fixed_minor
        self.sender: WebhookSender | None = None
        self._charges: dict[str, ChargeResult] = {}  # by our payment id
        self._payment_ids: dict[str, str] = {}  # our payment id by provider reference
        self._fees: dict[str, int] = {}  # the fee of each charge, by provider reference
        self.refunds: dict[str, tuple[str, Money]] = {}  # by our refund id: (charge, amount)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def has_secret(self) -> bool:
        return self._secret is not None

    @property
    def webhook_secret(self) -> str:
        if self._secret is None:
            raise RuntimeError("the test provider has no webhook secret yet (Container.start)")
        return self._secret

    def use_secret(self, secret: str) -> None:
        self._secret = secret

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        """Once per payment id, like a real provider's idempotency key: a repeat is answered
        with the first result and charges nothing."""
        first = self._charges.get(request.payment_id)
        if first is None:
            first = self._charges[request.payment_id] = self._decide(request)
        return first

    async def lookup(self, payment_id: str) -> ChargeResult | None:
        """The charge made under this payment id, settled or not; None if none was made here
        (this provider keeps its charges in the process's memory: a restarted node's test
        provider knows none of the charges before it, and no money moved for any)."""
        return self._charges.get(payment_id)

    def fee(self, amount: Money) -> int:
        """What this provider keeps of a charge: fee_bps of it, rounded half up, plus the
        fixed part (2.9 % + 30 minor units by default)."""
        return (amount.amount_minor * self.fee_bps + 5_000) // 10_000 + self.fee_fixed_minor

    def _decide(self, request: ChargeRequest) -> ChargeResult:
        card = "".join(ch for ch in request.card_number if ch.isdigit())
        ref = f"test_{secrets.token_hex(12)}"
        self._payment_ids[ref] = request.payment_id
        self._fees[ref] = fee = self.fee(request.amount)
        last4 = card[-4:] if len(card) >= 4 else None
        if card in (CARD_APPROVE, CARD_DISPUTE):
            if card == CARD_DISPUTE:
                self._schedule(self._dispute(ref))
            return ChargeResult(ChargeOutcome.SUCCEEDED, ref, last4, fee_minor=fee)
        if card in (CARD_SETTLE_LATER, CARD_SETTLE_LATER_FAIL):
            outcome = ChargeOutcome.SUCCEEDED if card == CARD_SETTLE_LATER else ChargeOutcome.FAILED
            self._schedule_settlement(ref, outcome)
            return ChargeResult(ChargeOutcome.PENDING, ref, last4)
        reason = "card_declined" if card == CARD_DECLINE else "unknown_test_card"
        return ChargeResult(ChargeOutcome.FAILED, ref, last4, failure_reason=reason)

    async def refund(
        self, provider_ref: str, amount: Money, *, refund_id: str | None = None
    ) -> None:
        if refund_id is not None and refund_id in self.refunds:
            return  # asked again: refunded once
        self.refunds[refund_id or f"unkeyed_{len(self.refunds)}"] = (provider_ref, amount)
        log.info("test provider refunds %s of %s", amount.format(), provider_ref)

    def settlement_webhook(
        self, provider_ref: str, outcome: ChargeOutcome, timestamp: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The exact webhook this provider sends when a pending payment settles."""
        body = json.dumps(
            {
                "id": f"evt_{secrets.token_hex(12)}",
                "type": f"payment.{outcome.value}",
                "payment": provider_ref,
                "metadata": {"payment_id": self._payment_ids.get(provider_ref)},
                "failure_reason": None if outcome is ChargeOutcome.SUCCEEDED else "card_declined",
                "fee_minor": self._fees.get(provider_ref)
                if outcome is ChargeOutcome.SUCCEEDED
                else None,
            }
        ).encode()
        return body, {SIGNATURE_HEADER: sign(self.webhook_secret, body, timestamp)}

    def dispute_webhook(
        self, provider_ref: str, timestamp: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The exact webhook this provider sends when the buyer disputes a charge."""
        body = json.dumps(
            {
                "id": f"evt_{secrets.token_hex(12)}",
                "type": DISPUTED,
                "payment": provider_ref,
                "metadata": {"payment_id": self._payment_ids.get(provider_ref)},
                "fee_minor": self._fees.get(provider_ref),
            }
        ).encode()
        return body, {SIGNATURE_HEADER: sign(self.webhook_secret, body, timestamp)}

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
        header = headers.get(SIGNATURE_HEADER, "")
        parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
        try:
            if len(parts["t"]) > 12:
                raise ValueError("not a unix time")
            t = int(parts["t"])
            given = parts["v1"]
        except (KeyError, ValueError) as exc:
            raise InvalidWebhookSignature("Missing or malformed Livebazaar-Signature") from exc
        if abs(time.time() - t) > TOLERANCE_S:
            raise InvalidWebhookSignature("The webhook timestamp is too old")
        expected = sign(self.webhook_secret, body, t).split("v1=", 1)[1]
        if not hmac.compare_digest(expected, given):
            raise InvalidWebhookSignature()
        try:
            data = json.loads(body)
            kind = data["type"]
            succeeded = kind in ("payment.succeeded", DISPUTED)
            outcome = ChargeOutcome.SUCCEEDED if succeeded else ChargeOutcome.FAILED
            if kind not in ("payment.succeeded", "payment.failed", DISPUTED):
                raise InvalidWebhook(f"Unknown event type {kind!r}")
            reason = data.get("failure_reason")
            return WebhookNotice(
                event_id=_field(data["id"], 120),
                provider_ref=_field(data["payment"], 120),
                outcome=outcome,
                failure_reason=None if reason is None else _field(reason, 200),
                payment_id=_echoed_payment_id(data),
                fee_minor=_fee(data.get("fee_minor")),
                disputed=kind == DISPUTED,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidWebhook() from exc

    def _schedule_settlement(self, provider_ref: str, outcome: ChargeOutcome) -> None:
        self._schedule(self._settle(provider_ref, outcome))

    def _schedule(self, work: Coroutine[None, None, None]) -> None:
        if self.sender is None:
            work.close()
            log.warning("test provider has no webhook sender; its webhook is not sent")
            return
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _dispute(self, provider_ref: str) -> None:
        await asyncio.sleep(self._settle_delay_s)
        body, headers = self.dispute_webhook(provider_ref)
        assert self.sender is not None
        try:
            await self.sender(body, headers)
        except Exception:
            log.exception("test provider could not deliver the dispute of %s", provider_ref)

    async def _settle(self, provider_ref: str, outcome: ChargeOutcome) -> None:
        await asyncio.sleep(self._settle_delay_s)
        payment_id = self._payment_ids[provider_ref]
        pending = self._charges[payment_id]
        reason = None if outcome is ChargeOutcome.SUCCEEDED else "card_declined"
        fee = self._fees.get(provider_ref) if outcome is ChargeOutcome.SUCCEEDED else None
        self._charges[payment_id] = replace(
            pending, outcome=outcome, failure_reason=reason, fee_minor=fee
        )
        body, headers = self.settlement_webhook(provider_ref, outcome)
        assert self.sender is not None
        try:
            await self.sender(body, headers)
        except Exception:
            log.exception("test provider could not deliver the webhook for %s", provider_ref)

    async def settled(self) -> None:
        """Wait for the settlements under way (and their webhooks) to finish."""
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()


def _echoed_payment_id(data: dict[str, object]) -> str | None:
    metadata = data.get("metadata")
    value = metadata.get("payment_id") if isinstance(metadata, dict) else None
    return None if value is None else _field(value, 36)


def _fee(value: object) -> int | None:
    """A fee as the webhook gives it: a whole number of minor units, or none."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_AMOUNT_MINOR:
        raise ValueError("not a fee in minor units")
    return value


def _field(value: object, max_length: int) -> str:
    """A string the tables can hold (columns have lengths; PostgreSQL text takes no NUL),
    or ValueError: even a signed webhook is input."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError("not a string")
    text = str(value)
    if not text or len(text) > max_length or "\x00" in text:
        raise ValueError("empty, too long, or holding a NUL")
    return text
