"""Checkout refusals, each with a stable code."""

from livebazaar.kernel.errors import Conflict, Invalid, NotFound


class DropNotFound(NotFound):
    code = "drop_not_found"
    title = "No such drop"


class OrderNotFound(NotFound):
    code = "order_not_found"
    title = "No such order"


class ProductNotInLineup(Invalid):
    code = "product_not_in_lineup"
    title = "The product is not in this show's lineup"


class CurrencyMismatch(Invalid):
    code = "currency_mismatch"
    title = "The price must be in the shop's currency"


class DropAlreadyActive(Conflict):
    code = "drop_already_active"
    title = "This product already has an active drop in this show"


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    title = "The shelf does not hold that many units"


class TotalTooLarge(Invalid):
    code = "total_too_large"
    title = "The order's total is larger than we can take in one order"


class SoldOut(Conflict):
    code = "sold_out"
    title = "Not enough units remain"


class DropEnded(Conflict):
    code = "drop_ended"
    title = "The drop has ended"


class PerBuyerLimitExceeded(Invalid):
    code = "per_buyer_limit_exceeded"
    title = "That would take you past this drop's per-buyer limit"


class ReservationExpired(Conflict):
    code = "reservation_expired"
    title = "The reservation has expired"


class OrderAlreadyPaid(Conflict):
    code = "order_already_paid"
    title = "The order is already paid"


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    title = "The order was cancelled or refunded"


class PaymentPending(Conflict):
    code = "payment_pending"
    title = "A payment on this order is still pending"


class OrderNotCancellable(Conflict):
    code = "order_not_cancellable"
    title = "The order cannot be cancelled in its current state"


class OrderNotPaid(Conflict):
    code = "order_not_paid"
    title = "Only a paid order can be refunded"
