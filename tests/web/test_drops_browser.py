"""Two flash drops live at once in the viewer room, in Debian's Chromium (Playwright): a
3,000-bag coffee drop runs when a 2-minute chili drop starts; the viewer still sees and claims
the coffee. Screenshots go to var/screenshots/room-two-drops-*.png. Skips without Chromium,
fails without it in CI."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from livebazaar.bootstrap import Container
from tests.live.stage import Stage, make_stage
from tests.support import Api
from tests.web.browser import (
    DESKTOP,
    PHONE,
    SHOTS,
    WAIT_MS,
    chromium,
    require_chromium,
    sign_in,
)

require_chromium()


async def _drop(api: Api, stage: Stage, product: int, quantity: int, duration_s: int) -> str:
    body = {"product_id": stage.products[product].id, "quantity": quantity,
            "per_buyer_limit": 5, "price": {"amount_minor": 1500 + product, "currency": "CNY"},
            "duration_s": duration_s}  # fmt: skip
    shelf = f"/api/v1/variants/{stage.products[product].variant_id}/stock"
    r = await api.client.put(shelf, json={"quantity": quantity}, headers=stage.owner.headers)
    assert r.status_code == 200, r.text
    r = await api.client.post(f"{stage.url}/drops", json=body, headers=stage.owner.headers)
    assert r.status_code == 201, r.text
    drop_id: str = r.json()["id"]
    return drop_id


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_a_second_drop_leaves_the_first_claimable(
    served: tuple[str, Container], viewport: Any
) -> None:

    base, container = served
    errors: list[str] = []
    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        # Given a live show whose 3,000-bag coffee drop runs, and a viewer in its room
        stage = await make_stage(api)
        coffee = await _drop(api, stage, 0, 3000, 1800)
        viewer = await api.account("Aline")
        async with chromium() as browser:
            ctx = await browser.new_context(viewport=viewport)
            room = await ctx.new_page()
            room.on("pageerror", lambda error: errors.append(str(error)))
            await sign_in(room, base, viewer, f"/shows/{stage.show_id}")
            await room.locator("#drop:not([hidden])").wait_for(timeout=WAIT_MS)
            assert await room.locator("#drop-choices").is_hidden()
            # When a 2-minute chili drop starts beside it
            chili = await _drop(api, stage, 1, 40, 120)
            choices = room.locator("#drop-choice-list button.drop-choice")
            await choices.nth(1).wait_for(timeout=WAIT_MS)
            # Then both are offered, and the viewer picks the coffee
            texts = [" ".join(t.split()) for t in await choices.all_inner_texts()]
            assert [t.split()[:2] for t in texts] == [["Pearl", "1"], ["Pearl", "2"]], texts
            assert [t.endswith(" left") for t in texts] == [True, True], texts
            assert "3,000 left" in texts[0]
            shot = f"room-two-drops-{viewport['width']}.png"
            SHOTS.mkdir(parents=True, exist_ok=True)
            await room.locator("#drop").screenshot(path=str(SHOTS / shot))
            await choices.filter(has_text="Pearl 1").click()
            assert await room.get_attribute("#drop", "data-drop-id") == coffee
            assert await choices.nth(0).get_attribute("aria-pressed") == "true"
            assert await room.text_content("#drop-product") == "Pearl 1"
            # And claims and pays for two bags of coffee while the chili drop still runs
            form = room.locator("#drop-buy")
            await form.locator("[name=quantity]").fill("2")
            await form.locator("[name=ship_name]").fill("Aline Uwase")
            await form.locator("[name=ship_line1]").fill("KN 5 Rd")
            await form.locator("[name=ship_city]").fill("Kigali")
            await form.locator("[name=ship_country]").fill("RW")
            await form.locator("button[type=submit]").click()
            await form.locator(".result", has_text="Paid").wait_for(timeout=WAIT_MS)
            await room.wait_for_function(
                "() => document.querySelector('#drop-remaining').textContent.trim() === '2,998'",
                timeout=WAIT_MS,
            )
            # The card kept the coffee while the viewer was buying
            assert await room.get_attribute("#drop", "data-drop-id") == coffee
            # And, having paid, picks the chili drop and claims one: a new purchase, not
            # the coffee's finished one
            await choices.filter(has_text="Pearl 2").click()
            assert await room.get_attribute("#drop", "data-drop-id") == chili
            await form.locator("[name=quantity]").fill("1")
            await form.locator("button[type=submit]").click()
            await room.wait_for_function(
                "() => document.querySelector('#drop-remaining').textContent.trim() === '39'",
                timeout=WAIT_MS,
            )
            await form.locator(".result", has_text="Paid").wait_for(timeout=WAIT_MS)
            drops = (await client.get(f"/api/v1/shows/{stage.show_id}")).json()["drops"]
            assert {d["id"]: d["status"] for d in drops} == {coffee: "live", chili: "live"}
            assert {d["id"]: d["remaining"] for d in drops} == {coffee: 2998, chili: 39}
    assert errors == []
