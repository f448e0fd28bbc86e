from livebazaar.kernel.errors import DomainError, Invalid, NotFound


class InvalidWebhookSignature(DomainError):
    code = "invalid_webhook_signature"
    status = 400
    title = "The webhook signature does not verify"


class InvalidWebhook(DomainError):
    code = "invalid_webhook"
    status = 400
    title = "The webhook body is not understood"


class UnknownProvider(Invalid):
    code = "unknown_payment_provider"
    title = "No such payment provider"


class PaymentDeclined(DomainError):
    code = "payment_declined"
    status = 402
    title = "The payment was declined"


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    title = "No payment has this provider reference"
