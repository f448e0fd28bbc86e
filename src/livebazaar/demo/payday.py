"""The demo pays its farmers: the first viewers buy coffee from the drop, a few orders are
delivered, and (once the ledger has released them) a payout batch pays the coffee farmer.

All through the public API, as seed.py does; only the release in between is the ledger's
background task, which the composition root (cli/demo.py) runs with a hold of 0 for the demo.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from livebazaar.demo.audience import ADDRESSES, TEST_CARD
from livebazaar.demo.seed import DemoInfo, SeedClient, SeedFailed
from livebazaar.demo.stories import COFFEE_STORY, Person

# The first sales: this many viewers each take BAGS_EACH bags from the drop and pay; the
# first DELIVERED of their orders reach the buyer (the rest stay pending, as real ones do).
FIRST_BUYERS = 3
BAGS_EACH = 2
DELIVERED = 2
SEED_BAGS = FIRST_BUYERS * BAGS_EACH


@dataclass(frozen=True)
class FirstSales:
    order_ids: list[str]


async def sell_and_deliver(http: httpx.AsyncClient, info: DemoInfo) -> FirstSales:
    """The first viewers buy from the live coffee drop; the host ships and delivers a few."""
    live = info.live_show
    if live is None or live.drop_id is None:
        raise SeedFailed("no live coffee drop to sell from")
    api = SeedClient(http)
    host = COFFEE_STORY.host
    await api.sign_in(host)
    order_ids = []
    for n in range(1, FIRST_BUYERS + 1):
        buyer = Person(f"first-buyer{n}@audience.example.org", f"First buyer #{n}")
        await api.sign_in(buyer)
        claim = await api.call(
            "POST", f"/api/v1/drops/{live.drop_id}/claims", buyer, {"quantity": BAGS_EACH}
        )
        ship_to = {"name": buyer.display_name, **ADDRESSES[n % len(ADDRESSES)]}
        pay = {"provider": "test", "card_number": TEST_CARD, "ship_to": ship_to}
        await api.call("POST", f"/api/v1/orders/{claim['order_id']}/pay", buyer, pay)
        order_ids.append(claim["order_id"])
    for n, order_id in enumerate(order_ids[:DELIVERED], start=1):
        parcel = {"carrier": "DHL Express", "tracking_number": f"DEMO{n:06d}RW"}
        await api.call("POST", f"/api/v1/orders/{order_id}/ship", host, parcel)
        await api.call("POST", f"/api/v1/orders/{order_id}/deliver", host)
    return FirstSales(order_ids)


async def pay_out(http: httpx.AsyncClient, info: DemoInfo) -> str:
    """A payout batch of what is available in the coffee shop, each payout marked paid with
    a mobile-money reference. Returns the batch's id."""
    live = info.live_show
    assert live is not None
    api = SeedClient(http)
    host = COFFEE_STORY.host
    await api.sign_in(host)
    batch = await api.call("POST", f"/api/v1/shops/{live.shop_id}/payout-batches", host, {})
    for n, payout in enumerate(batch["payouts"], start=1):
        mark = {"reference": f"MOMO-DEMO-{n:04d}"}
        await api.call("POST", f"/api/v1/payouts/{payout['id']}/paid", host, mark)
    batch_id: str = batch["id"]
    return batch_id
