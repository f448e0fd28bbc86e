"""The seller dashboard's sections: what they show, and how a form's post is answered.

`load` gathers a section's context from the same queries the API uses; `render` renders a
template with it (the whole page, `seller_section.html` for htmx, or one item's fragment).
`submit` runs a form's action (web/pages/seller.py, seller_edits.py) and answers the re-rendered
section: the section, its result line and the other sections the change touches, out of band.
A refused form (bad input: 422; a domain error: its 4xx) comes back as the same section with
the error and the seller's input, and changes nothing; htmx is told to swap those answers too
(static/seller.js, `responseHandling`). A plain post (no JavaScript) is answered 303 back to
the page when saved, or the whole page with the form open and its error when refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, cast
from urllib.parse import quote

from fastapi import Path, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from livebazaar.accounts import Actor, Role, list_roles
from livebazaar.catalog import (
    EDITOR_ROLES,
    MAX_SHELF_LIMIT,
    Shop,
    ShopNotFound,
    get_product_summaries,
    get_shop,
    list_producers,
    list_shop_products,
)
from livebazaar.catalog.schemas import ProducerOut, ProductOut
from livebazaar.checkout import (
    ORDER_VIEWER_ROLES,
    OrderStatus,
    list_shop_orders,
    name_variants,
    order_out,
)
from livebazaar.kernel.errors import DomainError
from livebazaar.kernel.money import CURRENCY_EXPONENTS, Money, MoneyOut
from livebazaar.live import HOSTING_ROLES, Show, ShowSearch, ShowStatus, list_lineup, search_shows
from livebazaar.payouts import get_money_overview
from livebazaar.web import i18n
from livebazaar.web.deps import ContainerDep
from livebazaar.web.pages.seller_input import Gettext, Refused
from livebazaar.web.pages.viewer import render_page

SHOWS_PER_STATUS = 20
ORDERS_SHOWN = 50
PRODUCTS_SHOWN = 100
SECTIONS = ("producers", "products", "shows", "orders", "money")
Section = Literal["producers", "products", "shows", "orders", "money"]
ShopId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^\x00]+$")]
Act = Callable[[Actor, FormData, Gettext], Awaitable[str]]


def sign_in_first(request: Request) -> RedirectResponse:
    target = quote(request.url.path, safe="/")
    return RedirectResponse(f"/login?next={target}", status_code=status.HTTP_303_SEE_OTHER)


def from_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def page_of(shop_id: str, anchor: str) -> str:
    """The dashboard's address, at an item or a section."""
    return f"/sell/shops/{quote(shop_id, safe='')}#{quote(anchor, safe='-')}"


async def render(
    request: Request,
    c: ContainerDep,
    actor: Actor,
    shop_id: str,
    template: str,
    sections: tuple[str, ...],
    order_status: str,
    _status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    context = await load(request, c, actor, shop_id, sections, order_status)
    if isinstance(context, HTMLResponse):
        return context
    return render_page(request, template, actor, **context, **extra, _status=_status)


async def load(
    request: Request,
    c: ContainerDep,
    actor: Actor,
    shop_id: str,
    sections: tuple[str, ...],
    order_status: str,
) -> dict[str, Any] | HTMLResponse:
    """The dashboard's context, or the page that says why there is none (404, 403)."""
    try:
        async with c.db.read() as session:
            shop = await get_shop(session, shop_id)
            roles = await list_roles(session, actor.user_id, shop_id)
            if not (roles or actor.is_admin):
                return _not_yours(request, actor)
            return await _context(session, c, actor, shop, roles, sections, order_status)
    except ShopNotFound:
        return render_page(
            request, "missing.html", actor, message="There is no such shop.", _status=404
        )


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
        "max_shelf_limit": MAX_SHELF_LIMIT,
        "major_units": _major_units,
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
    if "money" in sections and context["can_edit"]:
        default = c.settings.payout_minimum_default_major
        context["money"] = await get_money_overview(session, actor, shop.id, default)
    return context


def _major_units(price: MoneyOut) -> str:
    """A price as a form field holds it: major units, exact, without grouping ("1234.50")."""
    return Money(price.amount_minor, price.currency).decimal()


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
    named = await name_variants(session, [order_out(o, now) for o in orders])
    return [(o, titles[o.product_id].title if o.product_id in titles else "") for o in named]


def _invalid(error: ValidationError, _: Gettext) -> str:
    first = error.errors()[0]
    if first["type"] in {"missing", "string_too_short", "string_pattern_mismatch"}:
        return _("Fill in the required fields.")
    return _("Check the form: {detail}").format(detail=first["msg"])


def _explain(error: DomainError, _: Gettext) -> str:
    """A domain refusal in the seller's words where the form speaks differently from the API
    (percent, not basis points); otherwise its detail, translated when it is only the title
    (an English msgid, as web/problems.py does)."""
    total = error.extra.get("total")
    if error.code == "shares_must_sum_to_10000" and isinstance(total, int):
        percent = f"{total / 100:g}"
        return _("The producers' shares must add up to 100 % (now {total} %).").format(
            total=percent
        )
    return _(error.detail) if error.detail == error.title else error.detail


async def submit(
    request: Request,
    c: ContainerDep,
    actor: Actor | None,
    shop_id: str,
    sections: tuple[Section, ...],
    form_id: str,
    act: Act,
    item: str = "",
    **extra: Any,
) -> Response:
    """Run a form's action; answer its section (and the `sections` after it, out of band)
    with the result, or with the refusal, the seller's input and a 4xx. `item` names what an
    edit form saved ("product-<id>"), whose Edit link takes the focus back; `extra` goes to
    the template when saved."""
    if actor is None:  # signed out meanwhile: htmx follows HX-Redirect to the sign-in page
        target = quote(f"/sell/shops/{shop_id}", safe="/")
        return Response(status_code=401, headers={"HX-Redirect": f"/login?next={target}"})
    _ = i18n.translator(request)
    form = await request.form()
    section, *also = sections
    htmx = from_htmx(request)
    bad_field = None
    try:
        message = await act(actor, form, _)
    except Refused as refused:
        error, code = str(refused), status.HTTP_422_UNPROCESSABLE_CONTENT
        bad_field = refused.field
    except ValidationError as invalid:
        error, code = _invalid(invalid, _), status.HTTP_422_UNPROCESSABLE_CONTENT
    except DomainError as refused:
        error, code = _explain(refused, _), refused.status
    else:
        if not htmx:
            return RedirectResponse(page_of(shop_id, item or section), status.HTTP_303_SEE_OTHER)
        return await render(request, c, actor, shop_id, "seller_section.html", sections, "",
                            section=section, also=also, message=message, saved=item,
                            **extra)  # fmt: skip
    values = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    template, shown = (
        ("seller_section.html", (section,)) if htmx else ("seller_shop.html", SECTIONS)
    )
    return await render(
        request, c, actor, shop_id, template, shown, "", code,
        section=section, also=[], message=error, error=True, failed=form_id, values=values,
        chosen=form.getlist("lineup"), bad_field=bad_field,
    )  # fmt: skip
