"""The buy sheet as buyers use it, in Debian's Chromium (Playwright), on a phone: fast repeated
taps buy once, a variant is chosen and shows on the order and in the seller's CSV, a new
address needs a postal code where its country uses one, and refusals look and sound like
refusals. Screenshots: var/screenshots/buy-sheet-*.png. Skips without Chromium, fails without
it in CI."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import func, select, update

from livebazaar.bootstrap import Container
from livebazaar.catalog import Variant
from livebazaar.checkout import Order
from livebazaar.inventory.models import PoolKind, StockPool
from livebazaar.payments.models import Payment
from tests.checkout.stage import Stage, claim, make_show, start_drop
from tests.checkout.test_shelf_limits import buy
from tests.factories import make_product, make_shop
from tests.support import Account, Api
from tests.web.browser import (
    DESKTOP,
    PHONE,
    WAIT_MS,
    chromium,
    require_chromium,
    shoot,
    sign_in,
)

require_chromium()

CARD_DECLINE = "4000 0000 0000 0002"


async def _earrings_show(api: Api) -> tuple[Stage, str]:
    """A live show selling pearl earrings, White at 129 CNY and Pink at 139 CNY: the stage
    and the Pink variant's id."""
    c = api.container
    owner = await api.account("Chen Jing")
    shop_id = await make_shop(c, owner)
    earrings = await make_product(c, shop_id, title="Akoya pearl earrings", price_minor=12900)
    async with c.db.uow() as uow:
        await uow.session.execute(
            update(Variant).where(Variant.id == earrings.variant_id).values(name="White")
        )
        pink = Variant(
            product_id=earrings.id, sku="XCL-ER-PNK", name="Pink", price_minor=13900,
            currency="CNY", position=1,
        )  # fmt: skip
        uow.session.add(pink)
        await uow.session.flush()
        uow.session.add(StockPool(variant_id=pink.id, kind=PoolKind.SHELF, quantity=40))
        pink_id = pink.id
        await uow.commit()
    show_id = await make_show(c, shop_id, owner, [earrings.id])
    return Stage(owner, shop_id, earrings, show_id), pink_id


async def _count(c: Container, model: Any) -> int:
    async with c.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _orders(c: Container) -> list[Order]:
    async with c.db.read() as session:
        return list(await session.scalars(select(Order).order_by(Order.created_at)))


async def _new_address(form: Any, country: str, postal_code: str = "") -> None:
    await form.locator("[name=address_id]").select_option("")
    await form.locator("[name=ship_name]").fill("Claire Martin")
    await form.locator("[name=ship_line1]").fill("2 Rue Mercière")
    await form.locator("[name=ship_city]").fill("Lyon" if country == "FR" else "Kigali")
    await form.locator("[name=ship_country]").fill(country)
    if postal_code:
        await form.locator("[name=ship_postal_code]").fill(postal_code)


async def _browse(
    base: str, buyer: Account, path: str, steps: Callable[[Any], Awaitable[None]]
) -> None:

    errors: list[str] = []
    async with chromium() as browser:
        context = await browser.new_context(viewport=PHONE)
        page = await context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        await sign_in(page, base, buyer, path)
        await steps(page)
    assert errors == []


async def _shoot(page: Any, name: str, selector: str) -> None:
    await page.locator(selector).scroll_into_view_if_needed()
    await shoot(page, f"buy-sheet-{name}-phone")
    await page.set_viewport_size(DESKTOP)
    await page.locator(selector).scroll_into_view_if_needed()
    await shoot(page, f"buy-sheet-{name}-desktop")
    await page.set_viewport_size(PHONE)


async def test_three_fast_taps_on_buy_now_make_one_order_and_one_charge(
    served: tuple[str, Container],
) -> None:
    base, container = served
    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        stage, _ = await _earrings_show(api)
        buyer = await api.account("Aline")
    keys: dict[str, str | None] = {}

    async def steps(page: Any) -> None:
        release = asyncio.Event()

        async def hold_the_payment(route: Any) -> None:  # the charge is in flight until released
            keys["pay"] = route.request.headers.get("idempotency-key")
            await release.wait()
            await route.continue_()

        def note_purchase(request: Any) -> None:
            if request.url.endswith("/purchases"):
                keys["purchase"] = request.headers.get("idempotency-key")

        page.on("request", note_purchase)
        await page.route("**/api/v1/orders/*/pay", hold_the_payment)
        form = page.locator("#pinned-buy")
        await _new_address(form, "RW")
        button = form.locator("button[type=submit]")
        await button.scroll_into_view_if_needed()
        box = await button.bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

        # Tap, tap while paying, and tap once paid: where the button is, as a thumb does
        await page.mouse.click(x, y)
        await form.locator(".result", has_text="Paying").wait_for(timeout=WAIT_MS)
        assert await button.is_disabled()
        await page.mouse.click(x, y)
        release.set()
        await form.locator(".result", has_text="Paid").wait_for(timeout=WAIT_MS)
        await page.mouse.click(x, y)
        assert await button.is_disabled()  # bought: a second one takes "Buy another"
        assert "Paid" in (await form.locator(".result").text_content() or "")  # not buying
        again = form.locator("[data-again]")
        assert await again.is_visible()
        await _shoot(page, "paid", "#pinned-buy .result")

        # Going on knowingly: "Buy another" opens a new purchase (and buys nothing itself)
        await again.click()
        assert await button.is_enabled()
        assert await form.locator(".result").text_content() == ""

    await _browse(base, buyer, f"/shows/{stage.show_id}", steps)
    assert await _count(container, Order) == 1
    assert await _count(container, Payment) == 1
    assert keys["purchase"]
    assert keys["pay"]
    assert keys["purchase"] != keys["pay"]


async def test_a_buyer_chooses_pink_and_the_order_and_the_csv_say_pink(
    served: tuple[str, Container],
) -> None:
    base, container = served
    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        stage, pink_id = await _earrings_show(api)
        buyer = await api.account("Claire")

    async def steps(page: Any) -> None:
        form = page.locator("#pinned-buy")
        variant = form.locator("[name=variant_id]")
        assert await variant.is_visible()
        options = await variant.locator("option").all_text_contents()
        assert any("White" in o and "129.00" in o and "100 left" in o for o in options), options
        assert any("Pink" in o and "139.00" in o and "40 left" in o for o in options), options
        await variant.select_option(pink_id)
        await _new_address(form, "FR", "69002")
        await form.locator("button[type=submit]").click()
        await form.locator(".result", has_text="139.00").wait_for(timeout=WAIT_MS)
        await form.locator(".result", has_text="Paid").wait_for(timeout=WAIT_MS)
        assert "39 left" in (await variant.locator("option:checked").text_content() or "")
        await _shoot(page, "variant", "#pinned-buy [name=variant_id]")
        # The buyer's account shows which one
        await page.goto(f"{base}/account")
        row = page.locator("table.account-orders tbody tr").first
        assert "Pink" in (await row.text_content() or "")

    await _browse(base, buyer, f"/shows/{stage.show_id}", steps)
    [order] = await _orders(container)
    assert (order.variant_id, order.unit_price_minor, order.currency) == (pink_id, 13900, "CNY")
    async with httpx.AsyncClient(base_url=base) as client:
        owner = stage.owner.headers
        r = await client.get(f"/api/v1/shops/{stage.shop_id}/orders.csv", headers=owner)
        listed = (await client.get(f"/api/v1/shops/{stage.shop_id}/orders", headers=owner)).json()
    [row] = list(csv.DictReader(io.StringIO(r.text)))
    assert (row["variant"], row["unit_price"], row["ship_postal_code"]) == (
        "Pink",
        "139.00",
        "69002",
    )
    assert listed[0]["variant_name"] == "Pink"


async def test_a_new_address_needs_a_postal_code_in_france_but_not_in_rwanda(
    served: tuple[str, Container],
) -> None:
    base, container = served
    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        stage, _ = await _earrings_show(api)
        buyer = await api.account("Claire")

    async def steps(page: Any) -> None:
        form = page.locator("#pinned-buy")
        postal = form.locator("[name=ship_postal_code]")
        await _new_address(form, "FR")
        await postal.fill("")
        assert await postal.evaluate("input => input.required")
        await form.locator("button[type=submit]").click()
        assert await postal.evaluate("input => !input.validity.valid")  # the browser asks
        assert await _count(container, Order) == 0
        await _shoot(page, "postal-code", "#pinned-buy [name=ship_postal_code]")
        await postal.fill("69002")
        await form.locator("button[type=submit]").click()
        await form.locator(".result", has_text="Paid").wait_for(timeout=WAIT_MS)

        await form.locator("[data-again]").click()
        await _new_address(form, "RW")
        await postal.fill("")
        assert not await postal.evaluate("input => input.required")
        await form.locator("button[type=submit]").click()
        await form.locator(".result", has_text="Paid").wait_for(timeout=WAIT_MS)

    await _browse(base, buyer, f"/shows/{stage.show_id}", steps)
    lyon, kigali = await _orders(container)
    assert lyon.ship_to is not None
    assert lyon.ship_to["postal_code"] == "69002"
    assert kigali.ship_to is not None
    assert (kigali.ship_to["country"], kigali.ship_to["postal_code"]) == ("RW", "")


async def test_refusals_look_like_refusals_and_say_how_many_more_the_buyer_may_take(
    served: tuple[str, Container],
) -> None:
    base, container = served
    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        stage, _ = await _earrings_show(api)
        buyer = await api.account("Aline")
        drop = await start_drop(client, stage, quantity=30, per_buyer_limit=5)
        assert (await claim(client, buyer, drop["id"], 3)).status_code == 201  # 3 of 5 held

    async def steps(page: Any) -> None:
        form = page.locator("#drop-buy")
        await form.wait_for(timeout=WAIT_MS)
        await _new_address(form, "RW")
        await form.locator("[name=quantity]").fill("4")
        await form.locator("button[type=submit]").click()
        refusal = form.locator(".refusal")
        await refusal.wait_for(timeout=WAIT_MS)
        assert "you may take 2 more" in (await refusal.text_content() or "")
        assert await refusal.get_attribute("role") == "alert"
        colour = await refusal.evaluate("node => getComputedStyle(node).color")
        ok = await form.locator(".result").evaluate("node => getComputedStyle(node).color")
        assert colour != ok
        assert await form.locator("button[type=submit]").is_enabled()
        await _shoot(page, "limit", "#drop-buy .refusal")

        # A declined card: the same style; the units stay reserved for another card
        await form.locator("[name=quantity]").fill("2")
        await form.locator("[name=card]").fill(CARD_DECLINE)
        await form.locator("button[type=submit]").click()
        await refusal.filter(has_text="another card").wait_for(timeout=WAIT_MS)
        await _shoot(page, "declined", "#drop-buy .refusal")
        await form.locator("[name=card]").fill("4242 4242 4242 4242")
        await form.locator("button[type=submit]").click()
        await form.locator(".result", has_text="Paid").wait_for(timeout=WAIT_MS)
        assert await refusal.is_hidden()

        # In French, with all five taken: the refusal says so in French
        await page.context.add_cookies([{"name": "lb_lang", "value": "fr", "url": base}])
        await page.reload()
        # (once the page's script has the drop and the saved address: a tap before it would
        # post the bare form)
        await page.locator("#drop:not([hidden])").wait_for(timeout=WAIT_MS)
        await page.wait_for_function(
            "() => document.querySelector('#drop-buy [name=address_id]').options.length > 1",
            timeout=WAIT_MS,
        )
        await form.locator("[name=quantity]").fill("1")
        await form.locator("button[type=submit]").click()
        await refusal.filter(has_text="maximum").wait_for(timeout=WAIT_MS)
        await _shoot(page, "limit-fr", "#drop-buy .refusal")

    await _browse(base, buyer, f"/shows/{stage.show_id}", steps)
    orders = await _orders(container)
    assert sorted((o.quantity, o.status.value) for o in orders) == [(2, "paid"), (3, "reserved")]


async def test_the_purchase_sheet_stops_at_what_the_buyer_may_take_and_says_why(
    served: tuple[str, Container],
) -> None:
    # Given a shop on the default limit (10 of each product per buyer) and a buyer holding 7
    base, container = served
    async with httpx.AsyncClient(base_url=base) as client:
        api = Api(client, container)
        stage, _ = await _earrings_show(api)
        buyer = await api.account("Aline")
        assert (await buy(client, buyer, stage.show_id, stage.product.id, 7)).status_code == 201

    async def steps(page: Any) -> None:
        form = page.locator("#pinned-buy")
        quantity, hint = form.locator("[name=quantity]"), form.locator("[data-allowance]")
        refusal = form.locator(".refusal")
        # The sheet says how many more, and its quantity stops there
        await hint.filter(has_text="You may take 3 more.").wait_for(timeout=WAIT_MS)
        assert await quantity.get_attribute("max") == "3"
        assert await quantity.get_attribute("aria-describedby") == "buy-allowance"
        await _new_address(form, "RW")
        await quantity.fill("5")
        await form.locator("button[type=submit]").click()
        assert await quantity.evaluate("input => input.validity.rangeOverflow")  # the browser asks
        await _shoot(page, "allowance", "#pinned-buy [name=quantity]")
        # Taken meanwhile elsewhere: the server's refusal says how many are left, and caps it
        async with httpx.AsyncClient(base_url=base) as client:
            assert (await buy(client, buyer, stage.show_id, stage.product.id, 2)).status_code == 201
        await quantity.fill("3")
        await form.locator("button[type=submit]").click()
        await refusal.filter(has_text="you may take 1 more").wait_for(timeout=WAIT_MS)
        assert (await quantity.get_attribute("max"), await quantity.input_value()) == ("1", "1")
        await hint.filter(has_text="You may take 1 more.").wait_for(timeout=WAIT_MS)
        # Holding as many unpaid reservations as one buyer may: refused, saying until when
        async with httpx.AsyncClient(base_url=base) as client:
            drop = await start_drop(client, stage, quantity=30, per_buyer_limit=5)
            for _ in range(3):
                assert (await claim(client, buyer, drop["id"])).status_code == 201
        await form.locator("button[type=submit]").click()
        await refusal.filter(has_text="too many unpaid reservations").wait_for(timeout=WAIT_MS)
        assert "try again at" in (await refusal.text_content() or "")
        await hint.filter(has_text="pay for one first").wait_for(timeout=WAIT_MS)
        await _shoot(page, "too-many-holds", "#pinned-buy .refusal")
        # and in French, the sheet says so before anyone taps
        await page.context.add_cookies([{"name": "lb_lang", "value": "fr", "url": base}])
        await page.reload()
        await hint.filter(has_text="réservations non payées").wait_for(timeout=WAIT_MS)

    await _browse(base, buyer, f"/shows/{stage.show_id}", steps)
    assert sorted(o.quantity for o in await _orders(container)) == [1, 1, 1, 2, 7]
