"""Checkout refusals, each with a stable code."""

from typing import ClassVar

from livebazaar.kernel.errors import Conflict, Invalid, NotFound, RateLimited
from livebazaar.kernel.text import N_


class DropNotFound(NotFound):
    code = "drop_not_found"
    title = N_("No such drop")


class OrderNotFound(NotFound):
    code = "order_not_found"
    title = N_("No such order")


class ProductNotInLineup(Invalid):
    code = "product_not_in_lineup"
    title = N_("The product is not in this show's lineup")


class CurrencyMismatch(Invalid):
    code = "currency_mismatch"
    title = N_("The price must be in the shop's currency")


class DropAlreadyActive(Conflict):
    code = "drop_already_active"
    title = N_("This product already has an active drop in this show")


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    title = N_("The shelf does not hold that many units")


class TotalTooLarge(Invalid):
    code = "total_too_large"
    title = N_("The order's total is larger than we can take in one order")


class NotForSale(Conflict):
    """What is priced at zero is never sold (a price is above zero: catalog refuses a zero list
    price and checkout a zero drop price; this guards rows made before that was checked)."""

    code = "not_for_sale"
    title = N_("This is not for sale: it has no price above zero")


class SoldOut(Conflict):
    code = "sold_out"
    title = N_("Not enough units remain")


class DropEnded(Conflict):
    code = "drop_ended"
    title = N_("The drop has ended")


class PerBuyerLimitExceeded(Invalid):
    """Carries `may_take`: how many more units the buyer may still take (the limit less what
    they hold), so the page can say so."""

    code = "per_buyer_limit_exceeded"
    title = N_("That would take you past this drop's per-buyer limit")
    of_what: ClassVar[str] = "this drop"

    def __init__(self, may_take: int) -> None:
        may_take = max(0, may_take)
        super().__init__(f"You may take {may_take} more of {self.of_what}.", may_take=may_take)
        self.may_take = may_take


class ShelfLimitExceeded(PerBuyerLimitExceeded):
    """The same refusal for a purchase from the shelf, past the shop's limit per buyer on one
    product (units held, or paid in the last 24 hours): the same code, so a client handles
    both alike, and `may_take`."""

    title = N_("That would take you past the shop's limit per buyer for this product")
    of_what = "this product"


class TooManyOpenHolds(RateLimited):
    """A buyer holding as many unpaid reservations as a deployment allows at once asks for
    another: 429, with Retry-After saying when the first of them ends (paying one frees a
    place at once)."""

    code = "too_many_open_holds"
    title = N_("You hold too many unpaid reservations: pay for one, or wait until one ends")

    def __init__(self, open_holds: int, retry_after_s: float) -> None:
        super().__init__(
            f"You hold {open_holds} unpaid reservations, as many as one buyer may.",
            retry_after_s=retry_after_s,
        )
        self.extra["open_holds"] = open_holds


class ReservationExpired(Conflict):
    code = "reservation_expired"
    title = N_("The reservation has expired")


class OrderAlreadyPaid(Conflict):
    code = "order_already_paid"
    title = N_("The order is already paid")


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    title = N_("The order was cancelled or refunded")


class PaymentPending(Conflict):
    code = "payment_pending"
    title = N_("A payment on this order is still pending")


class OrderNotCancellable(Conflict):
    code = "order_not_cancellable"
    title = N_("The order cannot be cancelled in its current state")


class OrderNotPaid(Conflict):
    code = "order_not_paid"
    title = N_("Only a paid order can be refunded")


class OrderNotShippable(Conflict):
    code = "order_not_shippable"
    title = N_("Only a paid order can be shipped")


class OrderAlreadyDelivered(Conflict):
    code = "order_already_delivered"
    title = N_("The order has been delivered already")


class OrderNotDeliverable(Conflict):
    code = "order_not_deliverable"
    title = N_("Only a paid order can be marked delivered")
