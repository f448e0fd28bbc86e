"""A producer's statement: coffee sold for three farmers, honey for one, a partial refund, a
payout; its figures against the ledger's own sums, the uplift against the farm-gate price, the
CSV and the PDF; and what it refuses."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pytest
from sqlalchemy import func, select

from livebazaar import ledger
from livebazaar.accounts import Role
from livebazaar.bootstrap import Container
from livebazaar.catalog.models import Producer, Product, RevenueShare
from livebazaar.checkout.models import Order
from livebazaar.kernel.clock import ManualClock
from livebazaar.ledger.models import AccountKind, Bucket, EntryKind, OwnerType
from livebazaar.live.models import LineupItem
from livebazaar.payouts.models import (
    BatchStatus,
    PartyType,
    Payout,
    PayoutBatch,
    PayoutStatus,
)
from livebazaar.settings import Settings
from tests.checkout.stage import make_show
from tests.conftest import make_settings
from tests.factories import grant, make_product, make_shop
from tests.payments.test_pay import pay
from tests.support import Account, Api, assert_problem

DAY = timedelta(days=1)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # 5 % to the provider, 15 % to the platform: a 40.00 bag leaves 32.00 to its producers
    return make_settings(
        tmp_path, test_payments_fee_bps=500, test_payments_fee_fixed_minor=0,
        platform_fee_bps=1500,
    )  # fmt: skip


class Coop:
    """A USD coffee cooperative: coffee (40.00 a bag, farm-gate 12.00) shared 50/30/20 by
    three farmers; honey (20.00 a jar, no farm-gate price) all the first farmer's."""

    def __init__(self, api: Api, owner: Account, shop_id: str, show_id: str,
                 coffee: str, honey: str, farmers: list[str]) -> None:  # fmt: skip
        self.api, self.owner, self.shop_id, self.show_id = api, owner, shop_id, show_id
        self.coffee, self.honey, self.farmers = coffee, honey, farmers

    async def buy(self, product_id: str, quantity: int) -> str:
        buyer = await self.api.account("Buyer")
        r = await self.api.client.post(
            f"/api/v1/shows/{self.show_id}/purchases",
            json={"product_id": product_id, "quantity": quantity}, headers=buyer.headers,
        )  # fmt: skip
        assert r.status_code == 201, r.text
        order_id: str = r.json()["order_id"]
        assert (await pay(self.api.client, buyer, order_id)).status_code == 200
        return order_id


async def _coop(api: Api) -> Coop:
    c = api.container
    owner = await api.account("Owner")
    shop_id = await make_shop(c, owner, name="Rwanda Coffee Coop", country="RW", currency="USD")
    coffee = await make_product(c, shop_id, title="Coffee", price_minor=4000, currency="USD",
                                producers=0)  # fmt: skip
    honey = await make_product(c, shop_id, title="Honey", price_minor=2000, currency="USD",
                               producers=0)  # fmt: skip
    async with c.db.uow() as uow:
        s = uow.session
        farmers = [Producer(shop_id=shop_id, name=f"Farmer {i}", created_at=c.clock.now())
                   for i in (1, 2, 3)]  # fmt: skip
        s.add_all(farmers)
        await s.flush()
        for farmer, bps in zip(farmers, (5000, 3000, 2000), strict=True):
            s.add(RevenueShare(product_id=coffee.id, producer_id=farmer.id, bps=bps))
        s.add(RevenueShare(product_id=honey.id, producer_id=farmers[0].id, bps=10_000))
        product = await s.get(Product, coffee.id)
        assert product is not None
        product.reference_price_minor, product.reference_unit = 1200, "bag"
        await uow.commit()
    show_id = await make_show(c, shop_id, owner, [coffee.id])
    async with c.db.uow() as uow:
        uow.session.add(LineupItem(show_id=show_id, product_id=honey.id, position=1))
        await uow.commit()
    return Coop(api, owner, shop_id, show_id, coffee.id, honey.id, [f.id for f in farmers])


async def _pay_out(c: Container, coop: Coop, order_id: str, amount: int, reference: str) -> None:
    """What the payouts feature does for the farmer once wired: release the order, a payout
    sent (available -> in transit) and marked paid (in transit -> paid out)."""
    now = c.clock.now()
    farmer = coop.farmers[0]
    payable = ledger.AccountRef(coop.shop_id, OwnerType.PRODUCER, farmer,
                                AccountKind.PRODUCER_PAYABLE, Bucket.AVAILABLE, "USD")  # fmt: skip
    async with c.db.uow() as uow:
        s = uow.session
        order = await s.get(Order, order_id)
        assert order is not None
        await ledger.release_order_funds(s, order, now)
        batch = PayoutBatch(shop_id=coop.shop_id, currency="USD", provider="manual",
                            status=BatchStatus.CLOSED, created_at=now)  # fmt: skip
        s.add(batch)
        await s.flush()
        payout = Payout(batch_id=batch.id, shop_id=coop.shop_id, party_type=PartyType.PRODUCER,
                        party_id=farmer, amount_minor=amount, currency="USD", method={},
                        status=PayoutStatus.PAID, reference=reference, created_at=now)  # fmt: skip
        s.add(payout)
        await s.flush()
        transit = payable.moved(Bucket.IN_TRANSIT)
        for event, kind, legs in [
            ("sent", EntryKind.PAYOUT, [ledger.Leg(payable, -amount), ledger.Leg(transit, amount)]),
            ("paid", EntryKind.PAYOUT_SETTLED,
             [ledger.Leg(transit, -amount), ledger.Leg(transit.moved(Bucket.PAID_OUT), amount)]),
        ]:  # fmt: skip
            await ledger.post_entry(s, f"payout:{payout.id}:{event}", kind, legs,
                                    shop_id=coop.shop_id, now=now)  # fmt: skip
        await uow.commit()


async def _ledger_movement(c: Container, producer_id: str, start: Any, end: Any) -> int:
    """The ledger's own sum of the producer's postings outside paid_out in [start, end)."""
    L = ledger  # noqa: N806
    async with c.db.read() as session:
        total = await session.scalar(
            select(func.coalesce(func.sum(L.LedgerPosting.amount_minor), 0))
            .join(L.LedgerAccount, L.LedgerAccount.id == L.LedgerPosting.account_id)
            .join(L.LedgerEntry, L.LedgerEntry.id == L.LedgerPosting.entry_id)
            .where(L.LedgerAccount.owner_id == producer_id,
                   L.LedgerAccount.kind == AccountKind.PRODUCER_PAYABLE,
                   L.LedgerAccount.bucket != Bucket.PAID_OUT,
                   L.LedgerEntry.created_at >= start, L.LedgerEntry.created_at < end)
        )  # fmt: skip
    return int(total or 0)


async def _statement(client: httpx.AsyncClient, path: str, who: Account) -> dict[str, Any]:
    r = await client.get(path, headers=who.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_a_farmers_statement_adds_up_to_the_ledger_and_shows_the_uplift(
    api: Api, client: httpx.AsyncClient, container: Container, clock: ManualClock
) -> None:
    # Given a bag sold before the period (the opening balance), then in it: three bags of
    # coffee, a jar of honey half refunded, and the first bag's money paid out
    c = container
    coop = await _coop(api)
    earlier = await coop.buy(coop.coffee, 1)  # farmer 1: 50 % of 32.00 = 16.00
    clock.advance(10 * 86_400)
    start = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    coop.owner = await api.account("Treasurer")  # the first owner's token has expired
    await grant(c, coop.shop_id, coop.owner, Role.OWNER)
    coffee = await coop.buy(coop.coffee, 3)  # 120.00: 6.00 fee, 18.00 platform, 48.00 farmer 1
    honey = await coop.buy(coop.honey, 1)  # 20.00: 1.00 fee, 3.00 platform, 16.00 farmer 1
    r = await client.post(f"/api/v1/orders/{honey}/refund", json={"amount_minor": 1000},
                          headers=coop.owner.headers)  # fmt: skip
    assert r.status_code == 200, r.text
    await _pay_out(c, coop, earlier, 1600, "BK-2024-0042")
    farmer_user = await api.account("Farmer One")
    await grant(c, coop.shop_id, farmer_user, Role.PRODUCER)
    link = f"/api/v1/producers/{coop.farmers[0]}/account"
    r = await client.put(link, json={"user_id": farmer_user.user_id}, headers=coop.owner.headers)
    assert r.status_code == 200, r.text
    day = start.date().isoformat()
    path = f"/api/v1/producers/{coop.farmers[0]}/statement?from={day}&to={day}"

    # When the farmer reads it
    st = await _statement(client, path, farmer_user)

    # Then closing - opening is the sum of its lines and the ledger's movement
    assert (st["currency"], st["from"], st["to"], st["opening_minor"]) == ("USD", day, day, 1600)
    movement = await _ledger_movement(c, coop.farmers[0], start, start + DAY)
    assert st["closing_minor"] - st["opening_minor"] == sum(x["amount_minor"] for x in st["lines"])
    assert sum(x["amount_minor"] for x in st["lines"]) == movement == 4800 + 1600 - 800 - 1600
    kinds = [(x["kind"], x["order_id"], x["units"], x["amount_minor"]) for x in st["lines"]]
    assert kinds == [
        ("sale", coffee, 3, 4800), ("sale", honey, 1, 1600),
        ("refund", honey, None, -800), ("payout_settled", None, None, -1600),
    ]  # fmt: skip
    sale, honey_sale, refund, payout = st["lines"]
    assert (sale["gross_minor"], sale["share_bps"], sale["product_id"]) == (
        12000,
        5000,
        coop.coffee,
    )
    assert [(d["kind"], d["amount_minor"]) for d in sale["deductions"]] == [
        ("payment_fee", 600), ("platform_fee", 1800)]  # fmt: skip
    assert all(d["posting_id"] for d in sale["deductions"])
    assert refund["sale_posting_id"] == honey_sale["posting_id"]
    assert payout["reference"] == "BK-2024-0042"
    # and the uplift: 48.00 for three bags is 16.00 a bag, 4.00 above the farm-gate 12.00
    coffee_up, honey_up = sorted(st["uplift"], key=lambda u: u["title"])
    assert coffee_up == {
        "product_id": coop.coffee, "title": "Coffee", "units": 3, "received_minor": 4800,
        "reference_price": {"amount_minor": 1200, "currency": "USD", "unit": "bag"},
        "received_per_unit": 1600, "uplift_per_unit": 400,
    }  # fmt: skip
    assert (honey_up["reference_price"], honey_up["uplift_per_unit"]) == (None, None)
    assert (honey_up["received_minor"], honey_up["received_per_unit"]) == (800, 800)

    # and the CSV and the PDF say the same
    r = await client.get(path + "&format=csv", headers=farmer_user.headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert [row[1] for row in rows[1:7]] == [
        "opening", "sale", "sale", "refund", "payout_settled", "closing"]  # fmt: skip
    assert [row[6] for row in rows[1:7]] == ["1600", "4800", "1600", "-800", "-1600", "5600"]
    uplift = {row[1]: row[-1] for row in rows[-2:]}
    assert uplift == {"Coffee": "'+4.00 USD per bag", "Honey": ""}  # a text cell: csv_cells
    r = await client.get(path + "&format=pdf", headers=farmer_user.headers)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(r.content)).pages)
    text = " ".join(text.split())
    for figure in ("Opening balance: 16.00 USD", "Closing balance: 56.00 USD", "+48.00 USD",
                   "-8.00 USD", "BK-2024-0042", "+4.00 USD per bag"):  # fmt: skip
        assert figure in text, (figure, text)


async def test_the_statement_is_the_shops_and_the_farmers_own_and_nobody_elses(
    api: Api, client: httpx.AsyncClient
) -> None:
    coop = await _coop(api)
    other_farmer = await api.account("Other farmer")
    await grant(api.container, coop.shop_id, other_farmer, Role.PRODUCER)
    link = f"/api/v1/producers/{coop.farmers[1]}/account"
    r = await client.put(link, json={"user_id": other_farmer.user_id}, headers=coop.owner.headers)
    assert r.status_code == 200, r.text
    mine = f"/api/v1/producers/{coop.farmers[1]}/statement"
    theirs = f"/api/v1/producers/{coop.farmers[0]}/statement"

    assert (await client.get(mine, headers=other_farmer.headers)).status_code == 200
    assert (await client.get(theirs, headers=coop.owner.headers)).status_code == 200
    assert_problem(await client.get(theirs, headers=other_farmer.headers), 403, "role_required")
    stranger = await api.account("Stranger")
    assert_problem(await client.get(theirs, headers=stranger.headers), 403, "role_required")
    missing = "/api/v1/producers/00000000-0000-0000-0000-000000000000/statement"
    assert_problem(await client.get(missing, headers=coop.owner.headers), 404,
                   "producer_not_found")  # fmt: skip


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("from=2024-03-02&to=2024-03-01", "statement_period_invalid"),
        ("from=2024-01-01&to=2025-01-02", "statement_period_invalid"),  # 368 days
        ("from=1999-12-31&to=2000-01-01", "statement_period_invalid"),
        ("from=9999-12-31", "statement_period_invalid"),
        ("from=2024-02-30", "validation_failed"),
        ("from=yesterday", "validation_failed"),
        ("format=xlsx", "validation_failed"),
    ],
)
async def test_a_bad_period_or_format_is_refused(
    api: Api, client: httpx.AsyncClient, query: str, code: str
) -> None:
    coop = await _coop(api)
    path = f"/api/v1/producers/{coop.farmers[0]}/statement?{query}"
    assert_problem(await client.get(path, headers=coop.owner.headers), 422, code)


async def test_a_whole_year_is_one_statement(api: Api, client: httpx.AsyncClient) -> None:
    coop = await _coop(api)
    path = f"/api/v1/producers/{coop.farmers[0]}/statement?from=2024-01-01&to=2024-12-31"
    st = await _statement(client, path, coop.owner)
    assert (st["opening_minor"], st["closing_minor"], st["lines"], st["uplift"]) == (0, 0, [], [])
