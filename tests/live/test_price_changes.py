"""A variant's new price reaches the shows that sell it: at once (an urgent shop event), on
every show not yet ended whose lineup holds the product, and nowhere else; the same price
again says nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from livebazaar.kernel.clock import ManualClock
from livebazaar.live import show_topic
from tests.live.stage import make_stage, next_raw_frame, post_chat, viewer
from tests.nodes import single_node

LONG_TICK: dict[str, Any] = {"fanout_tick_min_s": 30.0, "fanout_tick_max_s": 30.0}


async def test_a_new_price_reaches_every_show_selling_the_product_at_once(
    tmp_path: Path, clock: ManualClock
) -> None:
    async with single_node(tmp_path, clock, **LONG_TICK) as n:
        live = await make_stage(n.api)  # live, selling both products
        pearl, other = live.products
        owner = live.owner

        async def show(lineup: list[str], *, ended: bool = False) -> str:
            body = {"shop_id": live.shop_id, "title": "Next week", "lineup": lineup,
                    "scheduled_at": "2031-05-01T18:00:00Z"}  # fmt: skip
            r = await n.api.client.post("/api/v1/shows", json=body, headers=owner.headers)
            assert r.status_code == 201, r.text
            show_id: str = r.json()["id"]
            for step in ("start", "end") if ended else ():
                r = await n.api.client.post(
                    f"/api/v1/shows/{show_id}/{step}", headers=owner.headers
                )
                assert r.status_code == 200, r.text
            return show_id

        scheduled = await show([pearl.id])
        ended = await show([pearl.id], ended=True)
        elsewhere = await show([other.id])
        broker = n.api.container.broker
        quiet = {s: await broker.last_seq(show_topic(s)) for s in (ended, elsewhere)}
        async with viewer(n.url, live.show_id) as on_live, viewer(n.url, scheduled) as waiting:
            # Given a live show that just sent something (so the next event would wait 30 s)
            await post_chat(n.api, live, owner, "now the earrings")
            await next_raw_frame(on_live)
            # When the pearl's price comes down
            r = await n.api.client.patch(
                f"/api/v1/variants/{pearl.variant_id}", json={"price_minor": 17500},
                headers=owner.headers,
            )  # fmt: skip
            assert r.status_code == 200, r.text
            # Then both shows selling it hear it, long before the tick
            frames = [await next_raw_frame(on_live), await next_raw_frame(waiting)]
        for frame in frames:
            assert frame["type"] == "product.price_changed"
            assert frame["data"]["product_id"] == pearl.id
            assert frame["data"]["variant_id"] == pearl.variant_id
            assert frame["data"]["price"]["amount_minor"] == 17500
        # and neither the ended show nor a show of other products hears anything
        assert {s: await broker.last_seq(show_topic(s)) for s in quiet} == quiet
        # The same price again says nothing
        before = await broker.last_seq(show_topic(live.show_id))
        r = await n.api.client.patch(
            f"/api/v1/variants/{pearl.variant_id}", json={"price_minor": 17500},
            headers=owner.headers,
        )  # fmt: skip
        assert r.status_code == 200
        assert await broker.last_seq(show_topic(live.show_id)) == before
        # and the show's state lists the new price against the variant it names
        state = (await n.api.client.get(live.url)).json()
        item = next(i for i in state["lineup"] if i["product_id"] == pearl.id)
        assert (item["variant_id"], item["price"]["amount_minor"]) == (pearl.variant_id, 17500)
