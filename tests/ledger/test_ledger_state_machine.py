"""The ledger driven by random sequences of payments, partial and whole refunds, chargebacks,
releases and retried entries, through the real actions on a real database (SQLite, or
PostgreSQL when the suite runs there). After every step:
- every entry's postings sum to zero per currency;
- replaying the journal, posting by posting, gives the balances the ledger reports, and every
  shop's books sum to zero;
- each paid order's settlement is what its buyer paid less what went back, and never more
  went back than was paid;
- no party's balance is negative (nothing is paid out here, so even a chargeback takes back
  only money still held);
- the parties' shares add up to what was paid less what went back.
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

from livebazaar.accounts import AddressIn
from livebazaar.catalog.models import MAX_SHELF_LIMIT, Shop
from livebazaar.checkout import do_purchase
from livebazaar.checkout.models import Order
from livebazaar.checkout.schemas import PurchaseIn
from livebazaar.ledger import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerPosting,
    ShowCommission,
    get_settlement,
    get_trial_balance,
    record_sale,
    release_due_orders,
)
from livebazaar.live.models import HostRole, ShowHost
from livebazaar.payments import do_handle_webhook, do_pay_order, do_refund_order
from livebazaar.payments.models import Payment
from livebazaar.payments.schemas import PayIn
from livebazaar.payments.test_provider import CARD_APPROVE, TestPaymentProvider
from tests.checkout.stage import make_show
from tests.factories import make_product, make_shop
from tests.machines import AppMachine, machine_actor
from tests.support import SHIP_TO, Account

BUYERS, PRICE, HOLD_S = 3, 1001, 600  # an odd price in RWF (no minor unit): rounding everywhere


class LedgerMachine(AppMachine):
    paid = Bundle("paid")

    database = "ledger"

    async def _set_stage(self) -> None:
        ids = await self._add_users(BUYERS + 2)
        owner = Account(ids[0], "u0@example.org", "-")
        self.owner, self.buyers = machine_actor(ids[0]), [machine_actor(i) for i in ids[2:]]
        self.shop_id = await make_shop(self.c, owner, currency="RWF", country="RW")
        product = await make_product(
            self.c, self.shop_id, currency="RWF", price_minor=PRICE, stock=10_000, producers=3
        )
        self.product_id = product.id
        self.show_id = await make_show(self.c, self.shop_id, owner, [product.id])
        async with self.c.db.uow() as uow:  # a co-host earning 7 % of the show's sales
            now = self.clock.now()
            shop = await uow.session.get_one(Shop, self.shop_id)
            shop.shelf_per_buyer_limit = MAX_SHELF_LIMIT  # buyers here buy again and again
            uow.session.add(ShowHost(show_id=self.show_id, user_id=ids[1], role=HostRole.COHOST,
                                     created_at=now))  # fmt: skip
            uow.session.add(ShowCommission(show_id=self.show_id, user_id=ids[1], bps=700,
                                           set_by=ids[0], created_at=now))  # fmt: skip
            await uow.commit()

    @rule(target=paid, buyer=st.integers(0, BUYERS - 1), quantity=st.integers(1, 3))
    def pay(self, buyer: int, quantity: int) -> str:
        actor = self.buyers[buyer]
        held = self.run(
            do_purchase(self.c.holds, self.c.db, self.clock, self.limiter, actor, self.show_id,
                        PurchaseIn(product_id=self.product_id, quantity=quantity), hold_s=HOLD_S,
                        max_open_holds=self.c.settings.max_open_holds_per_buyer)
        )  # fmt: skip
        paying = PayIn(card_number=CARD_APPROVE, ship_to=AddressIn.model_validate(SHIP_TO))
        out = self.run(
            do_pay_order(self.c.db, self.c.broker, self.clock, self.c.payment_providers, actor,
                         held.order_id, paying, terms=self.c.sale_terms)
        )  # fmt: skip
        assert out.status.value == "paid"
        return held.order_id

    @rule(order_id=paid, part=st.integers(1, 3 * PRICE))
    def refund_part(self, order_id: str, part: int) -> None:
        self.run(
            self._attempt(
                do_refund_order(self.c.db, self.c.broker, self.clock, self.c.payment_providers,
                                self.owner, order_id, part),
                "refund_too_large", "order_not_paid",
            )
        )  # fmt: skip

    @rule(order_id=paid)
    def refund_the_rest(self, order_id: str) -> None:
        self.run(
            self._attempt(
                do_refund_order(self.c.db, self.c.broker, self.clock, self.c.payment_providers,
                                self.owner, order_id),
                "order_not_paid",
            )
        )  # fmt: skip

    @rule(order_id=paid)
    def charge_back(self, order_id: str) -> None:
        provider = self.c.payment_providers["test"]
        assert isinstance(provider, TestPaymentProvider)
        body, headers = provider.dispute_webhook(self.run(self._payment(order_id)).provider_ref)
        self.run(
            do_handle_webhook(self.c.db, self.c.broker, self.clock, provider, body, headers,
                              terms=self.c.sale_terms)
        )  # fmt: skip

    @rule(seconds=st.integers(1, 2 * HOLD_S))
    def release(self, seconds: int) -> None:
        self.clock.advance(seconds)
        self.run(
            release_due_orders(self.c.db, self.clock, hold_s=HOLD_S, undelivered_hold_s=HOLD_S)
        )

    @rule(order_id=paid)
    def retry_the_sale_entry(self, order_id: str) -> None:
        self.run(self._retry_sale(order_id))

    async def _retry_sale(self, order_id: str) -> None:
        payment = await self._payment(order_id)
        async with self.c.db.uow() as uow:
            order = await uow.session.get(Order, order_id)
            assert order is not None
            posted = await record_sale(
                uow.session, order, provider_fee_minor=payment.fee_minor or 0,
                terms=self.c.sale_terms, now=self.clock.now(),
            )  # fmt: skip
            await uow.commit()
        assert not posted.created

    async def _payment(self, order_id: str) -> Payment:
        async with self.c.db.read() as session:
            payment = await session.scalar(select(Payment).where(Payment.order_id == order_id))
        assert payment is not None
        return payment

    @invariant()
    def the_books_balance_and_replay(self) -> None:
        self.run(self._check())

    async def _check(self) -> None:
        async with self.c.db.read() as s:
            unbalanced = await s.execute(
                select(LedgerPosting.entry_id, LedgerPosting.currency)
                .group_by(LedgerPosting.entry_id, LedgerPosting.currency)
                .having(func.sum(LedgerPosting.amount_minor) != 0)
            )
            assert unbalanced.all() == []
            replayed: dict[str, int] = {}
            rows = await s.execute(
                select(LedgerPosting.account_id, LedgerPosting.amount_minor)
                .join(LedgerEntry, LedgerEntry.id == LedgerPosting.entry_id)
                .order_by(LedgerEntry.created_at, LedgerEntry.id)
            )
            for account_id, amount in rows:
                replayed[account_id] = replayed.get(account_id, 0) + amount
            trial = await get_trial_balance(s, self.shop_id)
            reported = {a.id: a.balance_minor for cur in trial.currencies for a in cur.accounts}
            assert reported == replayed
            assert all(cur.total_minor == 0 for cur in trial.currencies)
            accounts = await s.execute(select(LedgerAccount.id, LedgerAccount.kind))
            kinds: dict[str, AccountKind] = {a: k for a, k in accounts.all()}  # noqa: C416
            assert all(
                n >= 0 for a, n in replayed.items()
                if kinds[a] not in (AccountKind.PROVIDER_CLEARING, AccountKind.REFUNDS)
            )  # fmt: skip
            parties = [
                n for a, n in replayed.items() if kinds[a] is not AccountKind.PROVIDER_CLEARING
            ]
            await self._check_orders(s, sum(parties))

    async def _check_orders(self, s: Any, held_for_parties: int) -> None:
        orders = (await s.scalars(select(Order).where(Order.paid_at.is_not(None)))).all()
        kept = 0
        for order in orders:
            assert 0 <= order.refunded_minor <= order.total_minor
            settlement = await get_settlement(s, order.id, order.currency, lines=True)
            assert settlement.paid_minor == order.total_minor
            assert settlement.refunded_minor == order.refunded_minor
            assert settlement.net_minor == order.total_minor - order.refunded_minor
            assert sum(line.amount_minor for line in settlement.lines) == settlement.net_minor
            kept += settlement.net_minor
        assert held_for_parties == kept


def test_ledger_state_machine() -> None:
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=8,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
