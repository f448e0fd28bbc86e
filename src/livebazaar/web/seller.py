"""The seller dashboard: a shop's owners and hosts run it from a phone.

`/sell` lists the shops the signed-in user holds a role in (or offers to create one);
`/sell/shops/{id}` is one page in sections: the shop and its producers, the products (with a
picture upload from the phone's camera and the stock of each variant), the shows (schedule
one, edit a scheduled show's lineup) and the orders (with a status filter and the CSV export).

Everything is rendered here, on the server, from the same queries the API uses. The ES module
in static/seller.js sends each form to /api/v1 (session cookie + CSRF header) and then swaps in
the affected section, fetched as an HTML fragment from `/sell/shops/{id}/sections/{name}`
(the same templates, so there is one rendering; htmx can take these fragments over unchanged).
Members without the owner or host role see the page read-only; the API checks every call.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from livebazaar.accounts import Actor, Role, list_roles, list_user_roles
from livebazaar.catalog import (
    EDITOR_ROLES,
    Shop,
    ShopNotFound,
    get_product_summaries,
    get_shop,
    list_producers,
    list_shop_products,
)
from livebazaar.catalog.schemas import ProducerOut, ProductOut
from livebazaar.checkout import OrderStatus, list_shop_orders, order_out
from livebazaar.checkout.queries import ORDER_VIEWER_ROLES
from livebazaar.kernel.money import CURRENCY_EXPONENTS
from livebazaar.live import Show, ShowSearch, ShowStatus, search_shows
from livebazaar.live.queries import HOSTING_ROLES, list_lineup
from livebazaar.web.deps import ContainerDep
from livebazaar.web.pages import PageActorDep, render_page

router = APIRouter(include_in_schema=False)

SHOWS_PER_STATUS = 20
ORDERS_SHOWN = 50
PRODUCTS_SHOWN = 100
SECTIONS = ("producers", "products", "shows", "orders")
Section = Literal["producers", "products", "shows", "orders"]
ShopId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^\x00]+$")]
# The orders filter: "" is every status; anything unknown is ignored (a page never answers 422).
StatusFilter = Annotated[str, Query(alias="status", max_length=20)]


def _sign_in_first(request: Request) -> RedirectResponse:
    target = quote(request.url.path, safe="/")
    return RedirectResponse(f"/login?next={target}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/sell", response_class=HTMLResponse, response_model=None)
async def sell_index(request: Request, c: ContainerDep, actor: PageActorDep) -> Response:
    if actor is None:
        return _sign_in_first(request)
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
        return _sign_in_first(request)
    return await _render(request, c, actor, shop_id, "seller_shop.html", SECTIONS, order_status)


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
    """One section of the dashboard as an HTML fragment, for the script to swap in."""
    if actor is None:
        return _sign_in_first(request)
    name = f"seller_{section}.html"
    return await _render(request, c, actor, shop_id, name, (section,), order_status)


async def _render(
    request: Request,
    c: ContainerDep,
    actor: Actor,
    shop_id: str,
    template: str,
    sections: tuple[str, ...],
    order_status: str,
) -> HTMLResponse:
    try:
        async with c.db.read() as session:
            shop = await get_shop(session, shop_id)
            roles = await list_roles(session, actor.user_id, shop_id)
            if not (roles or actor.is_admin):
                return _not_yours(request, actor)
            context = await _context(session, c, actor, shop, roles, sections, order_status)
    except ShopNotFound:
        return render_page(
            request, "missing.html", actor, message="There is no such shop.", _status=404
        )
    return render_page(request, template, actor, **context)


def _not_yours(request: Request, actor: Actor) -> HTMLResponse:
    return render_page(
        request, "missing.html", actor, heading="Not your shop",
        message="Only the shop's members can open its dashboard.",
        back_url="/sell", back_label="Your shops", _status=403,
    )  # fmt: skip


def _may(actor: Actor, roles: set[Role], allowed: frozenset[Role]) -> bool:
    return actor.is_admin or bool(roles & allowed)


async def _context(
    session: AsyncSession,
    c: ContainerDep,
    actor: Actor,
    shop: Shop,
    roles: set[Role],
    sections: tuple[str, ...],
    order_status: str,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "shop": shop,
        "roles": sorted(roles),
        "exponent": CURRENCY_EXPONENTS[shop.currency],
        "can_edit": _may(actor, roles, EDITOR_ROLES),
        "can_host": _may(actor, roles, HOSTING_ROLES),
        "can_see_orders": _may(actor, roles, ORDER_VIEWER_ROLES),
        "order_statuses": [s.value for s in OrderStatus],
        "order_status": order_status if order_status in set(OrderStatus) else "",
    }
    # The products feed the products section and the lineup choices; producers, the shares.
    producers = await list_producers(session, shop.id)
    context["producers"] = [ProducerOut.of(p) for p in producers]
    views = await list_shop_products(session, shop.id, limit=PRODUCTS_SHOWN)
    context["products"] = [ProductOut.of(v) for v in views]
    if "shows" in sections:
        context.update(await _shows(session, shop.id))
    if "orders" in sections and context["can_see_orders"]:
        context["orders"] = await _orders(session, c, actor, shop.id, context["order_status"])
    return context


async def _shows(session: AsyncSession, shop_id: str) -> dict[str, Any]:
    """The shop's live, upcoming (soonest first) and latest ended shows, and each upcoming
    show's lineup (the product ids, for its lineup form)."""
    # ShowSearch.within is typed as the row type media's subquery has; this one is the same SQL.
    of_shop = cast("Select[tuple[str]]", select(Show.id).where(Show.shop_id == shop_id))
    found = {}
    for show_status in (ShowStatus.LIVE, ShowStatus.SCHEDULED, ShowStatus.ENDED):
        search = ShowSearch(status=show_status, within=of_shop)
        found[show_status.value] = await search_shows(session, search, limit=SHOWS_PER_STATUS)
    lineups = {}
    for show in found["scheduled"]:
        lineups[show.id] = [item.product_id for item in await list_lineup(session, show.id)]
    return {
        "live_shows": found["live"],
        "scheduled_shows": found["scheduled"],
        "ended_shows": found["ended"],
        "lineups": lineups,
    }


async def _orders(
    session: AsyncSession, c: ContainerDep, actor: Actor, shop_id: str, order_status: str
) -> list[tuple[Any, str]]:
    wanted = OrderStatus(order_status) if order_status else None
    orders = await list_shop_orders(session, actor, shop_id, status=wanted, limit=ORDERS_SHOWN)
    titles = await get_product_summaries(session, [o.product_id for o in orders])
    now = c.clock.now()
    return [
        (order_out(o, now), titles[o.product_id].title if o.product_id in titles else "")
        for o in orders
    ]
