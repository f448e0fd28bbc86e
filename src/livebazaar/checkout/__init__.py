"""Checkout: flash drops, claims (holds with an expiry), orders, the expiry sweeper."""

from livebazaar.checkout.actions import (
    do_claim,
    do_end_drop,
    do_end_show_drops,
    do_purchase,
    do_start_drop,
)
from livebazaar.checkout.errors import (
    OrderAlreadyPaid,
    OrderNotCancellable,
    OrderNotFound,
    OrderNotPaid,
    OrderNotPayable,
    PaymentPending,
    ReservationExpired,
)
from livebazaar.checkout.hold_queue import HoldQueue
from livebazaar.checkout.holds import (
    DROPS_CLOSED,
    HOLDS_CLOSED,
    add_refunded,
    cancel_paid_order,
    emit_drop_counts,
    lock_order,
    mark_order_paid,
    refund_paid_order,
    release_order,
)
from livebazaar.checkout.hotstock import ClosedHold, HotStock
from livebazaar.checkout.hotstock_redis import RedisHotStock
from livebazaar.checkout.models import Drop, DropStatus, Order, OrderStatus
from livebazaar.checkout.queries import (
    ORDER_VIEWER_ROLES,
    ShowSales,
    get_drop,
    get_drop_out,
    get_show_sales,
    get_visible_order,
    list_buyer_orders,
    list_shop_orders,
    list_show_drops,
    name_variants,
    order_is_due,
    order_out,
)
from livebazaar.checkout.schemas import DropOut, OrderOut
from livebazaar.checkout.tasks import end_due_drops, sweep_expired_holds

__all__ = [
    "DROPS_CLOSED",
    "HOLDS_CLOSED",
    "ORDER_VIEWER_ROLES",
    "ClosedHold",
    "Drop",
    "DropOut",
    "DropStatus",
    "HoldQueue",
    "HotStock",
    "Order",
    "OrderAlreadyPaid",
    "OrderNotCancellable",
    "OrderNotFound",
    "OrderNotPaid",
    "OrderNotPayable",
    "OrderOut",
    "OrderStatus",
    "PaymentPending",
    "RedisHotStock",
    "ReservationExpired",
    "ShowSales",
    "add_refunded",
    "cancel_paid_order",
    "do_claim",
    "do_end_drop",
    "do_end_show_drops",
    "do_purchase",
    "do_start_drop",
    "emit_drop_counts",
    "end_due_drops",
    "get_drop",
    "get_drop_out",
    "get_show_sales",
    "get_visible_order",
    "list_buyer_orders",
    "list_shop_orders",
    "list_show_drops",
    "lock_order",
    "mark_order_paid",
    "name_variants",
    "order_is_due",
    "order_out",
    "refund_paid_order",
    "release_order",
    "sweep_expired_holds",
]
