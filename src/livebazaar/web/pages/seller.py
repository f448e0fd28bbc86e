"""The seller dashboard: a shop's owners and hosts run it from a phone.

`/sell` lists the shops the signed-in user holds a role in (or offers to create one);
`/sell/shops/{id}` is one page in sections: the shop and its producers, the products (with a
picture upload from the phone's camera and the stock of each variant), the shows (schedule
one, edit a scheduled show's lineup) and the orders (with a status filter and the CSV export).
What the shop already has (its details, producers and products) is edited in place
(web/pages/seller_edits.py).

Everything is rendered on the server, from the same queries the API uses
(web/pages/seller_sections.py). The forms are htmx forms (static/vendor/htmx.min.js, loaded on the
seller pages only): each posts, as a plain form with the session cookie and the `X-CSRF-Token`
header (`hx-headers` on the dashboard's root; a hidden `csrf_token` field without JavaScript),
to a route below, which reads its fields (web/pages/seller_input.py), calls the same catalog or live
action as the JSON API and answers the re-rendered section (`seller_sections.submit`). The
orders filter hx-gets `/sell/shops/{id}/sections/orders?status=`. Only the picture upload stays
a script (an XHR, for its progress bar; static/seller_forms.js first shrinks a phone's big
picture) that then reloads the products section.

A show's date and time are typed in the seller's local time (`datetime-local`); a hidden
`time_zone` field, filled by static/seller.js with the browser's IANA zone, says which, and
zoneinfo turns it into UTC (without a known zone, the time is taken as UTC).
Members without the owner or host role see the page read-only; the actions check every call.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from livebazaar.accounts import Actor, list_user_roles
from livebazaar.catalog import (
    ShopNotFound,
    do_create_producer,
    do_create_product,
    do_set_stock,
    get_shop,
)
from livebazaar.catalog.schemas import ProducerIn, ProductIn, StockIn
from livebazaar.checkout import (
    OrderNotFound,
    do_deliver_order,
    do_ship_order,
    get_visible_order,
)
from livebazaar.kernel.money import CURRENCY_EXPONENTS
from livebazaar.live import Live, do_create_show, do_set_lineup
from livebazaar.live.schemas import ShowIn
from livebazaar.web.deps import ContainerDep
from livebazaar.web.pages import seller_edits, seller_money
from livebazaar.web.pages import seller_input as field
from livebazaar.web.pages.seller_input import Gettext, Refused
from livebazaar.web.pages.seller_sections import (
    PRODUCTS_SHOWN,
    SECTIONS,
    Section,
    ShopId,
    render,
    sign_in_first,
    submit,
)
from livebazaar.web.pages.viewer import PageActorDep, render_page

router = APIRouter(include_in_schema=False)

# The orders filter: "" is every status; anything unknown is ignored (a page never answers 422).
StatusFilter = Annotated[str, Query(alias="status", max_length=20)]


@router.get("/sell", response_class=HTMLResponse, response_model=None)
async def sell_index(request: Request, c: ContainerDep, actor: PageActorDep) -> Response:
    if actor is None:
        return sign_in_first(request)
    async with c.db.read() as session:
        held = await list_user_roles(session, actor.user_id)
        shops = []
        for shop_id, roles in held.items():
            try:
                shops.append((await get_shop(session, shop_id), sorted(roles)))
            except ShopNotFound:
                continue
    return render_page(
        request, "seller_index.html", actor, shops=shops, currencies=sorted(CURRENCY_EXPONENTS)
    )


@router.get("/sell/shops/{shop_id}", response_class=HTMLResponse, response_model=None)
async def shop_dashboard(
    shop_id: ShopId,
    request: Request,
    c: ContainerDep,
    actor: PageActorDep,
    order_status: StatusFilter = "",
) -> Response:
    if actor is None:
        return sign_in_first(request)
    return await render(request, c, actor, shop_id, "seller_shop.html", SECTIONS, order_status)


@router.get(
    "/sell/shops/{shop_id}/sections/{section}", response_class=HTMLResponse, response_model=None
)
async def shop_section(
    shop_id: ShopId,
    section: Section,
    request: Request,
    c: ContainerDep,
    actor: PageActorDep,
    order_status: StatusFilter = "",
) -> Response:
    """One section of the dashboard as an HTML fragment, for htmx to swap in."""
    if actor is None:
        return sign_in_first(request)
    response = await render(request, c, actor, shop_id, "seller_section.html", (section,),
                             order_status, section=section)  # fmt: skip
    if section == "orders" and request.headers.get("hx-request") and response.status_code == 200:
        query = f"?{urlencode({'status': order_status})}" if order_status else ""
        response.headers["HX-Replace-Url"] = f"/sell/shops/{quote(shop_id, safe='')}{query}#orders"
    return response


# The dashboard's forms that add (htmx posts them; see the module's docstring).


@router.post("/sell/shops/{shop_id}/producers", response_class=HTMLResponse, response_model=None)
async def add_producer(
    shop_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        names = ("name", "village", "region", "bio")
        data = ProducerIn.model_validate({name: field.text(form, name) for name in names})
        producer = await do_create_producer(c.db, c.clock, actor, shop_id, data)
        return _("Producer added: {name}.").format(name=producer.name)

    return await submit(request, c, actor, shop_id, ("producers", "products"), "add-producer", act)


@router.post("/sell/shops/{shop_id}/products", response_class=HTMLResponse, response_model=None)
async def add_product(
    shop_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        async with c.db.read() as session:
            currency = (await get_shop(session, shop_id)).currency
        body: dict[str, Any] = {
            "title": field.text(form, "title"),
            "description": field.text(form, "description"),
            "price": {"amount_minor": field.price(form, currency, _), "currency": currency},
            "stock": field.units(form, "stock", _),
        }
        if shares := field.shares(form, _):
            body["revenue_shares"] = shares
        view = await do_create_product(
            c.db, c.clock, actor, shop_id, ProductIn.model_validate(body)
        )
        return _("Product added: {title}. Now add its picture.").format(title=view.product.title)

    return await submit(request, c, actor, shop_id, ("products", "shows"), "add-product", act)


@router.post(
    "/sell/shops/{shop_id}/variants/{variant_id}/stock",
    response_class=HTMLResponse,
    response_model=None,
)
async def set_stock(
    shop_id: ShopId, variant_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        data = StockIn(quantity=field.units(form, "quantity", _))
        await do_set_stock(c.db, actor, variant_id, data.quantity)
        return _("Stock set to {n}.").format(n=data.quantity)

    return await submit(request, c, actor, shop_id, ("products",), f"stock-{variant_id}", act)


@router.post("/sell/shops/{shop_id}/shows", response_class=HTMLResponse, response_model=None)
async def schedule_show(
    shop_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        body = {
            "shop_id": shop_id,
            "title": field.text(form, "title"),
            "description": field.text(form, "description"),
            "scheduled_at": field.scheduled_at(form, _),
            "lineup": form.getlist("lineup"),
        }
        data = ShowIn.model_validate(body)
        show = await do_create_show(
            Live(c.db, c.broker, c.clock), actor, shop_id=shop_id, title=data.title,
            scheduled_at=data.scheduled_at, lineup=data.lineup, description=data.description,
        )  # fmt: skip
        return _("Show scheduled: {title}.").format(title=show.title)

    return await submit(request, c, actor, shop_id, ("shows",), "schedule-show", act)


@router.post(
    "/sell/shops/{shop_id}/shows/{show_id}/lineup",
    response_class=HTMLResponse,
    response_model=None,
)
async def set_lineup(
    shop_id: ShopId, show_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        lineup = [value for value in form.getlist("lineup") if isinstance(value, str)]
        if len(lineup) > PRODUCTS_SHOWN:
            raise Refused(_("Check the form: {detail}").format(detail=len(lineup)))
        await do_set_lineup(Live(c.db, c.broker, c.clock), actor, show_id, lineup)
        return _("Lineup saved: {n} products.").format(n=len(lineup))

    return await submit(request, c, actor, shop_id, ("shows",), f"lineup-{show_id}", act)


# An order of the orders section: shipped (carrier, tracking number), or marked delivered.


@router.post(
    "/sell/shops/{shop_id}/orders/{order_id}/ship",
    response_class=HTMLResponse,
    response_model=None,
)
async def ship_order(
    shop_id: ShopId, order_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        data = field.shipping(form, order_id, _)
        await _check_order_of_shop(c, actor, shop_id, order_id)
        await do_ship_order(c.db, c.clock, actor, order_id, data)
        return _("Shipped with {carrier}: {number}.").format(
            carrier=data.carrier, number=data.tracking_number
        )

    return await submit(request, c, actor, shop_id, ("orders",), f"ship-{order_id}", act,
                        item=f"order-{order_id}")  # fmt: skip


@router.post(
    "/sell/shops/{shop_id}/orders/{order_id}/deliver",
    response_class=HTMLResponse,
    response_model=None,
)
async def deliver_order(
    shop_id: ShopId, order_id: ShopId, request: Request, c: ContainerDep, actor: PageActorDep
) -> Response:
    async def act(actor: Actor, form: FormData, _: Gettext) -> str:
        await _check_order_of_shop(c, actor, shop_id, order_id)
        await do_deliver_order(c.db, c.clock, actor, order_id)
        return _("Marked delivered.")

    return await submit(request, c, actor, shop_id, ("orders",), f"deliver-{order_id}", act,
                        item=f"order-{order_id}")  # fmt: skip


async def _check_order_of_shop(c: ContainerDep, actor: Actor, shop_id: str, order_id: str) -> None:
    """The order in the address is one of this shop's (the actions check who may act)."""
    async with c.db.read() as session:
        if (await get_visible_order(session, actor, order_id)).shop_id != shop_id:
            raise OrderNotFound()


router.include_router(seller_edits.router)  # editing what the shop already has
router.include_router(seller_money.router)  # payout methods, batches and marks
