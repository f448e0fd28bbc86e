"""The test provider behind networks that fail in the ways real ones do."""

from __future__ import annotations

from livebazaar.bootstrap import Container
from livebazaar.payments import ChargeRequest, ChargeResult, TestPaymentProvider


class LostAnswerProvider(TestPaymentProvider):
    """Charges, then the answer never comes back (a timeout after the money moved, or the node
    killed before it recorded it); the provider itself still knows the charge."""

    def __init__(self, inner: TestPaymentProvider) -> None:
        super().__init__(webhook_secret="unused")
        self.inner = inner
        self.calls = 0

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        self.calls += 1
        await self.inner.charge(request)
        raise TimeoutError("the provider's answer was lost")

    async def lookup(self, payment_id: str) -> ChargeResult | None:
        return await self.inner.lookup(payment_id)


def builtin_provider(c: Container) -> TestPaymentProvider:
    found = c.payment_providers["test"]
    assert isinstance(found, TestPaymentProvider)
    return found
