"""A flash drop driven by random sequences of claims, payments, expiries, cancels and its end.

Hypothesis explores the order of operations through the real actions on a real SQLite
database; after every step the stock invariants must hold:
- sold + reserved never exceeds the drop's quantity (no oversell, in the pool and the API);
- no buyer holds or bought more than the per-buyer limit;
- the pool's counters equal the sums over the orders by status, and each buyer's counter the
  sum over that buyer's live orders;
- the shelf and the drop pool together always hold the units the shelf started with.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor, AddressIn
from livebazaar.checkout import do_claim, do_end_drop, do_start_drop
from livebazaar.checkout import sweep_expired_holds as sweep
from livebazaar.checkout.models import Drop, DropBuyer, Order, OrderStatus
from livebazaar.checkout.queries import get_drop_counts
from livebazaar.checkout.schemas import DropIn
from livebazaar.inventory.models import StockPool
from livebazaar.kernel.money import MoneyIn
from livebazaar.payments import do_cancel_order, do_pay_order
from livebazaar.payments.schemas import PayIn
from livebazaar.payments.test_provider import CARD_APPROVE, CARD_DECLINE
from tests.checkout.stage import make_show
from tests.factories import make_product, make_shop
from tests.machines import AppMachine, machine_actor
from tests.support import SHIP_TO, Account

STOCK, QUANTITY, LIMIT, BUYERS, HOLD_S = 20, 8, 3, 3, 60
LIVE = (OrderStatus.RESERVED, OrderStatus.PAID, OrderStatus.REFUNDED)


class DropMachine(AppMachine):
    orders = Bundle("orders")

    async def _set_stage(self) -> None:
        ids = await self._add_users(BUYERS + 1)
        owner = Account(ids[0], "u0@example.org", "-")
        self.owner, self.buyers = machine_actor(ids[0]), [machine_actor(i) for i in ids[1:]]
        shop_id = await make_shop(self.c, owner)
        product = await make_product(self.c, shop_id, stock=STOCK)
        self.shelf_id = product.shelf_pool_id
        show_id = await make_show(self.c, shop_id, owner, [product.id])
        data = DropIn(
            product_id=product.id, quantity=QUANTITY, per_buyer_limit=LIMIT,
            price=MoneyIn(amount_minor=500, currency="CNY"), duration_s=3600, hold_s=HOLD_S,
        )  # fmt: skip
        drop = await do_start_drop(
            self.c.db, self.c.broker, self.clock, self.owner, show_id, data, default_hold_s=HOLD_S
        )
        self.drop_id = drop.id

    @rule(target=orders, buyer=st.integers(0, BUYERS - 1), quantity=st.integers(1, LIMIT + 1))
    def claim(self, buyer: int, quantity: int) -> str:
        out = self.run(
            self._attempt(
                do_claim(self.c.hotstock, self.clock, self.limiter, self.buyers[buyer],
                         self.drop_id, quantity),
                "sold_out", "per_buyer_limit_exceeded", "drop_ended",
            )
        )  # fmt: skip
        return out.order_id if out else "none"

    @rule(order_id=orders, approve=st.booleans())
    def pay(self, order_id: str, approve: bool) -> None:
        buyer = self.run(self._buyer_of(order_id))
        if buyer is None:
            return
        card = CARD_APPROVE if approve else CARD_DECLINE
        paying = PayIn(card_number=card, ship_to=AddressIn.model_validate(SHIP_TO))
        self.run(
            self._attempt(
                do_pay_order(self.c.db, self.c.broker, self.clock, self.c.payment_providers,
                             buyer, order_id, paying),
                "payment_declined", "reservation_expired", "order_already_paid",
                "order_not_payable",
            )
        )  # fmt: skip

    @rule(order_id=orders, by_owner=st.booleans())
    def cancel(self, order_id: str, by_owner: bool) -> None:
        buyer = self.run(self._buyer_of(order_id))
        if buyer is None:
            return
        self.run(
            self._attempt(
                do_cancel_order(self.c.db, self.c.broker, self.clock, self.c.payment_providers,
                                self.owner if by_owner else buyer, order_id),
                "order_not_cancellable",
            )
        )  # fmt: skip

    @rule(seconds=st.integers(1, 2 * HOLD_S))
    def expire(self, seconds: int) -> None:
        self.clock.advance(seconds)
        self.run(sweep(self.c.db, self.c.broker, self.clock))

    @rule()
    def end(self) -> None:
        self.run(
            self._attempt(
                do_end_drop(self.c.db, self.c.broker, self.clock, self.owner, self.drop_id),
                "drop_ended",
            )
        )

    async def _buyer_of(self, order_id: str) -> Actor | None:
        async with self.c.db.read() as session:
            buyer_id = await session.scalar(select(Order.buyer_id).where(Order.id == order_id))
        return machine_actor(buyer_id) if buyer_id else None

    @invariant()
    def stock_is_never_oversold_and_always_accounted_for(self) -> None:
        self.run(self._check())

    async def _check(self) -> None:
        async with self.c.db.read() as s:
            drop = await s.get(Drop, self.drop_id)
            assert drop is not None
            pool = await s.get(StockPool, drop.pool_id)
            shelf = await s.get(StockPool, self.shelf_id)
            assert pool is not None
            assert shelf is not None
            assert pool.reserved + pool.sold <= min(pool.quantity, QUANTITY)
            assert pool.quantity + shelf.quantity == STOCK
            assert (shelf.reserved, shelf.sold) == (0, 0)
            units = await _sums(s, Order.status, Order.drop_id == drop.id)
            assert pool.reserved == units.get(OrderStatus.RESERVED, 0)
            assert pool.sold == units.get(OrderStatus.PAID, 0) + units.get(OrderStatus.REFUNDED, 0)
            held = await _sums(s, Order.buyer_id, Order.drop_id == drop.id, Order.status.in_(LIVE))
            counted = await s.execute(
                select(DropBuyer.buyer_id, DropBuyer.units).where(DropBuyer.drop_id == drop.id)
            )
            assert {b: n for b, n in counted.all() if n} == held
            assert all(n <= LIMIT for n in held.values())
            shown = await get_drop_counts(s, self.clock, drop)
            assert shown.reserved >= 0
            assert shown.remaining >= 0
            assert shown.sold + shown.reserved <= QUANTITY


async def _sums(s: AsyncSession, key: Any, *where: Any) -> dict[Any, int]:
    """Units of the drop's orders, summed by `key`."""
    rows = await s.execute(select(key, func.sum(Order.quantity)).where(*where).group_by(key))
    return {k: int(n) for k, n in rows.all()}


def test_drop_state_machine() -> None:
    run_state_machine_as_test(
        DropMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
