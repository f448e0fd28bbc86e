from livebazaar.kernel.errors import Conflict, DomainError, Invalid, NotFound, Unavailable
from livebazaar.kernel.text import N_


class InvalidWebhookSignature(DomainError):
    code = "invalid_webhook_signature"
    status = 400
    title = N_("The webhook signature does not verify")


class InvalidWebhook(DomainError):
    code = "invalid_webhook"
    status = 400
    title = N_("The webhook body is not understood")


class UnknownProvider(Invalid):
    code = "unknown_payment_provider"
    title = N_("No such payment provider")


class PaymentDeclined(DomainError):
    code = "payment_declined"
    status = 402
    title = N_("The payment was declined")


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    title = N_("No payment has this provider reference")


class AddressRequired(Invalid):
    code = "address_required"
    title = N_("Choose where the order goes before paying")


class WebhookPaymentMismatch(Conflict):
    code = "webhook_payment_mismatch"
    title = N_("The webhook names a payment that its provider reference does not")


class NoPaymentProvider(Unavailable):
    """No provider is on (the test provider is off outside test mode, and no other exists)."""

    code = "no_payment_provider"
    title = N_("This site takes no payments yet: no payment provider is set up")


class RefundTooLarge(Invalid):
    code = "refund_too_large"
    title = N_("Refunds may not add up to more than was paid")


class RefundPending(Conflict):
    code = "refund_pending"
    title = N_("Another refund of this order is still under way; try again")


class RefundNotConfirmed(Unavailable):
    code = "refund_not_confirmed"
    title = N_("The payment provider did not confirm the refund; ask for it again")
